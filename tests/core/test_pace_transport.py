"""The pace on real sockets: a batch keeps to a rate-limited simulator, learned or configured; the triggerer shares it."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from airflow_provider_campaigns.core.async_transport import AsyncTransport
from airflow_provider_campaigns.engine.stop_batch import stop_campaigns
from airflow_provider_campaigns.hooks.cellcast import CellcastHook
from airflow_provider_campaigns.simulator import Simulator
from airflow_provider_campaigns.vendors import cellcast


def cellcast_hook(monkeypatch: pytest.MonkeyPatch, sim: Simulator, **extra: Any) -> CellcastHook:
    connection = sim.connections()["cellcast_default"]
    connection["extra"] = {**connection["extra"], "backoff_base": 0.05, "backoff_max": 0.5, **extra}
    monkeypatch.setenv("AIRFLOW_CONN_CELLCAST_DEFAULT", json.dumps(connection))
    return CellcastHook()


def stop_all(hook: CellcastHook, sim: Simulator, count: int) -> tuple[list[str], float]:
    ids = [sim.add_campaign("cellcast", status="scheduled")[0] for _ in range(count)]
    started = time.monotonic()
    report = stop_campaigns(hook, [cellcast.message(message_id) for message_id in ids], time.monotonic() + 60)
    assert [item["outcome"] for item in report.entries] == ["stopped"] * count
    return ids, time.monotonic() - started


def test_an_unknown_limit_is_learned_with_at_most_one_refusal_per_stop(monkeypatch):
    with Simulator(rate_limits={"cellcast": 20}) as sim:
        hook = cellcast_hook(monkeypatch, sim)
        _, seconds = stop_all(hook, sim, 60)
        counts = sim.rate_limits()["cellcast"]
    assert counts["refused"] <= 60, counts  # today's client: several per stop
    assert seconds < (60 - 20) / 20 * 1.6 + 2, seconds
    assert hook.transport.pace.rate is not None and hook.transport.pace.rate < 40  # near the limit, probing above it now and then


def test_a_configured_rate_is_kept_from_the_first_request(monkeypatch):
    with Simulator(rate_limits={"cellcast": {"rate": 20, "burst": 2}}) as sim:
        hook = cellcast_hook(monkeypatch, sim, requests_per_second=20)
        _, seconds = stop_all(hook, sim, 40)
        counts = sim.rate_limits()["cellcast"]
    assert counts["refused"] <= 0.05 * counts["accepted"], counts
    # paced from the first request, not in a burst (the upper bound only catches a stall: CPU load stretches it)
    assert 40 / 20 * 0.9 <= seconds <= 40 / 20 * 3, seconds


def test_the_triggerers_reads_share_the_pace_of_the_same_connection(monkeypatch):
    with Simulator() as sim:
        hook = cellcast_hook(monkeypatch, sim, requests_per_second=3)
        trigger_side = AsyncTransport(hook.settings, hook.api.auth)
        assert trigger_side.pace is hook.transport.pace
        other = cellcast_hook(monkeypatch, sim, requests_per_second=3)
        assert other.transport.pace is hook.transport.pace  # a second hook of the task: one pace
