"""The registry is open: a fifth vendor defined entirely in the test tree works everywhere shared code reaches.

``acme_provider/`` (beside this file) is Acme's facts module and its three thin Airflow classes; its
``ENTRY`` is the one registry line. Nothing in the package is edited: the kill switch, a sensor, a
deferred wait through the status trigger, the connection forms (both Airflow's ways of reading them),
the trigger form and the provider info all take Acme from :func:`airflow_provider_campaigns.registry.register`.
Acme's other side is the simulator with Acme's fake (``tests/simulator/fake_acme.py``) registered in
its own registry of fakes, on 127.0.0.1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from airflow.providers.common.compat.sdk import TaskDeferred

from airflow_provider_campaigns.simulator import Simulator
from airflow_provider_campaigns.simulator.clock import ManualClock
from tests.conftest import first_event


@pytest.fixture
def acme(monkeypatch: pytest.MonkeyPatch, simulated: Any) -> Iterator[Simulator]:
    """Acme registered on both sides (its package importable from the test tree), the simulator serving it on a
    manual clock with ``ac-1`` and ``ac-2`` running and ``ac-3`` done, ``acme_default`` pointing at it.
    """
    from airflow_provider_campaigns.registry import register, unregister
    from airflow_provider_campaigns.simulator import fakes
    from tests.simulator.fake_acme import FakeAcme

    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    from acme_provider import ENTRY

    register(ENTRY)
    fakes.register(FakeAcme)
    try:
        sim = simulated(clock=ManualClock())
        for status in ("running", "running", "done"):
            sim.add_campaign("acme", status=status)
        yield sim
    finally:
        fakes.unregister("acme")
        unregister("acme")


def states(sim: Simulator) -> dict[str, str]:
    """Every Acme campaign's state, by id."""
    return {campaign["id"]: campaign["state"] for campaign in sim.campaigns("acme")}


def calls(sim: Simulator) -> list[tuple[str, str]]:
    """Every request Acme received: method and path with its query (``("GET", "/campaigns?page=2")``)."""
    return [(call["method"], call["path"] + (f"?{urlencode(call['query'])}" if call["query"] else "")) for call in sim.requests("acme")]


def test_the_kill_switch_stops_acme_beside_nothing_else_and_reports_it(acme: Simulator, ti: Any) -> None:
    from airflow_provider_campaigns.operators.kill_switch import CampaignKillSwitchOperator

    result = CampaignKillSwitchOperator(task_id="kill", targets={"acme": {"all_active": True}}).execute({"ti": ti})
    assert {item["campaign_id"]: item["outcome"] for item in result["campaigns"]} == {"ac-1": "stopped", "ac-2": "stopped"}
    assert {item["vendor"] for item in result["campaigns"]} == {"acme"}
    assert result["campaigns"][0]["started_at"] is not None, "neutral times come from Acme's facts module"
    assert states(acme) == {"ac-1": "halted", "ac-2": "halted", "ac-3": "done"}
    assert ("GET", "/campaigns?page=2") in calls(acme), "the list was paged by Acme's own signal"


def test_the_kill_switch_validates_acme_targets_before_any_request(acme: Simulator, ti: Any) -> None:
    from airflow_provider_campaigns.exceptions import InvalidInputError
    from airflow_provider_campaigns.operators.kill_switch import CampaignKillSwitchOperator

    with pytest.raises(InvalidInputError, match=r"targets\['acme'\]: .*send_status_path is a comm.com option"):
        targets = {"acme": {"campaign_ids": ["ac-1"], "send_status_path": "x"}}
        CampaignKillSwitchOperator(task_id="kill", targets=targets).execute({"ti": ti})
    with pytest.raises(InvalidInputError, match="an Acme id looks like 'ac-1'"):
        CampaignKillSwitchOperator(task_id="kill", targets={"acme": {"campaign_ids": ["cmp-1"]}}).execute({"ti": ti})
    assert calls(acme) == []


def test_acmes_own_stop_operator_and_a_plan_from_its_dry_run(acme: Simulator, ti: Any) -> None:
    from acme_provider.operators.acme import AcmeStopCampaignOperator

    from airflow_provider_campaigns.operators.kill_switch import CampaignKillSwitchOperator

    targets = {"acme": {"campaign_ids": ["ac-1", "ac-3"]}}
    plan = CampaignKillSwitchOperator(task_id="plan", targets=targets, dry_run=True).execute({"ti": ti})
    assert [item["outcome"] for item in plan["campaigns"]] == ["would_stop", "already_final"]
    result = CampaignKillSwitchOperator(task_id="kill", plan=plan).execute({"ti": ti})
    assert [item["outcome"] for item in result["campaigns"]] == ["stopped", "already_final"]
    again = AcmeStopCampaignOperator(task_id="stop", campaign_ids=["ac-1", "ac-2"]).execute({"ti": ti})
    assert [item["outcome"] for item in again["campaigns"]] == ["already_final", "stopped"]


def test_a_deferred_acme_wait_runs_in_the_status_trigger(acme: Simulator, ti: Any) -> None:
    from acme_provider.sensors.acme import AcmeCampaignStatusSensor

    finishing = acme.add_campaign("acme", finishes_in=60)
    sensor = AcmeCampaignStatusSensor(task_id="wait", campaign_ids=[finishing], deferrable=True, poke_interval=0.01, timeout=30)
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute({"ti": ti})
    trigger = deferred.value.trigger
    path, kwargs = trigger.serialize()
    assert path == "airflow_provider_campaigns.triggers.status.CampaignStatusTrigger"
    assert kwargs["groups"][0]["vendor"] == "acme" and acme.credentials.acme_api_key not in json.dumps(kwargs)

    clock = acme.clock
    assert isinstance(clock, ManualClock)
    clock.advance(61)  # the campaign finishes
    event = first_event(type(trigger)(**kwargs), 20)
    assert event["status"] == "success"
    result = sensor.execute_complete({"ti": ti}, event)
    assert [(item["campaign_id"], item["state"]) for item in result["campaigns"]] == [(finishing, "completed")]


def test_acme_is_in_the_connection_forms_the_trigger_form_and_the_provider_info(acme: Simulator) -> None:
    from acme_provider.hooks.acme import AcmeHook

    from airflow_provider_campaigns.connection_forms import forms
    from airflow_provider_campaigns.provider_info import provider_info
    from airflow_provider_campaigns.trigger_form import kill_switch_params, targets_from_form

    assert forms()["acme"].hook_class == "acme_provider.hooks.acme.AcmeHook"
    assert AcmeHook.get_ui_field_behaviour()["relabeling"]["password"] == "API key"  # Airflow 2.11's way
    info = provider_info()
    (conn_type,) = [item for item in info["connection-types"] if item["connection-type"] == "acme"]
    assert conn_type["hook-class-name"] == "acme_provider.hooks.acme.AcmeHook"
    assert {"integration-name": "Acme", "python-modules": ["acme_provider.sensors.acme"]} in info["sensors"]
    assert "Acme" in info["name"]
    params = kill_switch_params()
    assert "acme_campaign_ids" in params and "acme" in params["vendors"].schema["items"]["enum"]
    assert targets_from_form({"vendors": ["acme"], "acme_campaign_ids": ["ac-1"]}) == {"acme": {"campaign_ids": ["ac-1"]}}


def test_an_unregistered_vendor_is_unknown_everywhere(ti: Any) -> None:
    from airflow_provider_campaigns.exceptions import InvalidInputError
    from airflow_provider_campaigns.operators.kill_switch import CampaignKillSwitchOperator
    from airflow_provider_campaigns.provider_info import provider_info

    with pytest.raises(InvalidInputError, match="unknown vendor"):
        CampaignKillSwitchOperator(task_id="kill", targets={"acme": {"campaign_ids": ["ac-1"]}}).execute({"ti": ti})
    assert "acme" not in {item["connection-type"] for item in provider_info()["connection-types"]}


def test_the_fire_drill_runs_acmes_core_facts_read_only(acme: Simulator, ti: Any) -> None:
    """Acme declares no drill facts: it gets the kill switch's own reads (credentials, the all_active listing, one status)."""
    from airflow_provider_campaigns.drill.runner import facts_of, sections
    from airflow_provider_campaigns.operators.drill import CampaignFireDrillOperator

    assert [fact.key for fact in facts_of("acme")] == ["acme.credentials", "acme.list", "acme.status"]
    assert sections()["acme"] == "Acme"
    result = CampaignFireDrillOperator(task_id="drill", conn_ids=["acme_default"]).execute({"ti": ti})
    (conn,) = result["connections"]
    assert conn["vendor"] == "acme"
    assert [(fact["fact"], fact["outcome"]) for fact in conn["facts"]] == [
        ("acme.credentials", "confirmed"),
        ("acme.list", "confirmed"),
        ("acme.status", "confirmed"),
    ], conn["facts"]
    assert {fact["doc"] for fact in conn["facts"]} == {"docs/vendor-contracts.md, section 'Acme'"}
    assert "ac-1 is 'running' (active)" in conn["facts"][2]["detail"]
    assert ("GET", "/campaigns?page=2") in calls(acme), "the listing was paged by Acme's own signal"
    assert {method for method, _ in calls(acme)} == {"GET"}, "the drill only reads"
    assert states(acme) == {"ac-1": "running", "ac-2": "running", "ac-3": "done"}
