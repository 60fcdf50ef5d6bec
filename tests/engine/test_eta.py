"""A dry run's plan with an ETA: per vendor connection the campaigns, the pace, the requests and the last stop's time;
listed statuses are not read again; the result, the report and the task log carry it."""

from __future__ import annotations

import logging
import time

import pytest

from airflow_provider_campaigns.engine.eta import part_eta, plan_eta
from airflow_provider_campaigns.engine.report import render_report
from airflow_provider_campaigns.engine.results import result, with_entries
from airflow_provider_campaigns.engine.stop_batch import Part, stop_parts
from airflow_provider_campaigns.engine.stop_budget import StopBudget
from airflow_provider_campaigns.hooks.bsg import BsgHook
from airflow_provider_campaigns.hooks.kore import KoreHook
from airflow_provider_campaigns.operators.kill_switch import CampaignKillSwitchOperator
from airflow_provider_campaigns.simulator import Simulator
from tests.conftest import FakeClock, pace_connections

WOULD, FINAL = {"outcome": "would_stop"}, {"outcome": "already_final"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(time.time())


def test_at_a_configured_pace_the_last_stop_lands_after_every_request_slot(connection, fast_retry, clock):
    connection("bsg_default", "bsg", host="https://bsg.test", password="live_k", extra={**fast_retry, "requests_per_second": 2})
    eta = part_eta(BsgHook(clock=clock), [WOULD] * 10 + [FINAL] * 2, list_requests=1)
    assert (eta["campaigns"], eta["already_final"], eta["requests_per_stop"], eta["list_requests"], eta["requests"]) == (10, 2, 1, 1, 11)
    assert eta["pace"] == {"requests_per_second": 1.94, "source": "configured (extra requests_per_second)"}, "the 3 % margin the pace keeps"
    assert eta["seconds"] == pytest.approx(10 / 1.94 + 0.05, abs=0.05)
    import pendulum

    assert pendulum.parse(eta["last_stop_at"]).timestamp() == pytest.approx(clock.time() + eta["seconds"], abs=0.1)
    assert eta["last_stop_at"].endswith("Z"), "UTC"


def test_kore_ai_keeps_its_documented_default_and_unlimited_vendors_go_by_batches(connection, fast_retry, clock):
    extra = {"account_id": "acc1", "stream_id": "st-1", **{k: v for k, v in fast_retry.items() if k != "requests_per_second"}}
    connection("kore_default", "kore", host="https://kore.test", login="c", password="kore-ETA-secret-0123456789abcdef0123", extra=extra)
    assert part_eta(KoreHook(clock=clock), [WOULD] * 3, 0)["pace"] == {
        "requests_per_second": 0.97,
        "source": "the vendor's documented default",
    }
    connection("bsg_default", "bsg", host="https://bsg.test", password="live_k", extra=fast_retry)
    eta = part_eta(BsgHook(pool_size=4, clock=clock), [WOULD] * 10, 0)
    assert eta["pace"] == {"requests_per_second": None, "source": "unlimited"}
    assert eta["seconds"] == pytest.approx(0.2), "3 batches of 4 at the default 50 ms, rounded to 0.1 s"
    assert part_eta(BsgHook(clock=clock), [FINAL], 3)["requests"] == 0, "nothing to stop: no request, no time"


def test_the_plan_is_the_slowest_part_and_the_result_keeps_it_after_a_wait():
    parts = [{"seconds": 3.0, "last_stop_at": "2026-01-01T00:00:03Z"}, {"seconds": 9.5, "last_stop_at": "2026-01-01T00:00:09.500000Z"}]
    eta = plan_eta(parts, 1767225600.0)
    assert (eta["seconds"], eta["last_stop_at"], eta["as_of"]) == (9.5, "2026-01-01T00:00:09.500000Z", "2026-01-01T00:00:00Z")
    value = result([], dry_run=True, eta=eta)
    assert value["eta"] == eta and with_entries(value, [])["eta"] == eta
    assert "eta" not in result([]), "a stop's result has the shape it always had"


def single_reads(sim: Simulator) -> list[str]:
    return [r["path"] for r in sim.requests("bsg") if r["method"] == "GET" and r["path"].rstrip("/").split("/")[-1].isdigit()]


def test_a_listing_dry_run_reads_nothing_again_and_reports_its_plan(sim, monkeypatch, ti, task_log):
    pace_connections(sim, monkeypatch)
    sending = [sim.add_campaign("bsg", status="sending") for _ in range(4)]
    sim.add_campaign("bsg", status="done")
    value = CampaignKillSwitchOperator(task_id="plan", targets={"bsg": {"all_active": True}}, dry_run=True).execute({"ti": ti})
    assert [c["campaign_id"] for c in value["campaigns"]] == [str(i) for i in sending]
    assert {c["outcome"] for c in value["campaigns"]} == {"would_stop"} and {c["vendor_status"] for c in value["campaigns"]} == {"sending"}
    assert not single_reads(sim), "the list's rows carry the status: no campaign is read again"
    (part,) = value["eta"]["parts"]
    lists = len([r for r in sim.requests("bsg") if r["path"] == "/api/campaigns"])
    assert (part["vendor"], part["campaigns"], part["list_requests"], part["requests"]) == ("bsg", 4, lists + 1, lists + 1 + 4), "+ login"
    assert part["pace"]["source"] == "unlimited" and value["eta"]["seconds"] == part["seconds"]
    report = render_report(value)
    assert "ETA: the last stop about" in report and "Plan: bsg bsg_default: 4 campaign(s), 1 request each" in report
    log = task_log()
    assert "Plan: bsg bsg_default: 4 campaign(s)" in log and "ETA: the last stop about" in log, "in the task log"


def test_named_campaigns_slow_at_the_pace_are_planned_from_one_list_read(sim, monkeypatch, clock):
    pace_connections(sim, monkeypatch, rate=1)
    named = [sim.add_campaign("kore", status=status) for status in ("Active", "Paused", "Scheduled", "Active", "Ready", "Active")]
    done = sim.add_campaign("kore", status="Completed")
    hook = KoreHook(clock=clock)
    selection = hook.selection("Op", campaign_ids=[*named, done])
    report = stop_parts([Part(hook, selection)], StopBudget(clock), True, False, None, logging.getLogger("test"))
    paths = [r["path"] for r in sim.requests("kore")]
    assert sum(p.endswith("getAllCampaignDetails") for p in paths) == 1
    assert [p for p in paths if p.endswith("/status")] == [p for p in paths if done in p], "only the final one (not in the list) is read"
    assert [e["outcome"] for e in report.entries] == ["would_stop"] * 6 + ["already_final"]
    (eta,) = report.etas
    assert (eta["campaigns"], eta["list_requests"], eta["requests"], eta["pace"]["source"]) == (
        6,
        1,
        7,
        "configured (extra requests_per_second)",
    )
    assert eta["seconds"] == pytest.approx(6 / 0.97, abs=0.2)
