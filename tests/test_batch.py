"""Many campaigns in one task: bounded concurrency, one login, shared back-off (simulator, real sockets)."""

from __future__ import annotations

import json
import logging
import time
from unittest.mock import MagicMock

import pytest

from airflow_provider_campaigns.batch import stop_all
from airflow_provider_campaigns.hooks.bsg import BsgHook
from airflow_provider_campaigns.operators.bsg import BsgStopCampaignOperator
from airflow_provider_campaigns.simulator import Simulator


@pytest.fixture
def sim(monkeypatch: pytest.MonkeyPatch):
    with Simulator(port=0, latency=0.01) as simulator:
        for conn_id, conn in simulator.connections().items():
            conn = {**conn, "extra": {**conn["extra"], "backoff_base": 0.01, "backoff_max": 0.05}}
            monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))
        yield simulator


def test_batch_logs_in_once_and_stops_each_campaign_once(sim):
    ids = [sim.add_campaign("bsg", status="sending") for _ in range(120)]
    done = [sim.add_campaign("bsg", status="done") for _ in range(5)]
    op = BsgStopCampaignOperator(task_id="stop", campaign_ids=[*ids, *done], max_concurrency=16)
    result = op.execute({"ti": MagicMock()})
    assert result["totals"] == {"requested": 125, "stopped": 120, "already_final": 5, "failed": 0}
    assert [c["campaign_id"] for c in result["campaigns"]] == [str(i) for i in [*ids, *done]]
    assert all(sim.stop_count("bsg", i) == 1 for i in ids)
    logins = [r for r in sim.requests("bsg") if r["path"] == "/api/auth/login"]
    assert len(logins) == 1


def test_concurrency_is_bounded_and_actually_parallel(monkeypatch):
    with Simulator(port=0, latency=0.1) as slow:
        monkeypatch.setenv("AIRFLOW_CONN_BSG_DEFAULT", slow.connection_env()["AIRFLOW_CONN_BSG_DEFAULT"])
        ids = [slow.add_campaign("bsg", status="sending") for _ in range(24)]
        started = time.monotonic()
        report = stop_all(BsgHook(pool_size=8), [{"campaign_id": str(i), "channel": "sms"} for i in ids], max_concurrency=8)
        elapsed = time.monotonic() - started
    assert report.totals()["stopped"] == 24
    # sequential: 25 x 0.1 s = 2.5 s; 8 at a time: about 4 x 0.1 s
    assert elapsed < 1.5


def test_a_429_burst_slows_the_whole_batch(monkeypatch):
    """One 429 (Retry-After: 1) pauses every sender. Without the shared pause, all 40 stops would be
    done within ~0.3 s (5 waves of 50 ms) except the retried one; with it, at most the wave already
    in flight gets through before the pause."""
    with Simulator(port=0, latency=0.05) as slow:
        monkeypatch.setenv("AIRFLOW_CONN_BSG_DEFAULT", slow.connection_env()["AIRFLOW_CONN_BSG_DEFAULT"])
        ids = [slow.add_campaign("bsg", status="sending") for _ in range(40)]
        slow.inject("bsg", fault="status", status=429, retry_after="1", times=1, path=r"/stop$")
        hook = BsgHook(pool_size=8)
        hook.run(hook.bsg_api.auth.token_flow())
        report = stop_all(hook, [{"campaign_id": str(i), "channel": "sms"} for i in ids], max_concurrency=8)
        log = slow.requests("bsg")
    assert report.totals()["stopped"] == 40
    first_429 = next(r["time"] for r in log if r["status"] == 429)
    late = [r for r in log if r["path"].endswith("/stop") and r["status"] == 200 and r["time"] - first_429 >= 0.9]
    assert len(late) >= 20


def test_progress_is_logged_at_a_rhythm_not_per_request(sim, caplog):
    ids = [sim.add_campaign("bsg", status="sending") for _ in range(30)]
    with caplog.at_level(logging.INFO):
        stop_all(BsgHook(), [{"campaign_id": str(i)} for i in ids], max_concurrency=4, log=logging.getLogger("batch-test"))
    progress = [r for r in caplog.records if "campaigns done" in r.getMessage()]
    assert 1 <= len(progress) <= 3
    assert "30/30" in progress[-1].getMessage()


def test_dynamic_task_mapping_partial_expand():
    mapped = BsgStopCampaignOperator.partial(task_id="stop", channel="sms").expand(campaign_id=[1, 2, 3])
    assert mapped.task_id == "stop"
