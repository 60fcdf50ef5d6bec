"""Scenario 4b: the backfill clean-up example on the real scheduler, and the command its docstring gives.

(Scenario 4 of the plan — the Airflow 2.11 forms — is covered by ``make test``.)

On Airflow 3.3 ``airflow dags backfill`` is gone (``airflow backfill create`` replaces it) and the
runs of a backfill on a paused DAG stay queued until the DAG is unpaused; the example DAG starts
paused. The first test holds the docstring to a command that works; the second runs the clean-up
the way that works on 3.3 and checks what it cancelled.
"""

from __future__ import annotations

import re
import shlex
import time
from datetime import datetime
from typing import Any

import pytest
from harness.procs import wait_for
from harness.simclient import stop_counts

DAG_ID = "campaigns_backfill_cleanup"
DATES = ["2026-11-01", "2026-11-02", "2026-11-03"]


def documented_commands(deployment: Any) -> list[str]:
    """The ``airflow ...`` commands the DAG's docstring gives (its doc in the UI): inline, or lines of a literal block."""
    doc = deployment.rest("GET", f"/api/v2/dags/{DAG_ID}/details").json().get("doc_md") or ""
    inline = re.findall(r"``(airflow [^`]+)``", doc)
    literal = [line.split("#", 1)[0] for line in doc.splitlines() if line.strip().startswith("airflow ")]  # a ``::`` block
    return [" ".join(c.split()) for c in [*inline, *literal]]


def test_the_documented_backfill_command_runs_on_airflow_3(local: Any) -> None:
    commands = [c for c in documented_commands(local) if " backfill " in f" {c} "]
    assert commands, "the DAG's doc names no backfill command"
    results = {c: local.airflow(*shlex.split(c)[1:], "--dry-run", check=False) for c in commands}
    for command, result in results.items():
        print(f"$ {command} --dry-run -> exit {result.returncode}: {(result.stderr or result.stdout).strip()[-200:]}")
    working = [c for c, r in results.items() if r.returncode == 0]
    assert working, f"no backfill command in the {DAG_ID} docstring works on Airflow 3.3: {commands}"


def _backfill_runs(deployment: Any, count: int) -> list[dict[str, Any]] | None:
    deployment.check_alive()
    runs = deployment.rest("GET", f"/api/v2/dags/{DAG_ID}/dagRuns", params={"limit": 100, "run_type": "backfill"}).json()["dag_runs"]
    runs = [r for r in runs if r["run_type"] == "backfill"]
    return runs if len(runs) == count and all(r["state"] in ("success", "failed") for r in runs) else None


def _backfills_done(deployment: Any, count: int = 1) -> bool:
    backfills = deployment.rest("GET", "/api/v2/backfills", params={"dag_id": DAG_ID}).json()["backfills"]
    return len(backfills) == count and all(b["completed_at"] for b in backfills)


@pytest.mark.timeout(600)
def test_backfill_cleanup_cancels_each_dates_campaigns_once(local: Any, simulator: Any, figures: Any) -> None:
    sim = simulator.client
    targets: set[tuple[str, str]] = set()
    for ds in DATES:
        targets |= {("cellcast", m.lower()) for m in sim.add("cellcast", status="scheduled", recipients=2, custom_string=f"promo-{ds}")}
        targets.add(("bsg", str(sim.add("bsg", status="sending", name=f"promo {ds}"))))
    spared = {("cellcast", m.lower()) for m in sim.add("cellcast", status="scheduled", custom_string="promo-2026-11-04")}
    spared.add(("bsg", str(sim.add("bsg", status="sending", name="promo 2026-11-04"))))
    spared.add(("bsg", str(sim.add("bsg", status="done", name=f"promo {DATES[0]}"))))

    since = time.time()
    local.airflow("backfill", "create", "--dag-id", DAG_ID, "--from-date", DATES[0], "--to-date", DATES[-1])
    # the example DAG starts paused: on Airflow 3.3 the backfill's runs wait for it to be unpaused
    local.rest("PATCH", f"/api/v2/dags/{DAG_ID}", json={"is_paused": False})
    try:
        runs = wait_for(lambda: _backfill_runs(local, len(DATES)), 300, 1, what=f"the {len(DATES)} backfill runs to finish")
        print("backfill runs:", [(r["logical_date"], r["state"]) for r in runs])  # type: ignore[union-attr]
        assert all(r["state"] == "success" for r in runs), runs  # type: ignore[union-attr]
        counts = stop_counts(sim.stops(since=since))
        assert {key: counts.get(key, 0) for key in targets} == dict.fromkeys(targets, 1)
        assert not spared & set(counts), counts
        assert set(counts) == targets

        # re-running a date finds nothing left to cancel and succeeds (one backfill at a time per DAG)
        wait_for(lambda: _backfills_done(local), 120, 1, what="the scheduler to mark the backfill completed")
        again = time.time()
        local.airflow(
            "backfill", "create", "--dag-id", DAG_ID, "--from-date", DATES[0], "--to-date", DATES[0], "--reprocess-behavior", "completed"
        )
        wait_for(lambda: _backfills_done(local, 2), 180, 1, what="the re-run's backfill to complete")
        rerun = [r for r in _backfill_runs(local, len(DATES)) or [] if r["logical_date"].startswith(DATES[0])]
        print("re-run:", [(r["logical_date"], r["state"], r["start_date"]) for r in rerun])
        assert rerun and rerun[0]["state"] == "success", rerun
        assert datetime.fromisoformat(rerun[0]["start_date"].replace("Z", "+00:00")).timestamp() >= again - 1, "the date was not run again"
        assert sim.stops(since=again) == []
    finally:
        local.rest("PATCH", f"/api/v2/dags/{DAG_ID}", json={"is_paused": True})
    figures.record("backfill clean-up", f"campaigns cancelled once each over {len(DATES)} backfilled dates (re-run: 0)", len(targets), "")
