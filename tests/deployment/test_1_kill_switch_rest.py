"""Scenario 1: an alerting system triggers the kill switch over REST on a fresh deployment (LocalExecutor).

Time to silence is the REST call → the last stop the simulator acknowledged. Each round prints where
that time went (REST → dag run → queued → task running → DAG parsed → execute() → first stop → last stop).
The first round is the deployment's first task (cold LocalExecutor worker); it is printed on its own too.
"""

from __future__ import annotations

import statistics
from typing import Any

import pytest
from harness import speed
from harness.scenarios import KILL_SWITCH, clean_round, median, show_breakdown

PER_VENDOR = 250
ROUNDS = 5
#: issue 12's goal for the median, 1,000 campaigns across four vendors (LocalExecutor, 2 cores); printed
GOAL = 2.0
#: what the median must beat, on any load: 0.1's three-round kill switch DAG took 3.0-3.8 s
REGRESSION_BOUND = 3.0


def median_breakdown(rounds: list[dict[str, float]]) -> dict[str, float]:
    """Each step's median time from the REST call, over the rounds that have it."""
    names = {name for marks in rounds for name in marks}
    return {name: round(statistics.median([m[name] for m in rounds if name in m]), 3) for name in names}


@pytest.mark.timeout(900)
def test_kill_switch_over_rest_stops_every_campaign_exactly_once(local: Any, simulator: Any, figures: Any) -> None:
    # A fresh deployment: nobody unpaused the DAG; it must not be paused (is_paused_upon_creation=False).
    dag = local.rest("GET", f"/api/v2/dags/{KILL_SWITCH}").json()
    assert dag["is_paused"] is False, "the kill switch starts paused: a REST trigger would queue a run that never runs"
    scenario = "kill switch (LocalExecutor)"
    silences: list[float] = []
    breakdowns: list[dict[str, float]] = []
    for round_no in range(1, ROUNDS + 1):
        run = clean_round(local, simulator.client, PER_VENDOR, f"round {round_no}")
        silences.append(run.time_to_silence)
        breakdowns.append(run.breakdown)
        figures.record(
            scenario,
            f"time to silence, round {round_no}" + (" (first task of the deployment)" if round_no == 1 else ""),
            run.time_to_silence,
            "s",
            campaigns=4 * PER_VENDOR,
            run_seconds=run.run_seconds,
            breakdown=run.breakdown,
        )
    typical = median_breakdown(breakdowns)
    print(f"median breakdown over {ROUNDS} rounds: {show_breakdown(typical)}")
    figures.record(
        scenario,
        f"time to silence, median of {ROUNDS} x {4 * PER_VENDOR} campaigns (goal <= {GOAL:g} s)",
        median(silences),
        "s",
        rounds=silences,
        breakdown=typical,
        execution_api_warmup=local.execution_api_warmup,
    )
    limit = speed.bound(REGRESSION_BOUND)
    assert median(silences) <= limit, (
        f"time to silence {median(silences):.2f} s (rounds {silences}) is no better than 0.1's three-round DAG "
        f"({REGRESSION_BOUND:g} s, {limit:.2f} s at this machine's speed now)"
    )
