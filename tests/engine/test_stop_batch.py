"""Many campaigns in one task (simulator, real sockets): one login, each stopped once, bounded and
adaptive concurrency, time budgets, a truthful report, and a journal that lets a retry resume."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest

from airflow_provider_campaigns.core.sync_transport import SyncTransport
from airflow_provider_campaigns.engine.journal import Journal
from airflow_provider_campaigns.engine.stop_batch import read_campaigns, stop_campaigns
from airflow_provider_campaigns.hooks.bsg import BsgHook
from airflow_provider_campaigns.simulator import Simulator
from airflow_provider_campaigns.vendors import bsg
from tests.conftest import MemoryStore


@pytest.fixture
def sim(simulated):
    return simulated(latency=0.01)


def deadline(seconds: float = 60) -> float:
    return time.monotonic() + seconds


def refs(ids: list[int]) -> list[bsg.BsgCampaign]:
    return [bsg.campaign(i) for i in ids]


def test_a_batch_logs_in_once_and_stops_each_campaign_once(sim):
    ids = [sim.add_campaign("bsg", status="sending") for _ in range(120)]
    done = [sim.add_campaign("bsg", status="done") for _ in range(5)]
    report = stop_campaigns(BsgHook(pool_size=16), refs([*ids, *done]), deadline())
    assert [e["outcome"] for e in report.entries] == ["stopped"] * 120 + ["already_final"] * 5
    assert [e["campaign_id"] for e in report.entries] == [str(i) for i in [*ids, *done]]
    assert all(sim.stop_count("bsg", i) == 1 for i in ids) and not report.errors
    assert len([r for r in sim.requests("bsg") if r["path"] == "/api/auth/login"]) == 1


def test_concurrency_is_bounded_and_actually_parallel(monkeypatch):
    """Counted at the transport's send point, not by wall time (a busy machine slows a timed test, not this one)."""
    in_flight, most = 0, 0
    lock = threading.Lock()
    original = SyncTransport._send

    def counting(self: Any, flow: Any) -> Any:
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        try:
            return original(self, flow)
        finally:
            with lock:
                in_flight -= 1

    monkeypatch.setattr(SyncTransport, "_send", counting)
    with Simulator(port=0, latency=0.1) as slow:
        monkeypatch.setenv("AIRFLOW_CONN_BSG_DEFAULT", slow.connection_env()["AIRFLOW_CONN_BSG_DEFAULT"])
        ids = [slow.add_campaign("bsg", status="sending") for _ in range(24)]
        report = stop_campaigns(BsgHook(pool_size=8), refs(ids), deadline())
    assert [e["outcome"] for e in report.entries] == ["stopped"] * 24
    assert 4 <= most <= 8, f"{most} stops in flight at once: at most the pool size (8), and really in parallel"


def stop_with_one_429(monkeypatch, campaigns: int, pool_size: int, retry_after: str, latency: float, first_only: bool):
    """Stop ``campaigns`` BSG campaigns where one stop (the first campaign's, or any) is answered 429; (ids, report, stop log)."""
    with Simulator(port=0, latency=latency) as vendor:
        monkeypatch.setenv("AIRFLOW_CONN_BSG_DEFAULT", vendor.connection_env()["AIRFLOW_CONN_BSG_DEFAULT"])
        ids = [vendor.add_campaign("bsg", status="sending") for _ in range(campaigns)]
        path = rf"/api/campaigns/{ids[0]}/stop$" if first_only else r"/stop$"
        vendor.inject("bsg", fault="status", status=429, retry_after=retry_after, times=1, path=path)
        hook = BsgHook(pool_size=pool_size)
        hook.login()
        report = stop_campaigns(hook, refs(ids), deadline())
        stops = [r for r in vendor.requests("bsg") if r["path"].endswith("/stop")]
    assert [e["outcome"] for e in report.entries] == ["stopped"] * campaigns
    return ids, report, stops


def test_a_429_pauses_only_the_request_it_answered_not_the_whole_batch(monkeypatch):
    """Retry-After: 1 on one request: the other 39 stops go on; only that one waits a second."""
    _, _, stops = stop_with_one_429(monkeypatch, 40, pool_size=8, retry_after="1", latency=0.05, first_only=False)
    first_429 = next(r["time"] for r in stops if r["status"] == 429)
    late = [r for r in stops if r["status"] == 200 and r["time"] - first_429 >= 0.9]
    assert len(late) == 1, "only the refused request waited for its Retry-After"


def test_campaigns_waiting_out_a_retry_after_leave_their_request_slot_to_others(monkeypatch):
    """One slot (pool_size=1): while the first campaign sleeps through its Retry-After, the others are stopped."""
    ids, _, stops = stop_with_one_429(monkeypatch, 4, pool_size=1, retry_after="2", latency=0.0, first_only=True)
    refused = next(r["time"] for r in stops if r["status"] == 429)
    others = [r["time"] for r in stops if r["status"] == 200 and not r["path"].startswith(f"/api/campaigns/{ids[0]}/")]
    assert len(others) == 3 and max(others) - refused < 1.5, "the other campaigns waited for the sleeping one's Retry-After"


def test_a_short_outage_is_outlived_within_the_stop_deadline(sim):
    ids = [sim.add_campaign("bsg", status="sending") for _ in range(10)]
    sim.inject("bsg", fault="drop", times=15, path=r"/stop$")
    hook = BsgHook(pool_size=4)
    report = stop_campaigns(hook, refs(ids), deadline(30))
    assert {e["outcome"] for e in report.entries} == {"stopped"} and not report.errors
    assert all(sim.stop_count("bsg", i) == 1 for i in ids)


def test_a_campaign_given_up_at_the_deadline_is_read_once_more_and_named(sim):
    good = sim.add_campaign("bsg", status="sending")
    stuck = sim.add_campaign("bsg", status="sending")
    sim.inject("bsg", fault="status", status=503, times=None, path=rf"/api/campaigns/{stuck}/stop$")
    report = stop_campaigns(BsgHook(), refs([good, stuck]), deadline(0.5))
    by_id = {e["campaign_id"]: e for e in report.entries}
    assert by_id[str(good)]["outcome"] == "stopped"
    failed = by_id[str(stuck)]
    assert failed["outcome"] == "failed" and failed["vendor_status"] == "sending", "the last read says it still sends"
    assert "HTTP 503" in failed["error"] and "deadline" in failed["error"]
    assert len(report.errors) == 1 and report.failure() is not None


def test_a_final_campaign_is_never_reported_failed_even_when_its_stop_ran_out_of_time(sim):
    stopped = sim.add_campaign("bsg", status="sending")
    sim.inject("bsg", fault="status", status=503, times=None, path=rf"/api/campaigns/{stopped}/stop$", when="after")
    report = stop_campaigns(BsgHook(), refs([stopped]), deadline(0.5))
    (entry,) = report.entries
    assert entry["outcome"] == "stopped" and not report.errors, "the vendor applied it; the answers were lost"


def test_progress_is_logged_at_a_rhythm_not_per_request(sim, caplog):
    ids = [sim.add_campaign("bsg", status="sending") for _ in range(30)]
    with caplog.at_level(logging.INFO):
        stop_campaigns(BsgHook(pool_size=4), refs(ids), deadline(), logger=logging.getLogger("batch-test"))
    progress = [r.getMessage() for r in caplog.records if "handled" in r.getMessage()]
    assert 1 <= len(progress) <= 3
    assert "handled 30 of 30 campaign(s) (30 stopped)" in progress[-1]


def test_a_dry_run_reads_each_campaign_and_stops_nothing(sim):
    running = sim.add_campaign("bsg", status="sending", name="promo")
    finished = sim.add_campaign("bsg", status="done", name="old")
    report = read_campaigns(BsgHook(), refs([running, finished]), deadline())
    assert [(e["outcome"], e["name"]) for e in report.entries] == [("would_stop", "promo"), ("already_final", "old")]
    assert not [r for r in sim.requests("bsg") if r["path"].endswith("/stop")]


def test_a_retry_resumes_reports_the_first_try_truthfully_and_sends_no_stop_twice(sim):
    ids = [sim.add_campaign("bsg", status="sending") for _ in range(6)]
    store = MemoryStore()
    first = Journal("k", store, flush_every=0)
    hook = BsgHook()
    # the first try stops three, then dies (no end-of-try flush: as after a SIGKILL)
    stop_campaigns(hook, refs(ids[:3]), deadline(), journal=first)
    planned = store.load("k")
    planned["bsg:bsg_default"]["planned"] = [str(i) for i in ids]  # it had planned all six
    store.save("k", planned)
    before = len(sim.requests("bsg"))
    second = Journal("k", store, flush_every=0)
    report = stop_campaigns(BsgHook(), refs(ids), deadline(), journal=second)
    assert [e["outcome"] for e in report.entries] == ["stopped"] * 6, "the first try's stops are this run's, not already_final"
    stops = [r["path"] for r in sim.requests("bsg")[before:] if r["path"].endswith("/stop")]
    assert sorted(stops) == sorted(f"/api/campaigns/{i}/stop" for i in ids[3:]), "no stop sent twice"


def test_a_stop_the_first_try_sent_whose_outcome_it_never_recorded_counts_as_stopped(sim):
    """Killed with the stop in flight: the vendor applied it, the journal only planned it."""
    cid = sim.add_campaign("bsg", status="sending")
    store = MemoryStore()
    store.save("k", {"bsg:bsg_default": {"planned": [str(cid)], "done": {}}})
    BsgHook().stop_campaign(cid)  # the stop the dead try had sent
    report = stop_campaigns(BsgHook(), refs([cid]), deadline(), journal=Journal("k", store, flush_every=0))
    assert report.entries[0]["outcome"] == "stopped" and sim.stop_count("bsg", cid) == 1


def test_the_journal_is_written_before_any_stop_is_sent(sim):
    cid = sim.add_campaign("bsg", status="sending")
    store = MemoryStore()
    seen: list[Any] = []
    original = BsgHook.run

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(store.load("k"))
        return original(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(BsgHook, "run", spy)
        stop_campaigns(BsgHook(), refs([cid]), deadline(), journal=Journal("k", store, flush_every=0))
    assert seen[0]["bsg:bsg_default"]["planned"] == [str(cid)]
