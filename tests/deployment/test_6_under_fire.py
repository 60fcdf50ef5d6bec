"""Scenario 6 (issue 14): the kill switch under fire on the LocalExecutor deployment.

1,000 live campaigns per vendor on a second simulator that answers every vendor request after
200 ms; the example kill switch fired over REST; then a fault. Each scenario prints time to silence
(REST call → the last stop that changed a campaign), the campaigns left running, and report
mistakes (campaigns whose reported outcome contradicts the simulator: every campaign was live when
the kill switch fired, so each one the vendor shows stopped must be reported ``stopped``).
The simulator is reset between scenarios (campaigns, faults and request log).
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import psutil
import pytest
from harness import speed
from harness.procs import wait_for
from harness.scenarios import KILL_SWITCH, STOP_TASK, STOPPED, KillSwitchRun, Seeded, measure, seed_kill_switch, show_breakdown
from harness.simclient import VENDORS, tokens_in_log

PER_VENDOR = 1000
SLOW = {vendor: f"{vendor}_slow" for vendor in VENDORS}
#: "mid-run": the kill switch has stopped this many BSG campaigns (the pool works through them in order)
MID_RUN = 300


@pytest.fixture(scope="module")
def fire(deployments: Any, slow_simulator: Any, figures: Any) -> Callable[..., tuple[KillSwitchRun, dict[str, Any]]]:
    """Run the kill switch against the slow simulator with a fault: ``fire(label, before=, during=)``.

    ``exactly_once``: also require one stop request per campaign (no fault: nothing to retry).
    """
    local = deployments.get("local")
    for fields in slow_simulator.connections().values():
        local.create_connection(SLOW[fields["conn_type"]], fields)
    slow_simulator.seen_tokens = set()
    sim = slow_simulator.client

    def run(
        label: str,
        before: Callable[[Any], None] | None = None,
        during: Callable[[str, float, Seeded], dict[str, Any]] | None = None,
        timeout: float = 300,
        exactly_once: bool = False,
        supervised: bool = False,
    ) -> tuple[KillSwitchRun, dict[str, Any]]:
        slow_simulator.seen_tokens |= tokens_in_log(sim.requests())  # the secrets scan searches for them later
        sim.reset()
        seeded = seed_kill_switch(sim, PER_VENDOR, conn_ids=SLOW)
        if before is not None:
            before(sim)
        run_id, started = local.trigger(KILL_SWITCH, seeded.conf)
        notes = during(run_id, started, seeded) if during is not None else {}
        restarts_before = len(local.restarts)
        state = local.wait_run(KILL_SWITCH, run_id, timeout, supervised=supervised)
        if supervised:
            notes["components_restarted"] = local.restarts[restarts_before:]
        run_seconds = time.time() - started
        sim.clear_faults()
        run = measure(local, sim, seeded, run_id, started, state, run_seconds, exactly_once=exactly_once)
        log = sim.requests()
        answers = Counter(str(e["status"]) for e in log if e["time"] >= started)
        print(
            f"{label}: run {run.state} after {run.tries} tr{'y' if run.tries == 1 else 'ies'}, {run.run_seconds:.1f} s; "
            f"time to silence (last real stop) {run.last_real_stop:.2f} s; left running {run.left_running}; "
            f"report mistakes {len(run.report_mistakes)}; report totals {run.report_totals}; {run.stops} stop requests; "
            f"vendor answers {dict(answers)}; {notes}"
        )
        print(f"{label} breakdown: {show_breakdown(run.breakdown)}")
        for line in (run.report_mistakes + run.problems)[:10]:
            print(f"  {label}: {line}")
        figures.record(
            "under fire (LocalExecutor, 4 x 1,000 campaigns, 200 ms)",
            f"{label}: time to silence",
            run.last_real_stop,
            "s",
            run_state=run.state,
            tries=run.tries,
            run_seconds=run.run_seconds,
            left_running=run.left_running,
            report_mistakes=len(run.report_mistakes),
            totals=run.report_totals,
            stop_requests=run.stops,
            answers=dict(answers),
            **notes,
        )
        return run, notes

    return run


def mid_run(sim: Any, seeded: Seeded, timeout: float = 120) -> float:
    """Wait until the kill switch has stopped :data:`MID_RUN` BSG campaigns; returns when (epoch)."""
    bsg = [key for vendor, key in seeded.keys if vendor == "bsg"]
    wait_for(lambda: sim.stopped("bsg", bsg[MID_RUN - 1], STOPPED["bsg"]), timeout, 0.05, what=f"{MID_RUN} BSG stops")
    return time.time()


def stop_task_pid(deployment: Any, run_id: str) -> int:
    """The pid of the stop task's process (the task runner the supervisor forked), as the execution API recorded it."""
    [ti] = [t for t in deployment.task_instances(KILL_SWITCH, run_id) if t["task_id"] == STOP_TASK]
    return int(ti["pid"])


@pytest.mark.timeout(600)
def test_no_fault_baseline(fire: Any) -> None:
    run, _ = fire("no fault (baseline)", exactly_once=True)
    assert run.state == "success" and run.tries == 1
    assert run.left_running == 0
    assert run.report_mistakes == []
    assert run.problems == [], run.problems[:10]  # and every campaign stopped by exactly one request


@pytest.mark.timeout(600)
def test_429s_on_30_percent_of_bsg_stops(fire: Any) -> None:
    def before(sim: Any) -> None:
        sim.inject(vendor="bsg", fault="status", status=429, retry_after="1", times=None, probability=0.3, method="PATCH", path="/stop$")

    run, _ = fire("30% of BSG stops answered 429 (Retry-After 1 s)", before=before)
    assert run.state == "success"
    assert run.left_running == 0
    assert run.report_mistakes == []
    assert run.last_real_stop <= speed.bound(30), (run.last_real_stop, speed.slowdown())


@pytest.mark.timeout(600)
def test_every_vendor_refusing_connections_for_15_s(fire: Any, slow_simulator: Any) -> None:
    sim = slow_simulator.client

    def during(run_id: str, started: float, seeded: Seeded) -> dict[str, Any]:
        at = mid_run(sim, seeded) - started
        sim.outage(15)
        return {"outage_at": round(at, 2), "outage_seconds": 15}

    run, _ = fire("every vendor refusing connections for 15 s", during=during)
    assert run.state == "success"
    assert run.tries == 1, "the outage failed the first try"
    assert run.left_running == 0
    assert run.report_mistakes == []
    assert run.last_real_stop <= speed.bound(30), (run.last_real_stop, speed.slowdown())


@pytest.mark.timeout(600)
def test_stop_task_process_sigkilled_mid_batch(fire: Any, deployments: Any, slow_simulator: Any) -> None:
    local, sim = deployments.get("local"), slow_simulator.client

    def during(run_id: str, started: float, seeded: Seeded) -> dict[str, Any]:
        at = mid_run(sim, seeded) - started
        pid = stop_task_pid(local, run_id)
        process = psutil.Process(pid)
        scheduler = local.services["scheduler"].pid
        assert scheduler in {p.pid for p in process.parents()}, f"pid {pid} ({process.cmdline()}) is not a LocalExecutor task"
        os.kill(pid, signal.SIGKILL)
        stopped_by_try_1 = sum(1 for vendor, key in seeded.keys if vendor == "bsg" and sim.stopped(vendor, key, STOPPED[vendor]))
        return {"killed_at": round(at, 2), "bsg_stopped_when_killed": stopped_by_try_1}

    run, _ = fire("the stop task's process SIGKILLed mid-batch", during=during)
    assert run.state == "success"
    assert run.tries >= 2, "the kill did not end the first try"
    assert run.left_running == 0
    assert run.report_mistakes == [], "campaigns stopped by try 1 must be reported stopped"
    assert run.last_real_stop <= speed.bound(45), (run.last_real_stop, speed.slowdown())


@pytest.mark.timeout(600)
def test_postgres_restarted_mid_run(fire: Any, postgres: Any, e2e: Any, slow_simulator: Any) -> None:
    sim = slow_simulator.client

    def during(run_id: str, started: float, seeded: Seeded) -> dict[str, Any]:
        at = mid_run(sim, seeded) - started
        downtime = postgres.restart(e2e)
        return {"restart_at": round(at, 2), "database_down_seconds": round(downtime, 2)}

    # A scheduler whose database transaction fails [database] max_db_retries times (default 3, within a
    # second) exits: as under systemd or Kubernetes, an exited component is started again.
    run, _ = fire("Postgres restarted mid-run", during=during, supervised=True)
    assert run.state == "success"
    assert run.left_running == 0
    assert run.report_mistakes == []


@pytest.mark.timeout(600)
def test_scheduler_sigkilled_after_the_trigger_and_restarted_5_s_later(fire: Any, deployments: Any) -> None:
    local = deployments.get("local")
    orphans: list[Any] = []

    def during(run_id: str, started: float, seeded: Seeded) -> dict[str, Any]:
        orphans.append(local.kill_scheduler())
        killed = time.monotonic()
        killed_at = time.time() - started
        states = local.task_states(KILL_SWITCH, run_id)
        # What a service manager does before it restarts a crashed unit (systemd's KillMode=control-group, a
        # container ending with its main process): the rest of the group goes too. Orphaned LocalExecutor workers
        # hold the killed scheduler's database connection; killed mid-transaction, its row locks stayed until they
        # were stopped, and the new scheduler did not touch the run for 5 minutes (one CI run of ten).
        local.sup.stop(orphans[-1], timeout=10)
        time.sleep(max(0.0, 5 - (time.monotonic() - killed)))
        local.start("scheduler", log_name=f"{local.name}-scheduler-after-SIGKILL")
        return {"killed_at": round(killed_at, 2), "task_state_when_killed": states.get(STOP_TASK)}

    try:
        run, _ = fire("scheduler SIGKILLed after the trigger, restarted 5 s later", during=during)
    finally:
        for old in orphans:  # already stopped before the restart; again in case `during` failed before that
            local.sup.stop(old, timeout=10)
    assert run.state == "success"
    assert run.left_running == 0
    assert run.report_mistakes == []
