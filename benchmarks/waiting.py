"""Benchmark 4: 1,000 deferred ``CampaignStatusTrigger`` waiting in ONE asyncio event loop.

Each size runs in a fresh child process (``python -m benchmarks.waiting --child ...``) so that its
memory, CPU and Airflow secrets masker start clean; the simulator runs in another process (50 ms latency).
The child measures RSS and CPU while the triggers wait; the parent reads the simulator's request log to
see when each trigger polled.

Each trigger waits for one BSG campaign (one group, one reference), as a one-campaign stop task that
deferred would. The package shares one SSL context per process and one token per credential scope
per event loop; the child reports both (SSL contexts built, logins seen by the simulator).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks.common import BENCH_TMP, REPO, Result, SimProcess, log, login_requests, status_reads

LATENCY = 0.05
POLL_INTERVAL = 5.0
WAIT_FOR = 12.0  # trigger deadline, seconds after start: reads at 0, 5, 10 and 12 s, then the timeout event
TARGET_KB = 100.0
TARGET_ROUND_S = 2.0
WALL_CAP_S = 40.0


# -- child side ------------------------------------------------------------------------------------
def _rss() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)


async def _wait_all(ids: list[int], wall: float, out: Path) -> dict[str, Any]:
    from airflow_provider_campaigns.core import async_transport
    from airflow_provider_campaigns.engine.wait_payload import group
    from airflow_provider_campaigns.triggers.status import CampaignStatusTrigger
    from airflow_provider_campaigns.vendors import bsg

    def trigger(campaign_id: int, interval: float, deadline: float) -> Any:
        refs = [bsg.campaign(campaign_id, "sms")]
        return CampaignStatusTrigger([group("bsg", "bsg_default", refs)], ["stopped", "completed"], interval, deadline)

    async def drive(item: Any) -> str:
        async for event in item.run():
            return str(event.payload.get("status"))
        return "no event"

    # Warm-up on the first campaign: imports, the connection lookup path, the SSL context, one login.
    # The measured triggers share its token (one per credential scope and event loop), as they would in a triggerer.
    await drive(trigger(ids[0], 0.1, time.time() + 0.3))
    gc.collect()
    rss0, cpu0 = _rss(), time.process_time()
    start = time.time()
    tasks = [asyncio.create_task(drive(trigger(i, POLL_INTERVAL, start + WAIT_FOR))) for i in ids[1:]]
    samples: list[tuple[float, int, float]] = []
    stop = threading.Event()
    written = threading.Lock()

    def report(finished: bool) -> dict[str, Any]:
        outcomes: dict[str, int] = defaultdict(int)
        for task in tasks:
            if not task.done() or task.cancelled():
                outcomes["still waiting"] += 1
            else:
                outcomes["error" if task.exception() else str(task.result())] += 1
        ssl_contexts = async_transport._ssl_context.cache_info().misses
        data = {
            "start": start,
            "end": time.time(),
            "cpu": time.process_time() - cpu0,
            "rss0": rss0,
            "samples": list(samples),
            "finished": finished,
            "outcomes": dict(outcomes),
            "triggers": len(tasks),
            "ssl_contexts": ssl_contexts,
        }
        if written.acquire(blocking=False):
            out.write_text(json.dumps(data))
        return data

    def sample() -> None:
        # A thread, not a coroutine: a blocked event loop must not stop the sampling or the cap.
        while not stop.wait(0.2):
            samples.append((time.time(), _rss(), time.process_time() - cpu0))
            if time.time() - start >= wall:
                report(finished=False)
                os._exit(0)  # the event loop may be stuck: end the child here

    threading.Thread(target=sample, name="sampler", daemon=True).start()
    await asyncio.wait(tasks)
    stop.set()
    return report(finished=True)


def child(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ids", type=Path, required=True)
    parser.add_argument("--wall", type=float, default=60.0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    from benchmarks.common import prepare_environment

    prepare_environment()
    ids = json.loads(args.ids.read_text())
    asyncio.run(_wait_all(ids, args.wall, args.out))
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown (thousands of sockets)


# -- parent side -----------------------------------------------------------------------------------
def _cpu_of(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads)."""
    import psutil

    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def _run_child(triggers: int, wall: float) -> dict[str, Any]:
    """Run ``triggers`` triggers against a fresh simulator; returns the child's report plus poll timings from the log."""
    out = BENCH_TMP / f"waiting-{triggers}.json"
    out.unlink(missing_ok=True)
    with SimProcess(campaigns=triggers + 1, latency=LATENCY) as sim:
        ids_file = BENCH_TMP / f"waiting-ids-{os.getpid()}.json"
        ids_file.write_text(json.dumps(sim.bsg_ids))
        env = {**os.environ, **sim.env}
        sim_cpu0 = _cpu_of(sim.pid)
        command = [sys.executable, "-m", "benchmarks.waiting", "--child", "--ids", str(ids_file), "--wall", str(wall), "--out", str(out)]
        child_log = BENCH_TMP / f"waiting-{triggers}.log"
        with child_log.open("wb") as sink:
            try:
                code: int | str = subprocess.run(
                    command, env=env, stdout=sink, stderr=sink, timeout=wall + 45, check=False, cwd=REPO
                ).returncode
            except subprocess.TimeoutExpired:
                code = "killed after the time limit"
        ids_file.unlink(missing_ok=True)
        if not out.exists():
            raise RuntimeError(f"waiting child failed ({code}); see {child_log}")
        report: dict[str, Any] = json.loads(out.read_text())
        report["sim_cpu"] = _cpu_of(sim.pid) - sim_cpu0
        report["client_timeouts"] = child_log.read_text(errors="replace").count("no answer within the timeout")
        entries = [e for e in sim.requests_log() if e["time"] >= report["start"]]
    reads: dict[str, list[float]] = defaultdict(list)
    for entry in status_reads(entries):
        reads[str(entry["path"])].append(float(entry["time"]) - report["start"])
    report["reads"] = sum(len(v) for v in reads.values())
    report["logins"] = len(login_requests(entries))
    report["polled"] = len(reads)
    rounds = []
    for k in range(max((len(v) for v in reads.values()), default=0)):
        times = [sorted(v)[k] for v in reads.values() if len(v) > k]
        rounds.append({"count": len(times), "first": min(times), "last": max(times), "span": max(times) - min(times)})
    report["rounds"] = rounds
    samples = report["samples"]
    report["peak_kb_per_trigger"] = (max((s[1] for s in samples), default=report["rss0"]) - report["rss0"]) / 1024 / triggers
    # Steady state: from the end of the first round to the last sample.
    if rounds and rounds[0]["count"] == triggers:
        t0 = report["start"] + rounds[0]["last"]
        window = [s for s in samples if s[0] >= t0]
        if len(window) >= 2:
            steady_reads = sum(
                1 for v in reads.values() for t in v if report["start"] + t >= window[0][0] and report["start"] + t <= window[-1][0]
            )
            if steady_reads:
                report["steady_cpu_ms_per_read"] = (window[-1][2] - window[0][2]) * 1000 / steady_reads
    return report


def _describe(report: dict[str, Any], triggers: int) -> str:
    rounds = report["rounds"]
    first = f"first round {rounds[0]['count']}/{triggers} polled by {rounds[0]['last']:.1f} s" if rounds else "no status read at all"
    steady = [r for r in rounds[1:] if r["count"] == triggers]
    steady_text = ", later rounds spread over " + "/".join(f"{r['span']:.1f}" for r in steady) + " s" if steady else ""
    timeouts = (
        f"; {report['client_timeouts']} requests timed out in the client (blocked loop) and were retried"
        if report.get("client_timeouts")
        else ""
    )
    outcomes = ", ".join(f"{count} {name}" for name, count in sorted(report["outcomes"].items()))
    return (
        f"{triggers} triggers: {report['peak_kb_per_trigger']:.0f} KB/trigger (peak RSS), {report['cpu']:.1f} s CPU for "
        f"{report['reads']} reads + {report['logins']} logins = {report['cpu'] * 1000 / max(report['reads'], 1):.1f} ms CPU/read "
        f"(simulator: {report.get('sim_cpu', float('nan')):.1f} s CPU); {first}{steady_text}{timeouts}; events: {outcomes}"
    )


def run(quick: bool = False) -> Result:
    result = Result("4 waiting")
    triggers = 300 if quick else 1000
    small = 100
    reports: dict[int, dict[str, Any]] = {}
    for count in (small, triggers):
        log(f"waiting: {count} triggers in one event loop (at most {WALL_CAP_S:.0f} s)")
        try:
            reports[count] = _run_child(count, WALL_CAP_S)
        except Exception as error:  # noqa: BLE001 - report the failure as a row, keep the other size
            result.row(f"{count} triggers failed: {type(error).__name__}: {str(error)[:200]}", "", False)
    result.raw["reports"] = {k: {key: v for key, v in r.items() if key != "samples"} for k, r in reports.items()}

    for count, report in reports.items():
        rounds = report["rounds"]
        all_polled = bool(rounds) and rounds[0]["count"] == count
        steady = [r for r in rounds[1:] if r["count"] == count]
        worst = max((r["span"] for r in steady), default=float("inf"))
        label = f"{count} triggers" + ("" if report["finished"] else f" (stopped at the {report['end'] - report['start']:.0f} s cap)")
        result.row(_describe(report, count), "", None)
        if count != triggers:
            continue
        result.row(
            f"  {label}: memory per waiting trigger {report['peak_kb_per_trigger']:.0f} KB",
            f"< {TARGET_KB:.0f} KB",
            report["peak_kb_per_trigger"] < TARGET_KB and all_polled,
        )
        text = f"worst {worst:.2f} s" if steady else "never completed a poll round"
        result.row(
            f"  {label}: one poll round of all {count} (steady state): {text}",
            f"<= {TARGET_ROUND_S:.0f} s",
            bool(steady) and worst <= TARGET_ROUND_S,
        )
        if "steady_cpu_ms_per_read" in report:
            result.row(f"  {label}: steady-state CPU per status read {report['steady_cpu_ms_per_read']:.2f} ms", "", None)
        shared = report["ssl_contexts"] <= 1 and report["logins"] == 0
        result.row(
            f"  {label}: SSL contexts built in the process {report['ssl_contexts']}; logins during the wait {report['logins']} "
            "(the warm-up trigger's token is shared per credential scope)",
            "1 SSL context, no login per trigger",
            shared,
        )
    result.note(
        f"Waiting: each trigger waits for one BSG campaign that stays `sending` (poll_interval={POLL_INTERVAL:g} s, deadline "
        f"+{WAIT_FOR:g} s: reads at 0, 5, 10 and 12 s, then a timeout event); all start at once after a warm-up trigger. "
        "Memory is peak RSS minus the baseline over the triggers; the round spans come from the simulator's request log "
        "(the k-th read of every trigger); a round after the first is 'steady state'."
    )
    return result


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        sys.exit(child(sys.argv[2:]))
    from benchmarks.run import main

    sys.exit(main(["waiting", *sys.argv[1:]]))
