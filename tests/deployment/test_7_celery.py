"""Scenario 7 (issue 10, scenario 5): the kill switch with CeleryExecutor: Redis broker, Postgres result backend, two workers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from harness.scenarios import KILL_SWITCH, clean_round, median

PER_VENDOR = 250
ROUNDS = 3


def _received(log: str) -> int:
    return len(re.findall(r"Task \S+\[[0-9a-f-]+\] received", log))


@pytest.mark.timeout(900)
def test_kill_switch_on_celery_workers(celery: Any, simulator: Any, figures: Any) -> None:
    assert celery.env()["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    silences: list[float] = []
    tasks_run = 0
    for round_no in range(1, ROUNDS + 1):
        run = clean_round(celery, simulator.client, PER_VENDOR, f"celery round {round_no}")
        tasks_run += sum(1 for state in celery.task_states(KILL_SWITCH, run.run_id).values() if state == "success")
        silences.append(run.time_to_silence)
        figures.record(
            "kill switch (CeleryExecutor, 2 workers)",
            f"time to silence, round {round_no}",
            run.time_to_silence,
            "s",
            campaigns=4 * PER_VENDOR,
            run_seconds=run.run_seconds,
        )
    per_worker = {name: _received(celery.services[name].log_text()) for name in celery.services if name.startswith("celery-worker")}
    print(f"tasks received per Celery worker: {per_worker} (task instances run: {tasks_run})")
    # every task instance went through the broker to a worker (none ran in the scheduler)
    assert sum(per_worker.values()) >= tasks_run > 0, per_worker
    figures.record(
        "kill switch (CeleryExecutor, 2 workers)",
        f"time to silence, median of {ROUNDS} x {4 * PER_VENDOR} campaigns",
        median(silences),
        "s",
        rounds=silences,
        tasks_per_worker=per_worker,
    )
