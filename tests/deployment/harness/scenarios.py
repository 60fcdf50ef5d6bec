"""Shared scenario steps: seed campaigns, run the kill switch over REST, check every stop in the simulator.

The kill switch is the example DAG ``campaigns_kill_switch``: one task, ``stop_campaigns``, that
stops every vendor's campaigns concurrently, then waits (deferred) until they are final. Its
``return_value`` is the provider's one result shape (``{"campaigns": [...], "totals": {...},
"dry_run": false}``); a failed try pushes it under ``campaigns_result``.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from airflow_provider_campaigns.simulator.truth import campaign_key

from .simclient import SimClient, StopRequest, stop_counts

#: each vendor's status for a campaign stopped by the provider
STOPPED = {"bsg": "stopped", "cellcast": "canceled", "comm": "stopped", "kore": "Stopped"}
KILL_SWITCH = "campaigns_kill_switch"
STOP_TASK = "stop_campaigns"
RESULT_KEY = "campaigns_result"


@dataclass
class Seeded:
    """Campaigns created for one kill-switch run: the conf and every (vendor, key) it names."""

    conf: dict[str, Any]
    keys: list[tuple[str, str]]


def seed_kill_switch(sim: SimClient, per_vendor: int, conn_ids: dict[str, str] | None = None) -> Seeded:
    """``per_vendor`` live campaigns at each vendor (Cellcast: 10 recipients a campaign, one message id each).

    The conf is the example DAG's documented format; ``conn_ids`` names other connections per vendor.
    """
    bsg = [sim.add("bsg", status="sending") for _ in range(per_vendor)]
    cellcast: list[str] = []
    while len(cellcast) < per_vendor:
        cellcast += sim.add("cellcast", status="scheduled", recipients=min(10, per_vendor - len(cellcast)))
    comm = [sim.add("comm", status="in_progress") for _ in range(per_vendor)]
    kore = [sim.add("kore", status="Active") for _ in range(per_vendor)]
    conf: dict[str, Any] = {
        "bsg": {"campaign_ids": bsg},
        "cellcast": {"message_ids": cellcast},
        "comm": {"campaign_sends": [f"{c}/{s}" for c, s in comm]},
        "kore": {"campaign_ids": kore},
    }
    for vendor, conn_id in (conn_ids or {}).items():
        conf[vendor]["conn_id"] = conn_id
    keys = [("bsg", str(c)) for c in bsg] + [("cellcast", m.lower()) for m in cellcast]
    keys += [("comm", s.lower()) for _, s in comm] + [("kore", k) for k in kore]
    return Seeded(conf, keys)


def entry_key(item: dict[str, Any]) -> tuple[str, str]:
    """(vendor, simulator key) of a result entry (comm.com: ``<campaign>/<send>`` → the send)."""
    return str(item["vendor"]), campaign_key(item["campaign_id"])


@dataclass
class KillSwitchRun:
    """What one kill-switch run did, as Airflow and the vendors saw it."""

    run_id: str
    state: str
    started: float
    #: REST call → last stop request the vendor acknowledged (2xx)
    time_to_silence: float
    #: REST call → the last stop that changed a campaign (its first acknowledged stop)
    last_real_stop: float
    run_seconds: float
    stops: int
    problems: list[str]
    report_totals: dict[str, Any]
    #: campaigns the kill switch named that the vendor still shows running at the end
    left_running: int = 0
    #: result entries whose outcome contradicts the simulator's truth (all were live when seeded)
    report_mistakes: list[str] = field(default_factory=list)
    tries: int = 1
    breakdown: dict[str, float] = field(default_factory=dict)


def _epoch(value: str | None) -> float | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def task_log_lines(deployment: Any, dag_id: str, run_id: str, task_id: str, try_number: int = 1) -> list[dict[str, Any]]:
    """The structured lines of a task try's log file (JSON lines under ``$AIRFLOW_HOME/logs``)."""
    found = sorted((deployment.home / "logs").glob(f"dag_id={dag_id}/run_id={run_id}/task_id={task_id}/attempt={try_number}.log"))
    lines: list[dict[str, Any]] = []
    for path in found:
        for raw in Path(path).read_text(errors="replace").splitlines():
            try:
                item = json.loads(raw)
            except ValueError:
                continue
            if isinstance(item, dict):
                lines.append(item)
    return lines


def breakdown(deployment: Any, dag_id: str, task_id: str, run_id: str, started: float, stops: list[StopRequest]) -> dict[str, float]:
    """Where the time to silence went: seconds from the REST call to each step (cumulative)."""
    run = deployment.rest("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}").json()
    tis = [ti for ti in deployment.task_instances(dag_id, run_id) if ti["task_id"] == task_id]
    marks: dict[str, float | None] = {"dag run created (queued_at)": _epoch(run.get("queued_at"))}
    marks["dag run running (start_date)"] = _epoch(run.get("start_date"))
    if tis:
        ti = tis[0]
        marks["task scheduled"] = _epoch(ti.get("scheduled_when"))
        marks["task queued"] = _epoch(ti.get("queued_when"))
        lines = task_log_lines(deployment, dag_id, run_id, task_id, 1)
        stamps = [(_epoch(line.get("timestamp")), str(line.get("event", ""))) for line in lines if line.get("timestamp")]
        stamps = [(t, event) for t, event in stamps if t is not None]
        if stamps:
            marks["task process forked (first log line)"] = stamps[0][0]
        # the supervisor told the execution API the task runs (PATCH .../run answered): the try's start_date
        history = [ti, *deployment.task_instance_tries(dag_id, run_id, task_id)]
        first_try = min((h for h in history if h.get("try_number") == 1), key=lambda h: h.get("start_date") or "", default=ti)
        marks["task running (execution API)"] = _epoch(first_try.get("start_date"))
        parsed = [t for t, event in stamps if event.startswith("Worker startup parse complete")]
        marks["DAG file parsed in the task"] = parsed[0] if parsed else None
        executing = [t for t, event in stamps if event == "::endgroup::"]
        marks["operator execute() starts"] = executing[0] if executing else None
    ok = sorted(s.time for s in stops if s.status is not None and 200 <= s.status < 300)
    marks["first stop acknowledged"] = ok[0] if ok else None
    marks["last stop acknowledged"] = ok[-1] if ok else None
    return {name: round(t - started, 3) for name, t in marks.items() if t is not None}


def first_acknowledged(stops: list[StopRequest]) -> dict[tuple[str, str], float]:
    """(vendor, key) → time of the first acknowledged (2xx) stop: the one that changed the campaign."""
    first: dict[tuple[str, str], float] = {}
    for s in sorted(stops, key=lambda s: s.time):
        if s.status is not None and 200 <= s.status < 300:
            first.setdefault((s.vendor, s.key), s.time)
    return first


def result_of(deployment: Any, dag_id: str, task_id: str, run_id: str) -> dict[str, Any]:
    """The task's result: its return value, or what a failed try pushed under ``campaigns_result``."""
    for key in ("return_value", RESULT_KEY):
        try:
            value = deployment.xcom(dag_id, run_id, task_id, key=key)
        except RuntimeError:
            continue
        if isinstance(value, str):
            value = json.loads(value)
        if isinstance(value, dict) and value.get("campaigns") is not None:
            return value
    return {}


def judge(
    sim: SimClient, seeded: Seeded, stops: list[StopRequest], result: dict[str, Any], exactly_once: bool = True
) -> tuple[list[str], int, list[str]]:
    """(problems, campaigns left running, report mistakes) of a run over ``seeded`` campaigns that were all live."""
    counts = stop_counts(stops)
    acknowledged = first_acknowledged(stops)
    wanted = set(seeded.keys)
    problems: list[str] = []
    left_running = 0
    stopped_in_truth: set[tuple[str, str]] = set()
    for vendor, key in seeded.keys:
        seen = sim.state(vendor, key)
        status = seen["state"].get("status")
        if status != STOPPED[vendor]:
            left_running += 1
            problems.append(f"{vendor} {key}: vendor status {status!r}, expected {STOPPED[vendor]!r}")
        else:
            stopped_in_truth.add((vendor, key))
        if seen["stop_count"] != 1:
            problems.append(f"{vendor} {key}: simulator stop count {seen['stop_count']}")
        if exactly_once and counts.get((vendor, key), 0) != 1:
            problems.append(f"{vendor} {key}: {counts.get((vendor, key), 0)} stop requests in the request log")
        if (vendor, key) not in acknowledged and (vendor, key) in stopped_in_truth:
            problems.append(f"{vendor} {key}: stopped, but no acknowledged stop request in the log")
    strays = [f"{v} {k}" for (v, k) in counts if (v, k) not in wanted]
    problems += [f"stop request for a campaign nobody named: {s}" for s in strays]
    if exactly_once:
        failed = [s for s in stops if s.status is None or not 200 <= s.status < 300]
        problems += [f"unsuccessful stop request: {s}" for s in failed]
    mistakes: list[str] = []
    entries = {entry_key(item): item for item in result.get("campaigns") or []}
    for key in seeded.keys:
        item = entries.get(key)
        truth = "stopped" if key in stopped_in_truth else "failed"
        if item is None:
            mistakes.append(f"{key[0]} {key[1]}: missing from the report (truth: {truth})")
        elif item["outcome"] != truth:
            mistakes.append(f"{key[0]} {key[1]}: reported {item['outcome']!r}, the vendor shows it {truth} by this run")
    return problems, left_running, mistakes


def trigger_and_wait(deployment: Any, seeded: Seeded, timeout: float = 420, dag_id: str = KILL_SWITCH) -> tuple[str, float, str, float]:
    """Trigger over REST (token + POST, no unpausing) and wait; (run id, REST call time, final state, run seconds)."""
    run_id, started = deployment.trigger(dag_id, seeded.conf)
    state = deployment.wait_run(dag_id, run_id, timeout)
    return run_id, started, state, time.time() - started


def measure(
    deployment: Any,
    sim: SimClient,
    seeded: Seeded,
    run_id: str,
    started: float,
    state: str,
    run_seconds: float,
    dag_id: str = KILL_SWITCH,
    exactly_once: bool = True,
) -> KillSwitchRun:
    """Everything a scenario prints about one finished run."""
    stops = sim.stops(since=started)
    result = result_of(deployment, dag_id, STOP_TASK, run_id)
    problems, left_running, mistakes = judge(sim, seeded, stops, result, exactly_once)
    ok_times = [s.time for s in stops if s.status is not None and 200 <= s.status < 300]
    silence = (max(ok_times) - started) if ok_times else float("nan")
    firsts = first_acknowledged(stops)
    last_real = (max(firsts.values()) - started) if firsts else float("nan")
    totals = {k: v for k, v in (result.get("totals") or {}).items() if v}
    tis = [ti for ti in deployment.task_instances(dag_id, run_id) if ti["task_id"] == STOP_TASK]
    tries = int(tis[0]["try_number"]) if tis else 0
    marks = breakdown(deployment, dag_id, STOP_TASK, run_id, started, stops)
    return KillSwitchRun(
        run_id, state, started, silence, last_real, run_seconds, len(stops), problems, totals, left_running, mistakes, tries, marks
    )


def run_kill_switch(deployment: Any, sim: SimClient, per_vendor: int, timeout: float = 420, dag_id: str = KILL_SWITCH) -> KillSwitchRun:
    """Seed, trigger over REST (token + POST, no unpausing), wait, and check every campaign exactly once."""
    seeded = seed_kill_switch(sim, per_vendor)
    run_id, started, state, run_seconds = trigger_and_wait(deployment, seeded, timeout, dag_id)
    return measure(deployment, sim, seeded, run_id, started, state, run_seconds, dag_id)


def clean_round(deployment: Any, sim: SimClient, per_vendor: int, label: str) -> KillSwitchRun:
    """One kill-switch round that must stop every campaign exactly once and report each one ``stopped``; printed."""
    run = run_kill_switch(deployment, sim, per_vendor)
    print(
        f"{label}: run {run.run_id} {run.state}, {run.stops} stop requests, time to silence {run.time_to_silence:.2f} s, "
        f"run {run.run_seconds:.1f} s, report totals {run.report_totals}"
    )
    print(f"{label} breakdown: {show_breakdown(run.breakdown)}")
    assert run.state == "success", deployment.task_states(KILL_SWITCH, run.run_id)
    assert run.problems == [], run.problems[:20]
    assert run.stops == 4 * per_vendor
    assert run.report_totals == {"stopped": 4 * per_vendor}
    assert run.report_mistakes == [], run.report_mistakes[:20]
    return run


def show_breakdown(marks: dict[str, float]) -> str:
    """The breakdown as one line: each step's time from the REST call (in time order), and the step from the one before."""
    parts, before = [], 0.0
    for name, t in sorted(marks.items(), key=lambda item: item[1]):
        parts.append(f"{name} +{t:.2f} s (step {t - before:+.2f})")
        before = t
    return "; ".join(parts)


def median(values: list[float]) -> float:
    """The median (NaN-free input expected)."""
    return float(statistics.median(values))
