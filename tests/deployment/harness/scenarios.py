"""Shared scenario steps: seed campaigns, run the kill switch over REST, check every stop in the simulator."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any

from .simclient import SimClient, stop_counts

#: each vendor's status for a campaign stopped by the provider
STOPPED = {"bsg": "stopped", "cellcast": "canceled", "comm": "stopped", "kore": "Stopped"}
KILL_SWITCH = "campaigns_kill_switch"


@dataclass
class Seeded:
    """Campaigns created for one kill-switch run: the conf and every (vendor, key) it names."""

    conf: dict[str, Any]
    keys: list[tuple[str, str]]


def seed_kill_switch(sim: SimClient, per_vendor: int) -> Seeded:
    """``per_vendor`` live campaigns at each vendor (Cellcast: 10 recipients a campaign, one message id each)."""
    bsg = [sim.add("bsg", status="sending") for _ in range(per_vendor)]
    cellcast: list[str] = []
    while len(cellcast) < per_vendor:
        cellcast += sim.add("cellcast", status="scheduled", recipients=min(10, per_vendor - len(cellcast)))
    comm = [sim.add("comm", status="in_progress") for _ in range(per_vendor)]
    kore = [sim.add("kore", status="Active") for _ in range(per_vendor)]
    conf = {
        "bsg": {"campaign_ids": bsg},
        "cellcast": {"message_ids": cellcast},
        "comm": {"campaign_sends": comm},
        "kore": {"campaign_ids": kore},
    }
    keys = [("bsg", str(c)) for c in bsg] + [("cellcast", m.lower()) for m in cellcast]
    keys += [("comm", s.lower()) for _, s in comm] + [("kore", k) for k in kore]
    return Seeded(conf, keys)


@dataclass
class KillSwitchRun:
    """What one kill-switch run did, as Airflow and the vendors saw it."""

    run_id: str
    state: str
    time_to_silence: float
    run_seconds: float
    stops: int
    problems: list[str]
    report_totals: dict[str, Any]


def run_kill_switch(deployment: Any, sim: SimClient, per_vendor: int, timeout: float = 420) -> KillSwitchRun:
    """Seed, trigger over REST (token + POST, no unpausing), wait, and check every campaign exactly once."""
    seeded = seed_kill_switch(sim, per_vendor)
    run_id, started = deployment.trigger(KILL_SWITCH, seeded.conf)
    state = deployment.wait_run(KILL_SWITCH, run_id, timeout)
    run_seconds = time.time() - started
    stops = sim.stops(since=started)
    counts = stop_counts(stops)
    wanted = set(seeded.keys)
    problems: list[str] = []
    for vendor, key in seeded.keys:
        seen = sim.state(vendor, key)
        status = seen["state"].get("status")
        if status != STOPPED[vendor]:
            problems.append(f"{vendor} {key}: vendor status {status!r}, expected {STOPPED[vendor]!r}")
        if seen["stop_count"] != 1:
            problems.append(f"{vendor} {key}: simulator stop count {seen['stop_count']}")
        if counts.get((vendor, key), 0) != 1:
            problems.append(f"{vendor} {key}: {counts.get((vendor, key), 0)} stop requests in the request log")
    strays = [f"{v} {k}" for (v, k) in counts if (v, k) not in wanted]
    problems += [f"stop request for a campaign nobody named: {s}" for s in strays]
    failed = [s for s in stops if s.status is None or not 200 <= s.status < 300]
    problems += [f"unsuccessful stop request: {s}" for s in failed]
    ok_times = [s.time for s in stops if s.status is not None and 200 <= s.status < 300]
    silence = (max(ok_times) - started) if ok_times else float("nan")
    totals: dict[str, Any] = {}
    if state == "success":
        report = deployment.xcom(KILL_SWITCH, run_id, "report") or {}
        totals = dict(report.get("totals") or {})
    return KillSwitchRun(run_id, state, silence, run_seconds, len(stops), problems, totals)


def median(values: list[float]) -> float:
    """The median (NaN-free input expected)."""
    return float(statistics.median(values))
