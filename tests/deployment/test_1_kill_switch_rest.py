"""Scenario 1: an alerting system triggers the kill switch over REST on a fresh deployment (LocalExecutor)."""

from __future__ import annotations

from typing import Any

import pytest
from harness.scenarios import KILL_SWITCH, median, run_kill_switch

PER_VENDOR = 250
ROUNDS = 3


@pytest.mark.timeout(900)
def test_kill_switch_over_rest_stops_every_campaign_exactly_once(local: Any, simulator: Any, figures: Any) -> None:
    # A fresh deployment: nobody unpaused the DAG; it must not be paused (is_paused_upon_creation=False).
    dag = local.rest("GET", f"/api/v2/dags/{KILL_SWITCH}").json()
    assert dag["is_paused"] is False, "the kill switch starts paused: a REST trigger would queue a run that never runs"
    silences: list[float] = []
    for round_no in range(1, ROUNDS + 1):
        run = run_kill_switch(local, simulator.client, PER_VENDOR)
        print(
            f"round {round_no}: run {run.run_id} {run.state}, {run.stops} stop requests, time to silence {run.time_to_silence:.2f} s, "
            f"run {run.run_seconds:.1f} s, report totals {run.report_totals}"
        )
        assert run.state == "success", local.task_states(KILL_SWITCH, run.run_id)
        assert run.problems == [], run.problems[:20]
        assert run.stops == 4 * PER_VENDOR
        assert run.report_totals == {"stopped": 4 * PER_VENDOR}
        silences.append(run.time_to_silence)
        figures.record(
            "kill switch (LocalExecutor)",
            f"time to silence, round {round_no}",
            run.time_to_silence,
            "s",
            campaigns=4 * PER_VENDOR,
            run_seconds=run.run_seconds,
        )
    figures.record(
        "kill switch (LocalExecutor)",
        f"time to silence, median of {ROUNDS} x {4 * PER_VENDOR} campaigns",
        median(silences),
        "s",
        rounds=silences,
    )
