"""Hooks a report can trust: list_not_final selects exactly what all_active stops; statuses=; context managers."""

from __future__ import annotations

import time
from typing import Any

import pytest

from airflow_provider_campaigns.exceptions import InvalidInputError
from airflow_provider_campaigns.hooks.bsg import BsgHook
from airflow_provider_campaigns.hooks.cellcast import CellcastHook
from airflow_provider_campaigns.hooks.comm import CommHook
from airflow_provider_campaigns.hooks.kore import KoreHook
from airflow_provider_campaigns.operators.kill_switch import CampaignKillSwitchOperator

DAY = 86400.0


def iso_days_ago(days: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - days * DAY))


def would_stop(vendor: str, target: dict[str, Any]) -> list[str]:
    plan = CampaignKillSwitchOperator(task_id="plan", targets={vendor: target}, dry_run=True).execute({"ti": None})
    return sorted(c["campaign_id"] for c in plan["campaigns"] if c["outcome"] == "would_stop")


def test_bsg_lists_what_all_active_stops_over_the_same_window(sim):
    recent = sim.add_campaign("bsg", status="sending")
    older = sim.add_campaign("bsg", status="sending", created_at=iso_days_ago(150))  # outside BSG's default 3 months
    paused = sim.add_campaign("bsg", status="paused")
    sim.add_campaign("bsg", status="done")
    sim.add_campaign("bsg", status="sending", channel="rcs")
    with BsgHook() as hook:
        listed = hook.list_not_final()
        default_list = {status.campaign_id for status in hook.list_campaigns()}
    assert sorted(s.campaign_id for s in listed) == would_stop("bsg", {"all_active": True}) == sorted(map(str, [recent, older, paused]))
    assert str(older) not in default_list, "list_campaigns keeps BSG's 3-month default; list_not_final the kill switch's window"
    assert {s.campaign_id: s.state.value for s in listed}[str(paused)] == "paused"


def test_every_vendor_lists_what_all_active_stops(sim):
    kore = [sim.add_campaign("kore", status="Active", name="promo a"), sim.add_campaign("kore", status="Paused", name="promo b")]
    sim.add_campaign("kore", status="Completed", name="promo c")
    sim.add_campaign("kore", status="Active", name="other")
    messages = sim.add_campaign("cellcast", status="scheduled", recipients=2, custom_string="promo-x")
    sim.add_campaign("cellcast", status="sent", recipients=1, custom_string="promo-x")
    with KoreHook() as hook:
        assert sorted(s.campaign_id for s in hook.list_not_final(name_contains="promo")) == would_stop(
            "kore", {"all_active": True, "name_contains": "promo"}
        ) == sorted(kore)
    with CellcastHook() as hook:
        assert sorted(s.campaign_id for s in hook.list_not_final(custom_string="promo-x")) == would_stop(
            "cellcast", {"custom_string": "promo-x"}
        ) == sorted(messages)
    with CommHook() as hook:
        assert hook.list_not_final() == [] and would_stop("comm", {"all_active": True}) == []


def test_statuses_takes_normalized_states_and_vendor_spellings(sim):
    sending = sim.add_campaign("bsg", status="sending")
    paused = sim.add_campaign("bsg", status="paused")
    scheduled = sim.add_campaign("bsg", status="scheduled")
    with BsgHook() as hook:
        assert sorted(s.campaign_id for s in hook.list_not_final(statuses=["active"])) == sorted(map(str, [sending, scheduled]))
        assert [s.campaign_id for s in hook.list_not_final(statuses=["PAUSED"])] == [str(paused)]
        assert [s.campaign_id for s in hook.list_not_final(statuses=["Sending"])] == [str(sending)]
        with pytest.raises(InvalidInputError, match="'runing' is neither a normalized state"):
            hook.list_not_final(statuses=["runing"])


def test_kore_list_campaigns_statuses_accepts_normalized_states(sim):
    active = sim.add_campaign("kore", status="Active")
    paused = sim.add_campaign("kore", status="Paused")
    sim.add_campaign("kore", status="Completed")
    with KoreHook() as hook:
        assert [s.campaign_id for s in hook.list_campaigns(statuses=["paused"])] == [paused]
        assert active in [s.campaign_id for s in hook.list_campaigns(statuses=["active"])]
        assert [s.campaign_id for s in hook.list_campaigns(statuses=["Paused"])] == [paused]
        ready = sim.add_campaign("kore", status="Ready")
        assert sorted(s.campaign_id for s in hook.list_campaigns(statuses=["active"])) == sorted([active, ready]), "every active spelling"
        assert [s.campaign_id for s in hook.list_campaigns(statuses=["Active"])] == [active], "Kore.ai's own Active only"


def test_a_hook_is_a_context_manager_that_closes_its_session(sim):
    campaign = sim.add_campaign("bsg", status="sending")
    with BsgHook() as hook:
        assert hook.get_campaign(campaign).vendor_status == "sending"
        transport = hook.transport
        closed: list[bool] = []
        original = transport.close
        transport.close = lambda: (closed.append(True), original())[1]  # type: ignore[method-assign]
    assert closed == [True]


def test_statuses_carry_vendor_neutral_times(sim):
    campaign = sim.add_campaign("bsg", status="sending")
    with BsgHook() as hook:
        hook.stop_campaign(campaign)
        status = hook.get_campaign(campaign)
    assert status.started_at == status.timestamps["real_start_at"]
    assert status.finished_at is None or status.finished_at == status.timestamps.get("finished_at")
