"""Benchmark 7: 10,000 campaigns (2,500 at each vendor, no rate limit) in ONE kill switch task (issue 21 item 7).

One ``CampaignKillSwitchOperator`` names 2,500 running campaigns at each of BSG, Cellcast, comm.com and
Kore.ai (the simulator in a subprocess, no latency, no rate limit; Kore.ai's documented default pace
switched off with ``requests_per_second: 0``), ``wait_for_completion=True, deferrable=True``. Measured:

- time to silence: the start of ``execute`` to the last stop the simulator accepted (its request log); the
  task's time and CPU also hold the one status read of every campaign before it defers;
- the task's peak memory: the benchmark process's peak RSS while the task runs (``ru_maxrss``; the process
  has Airflow and the provider imported before, as a task process has), and the growth over the RSS before;
- the result XCom: the JSON of the result pushed before the deferral (``campaigns_result_before_wait``; the
  ``return_value`` after the wait has the same shape), in bytes;
- the journal: the largest JSON a stop task writes to its Variable (an in-memory store stands in for the
  Variable: the task runs outside a task runner), and how many writes;
- the triggerer while waiting: the deferral's ``CampaignStatusTrigger`` over the 10,000 campaigns
  (the simulator keeps them running for a wind-down of :data:`WIND_DOWN` seconds after their stop),
  re-created with its deadline :data:`TRIGGER_WINDOW` seconds away and run **in this process** (a real
  triggerer process is too heavy for this shared machine): when it ends (goal: within the window plus
  one request timeout), how late a heartbeat coroutine beside it wakes (the longest the trigger kept the
  event loop from every other trigger; goal < 1 s, Airflow warns past 0.2 s), poll rounds done, CPU, the
  RSS growth, plus the size of its serialized kwargs (what the metadata database stores).

``python -m benchmarks.bulk10k`` (about two minutes); ``--per-vendor N`` for another size;
``--trigger-only``: only the deferred wait, over running campaigns no task stopped (about 30 s).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import sys
import time
from typing import Any

from benchmarks.common import SimProcess, env_vars, execute_kwargs, prepare_environment, quiet, reset_masker

VENDORS = ("bsg", "cellcast", "comm", "kore")
PER_VENDOR = 2500
STOPPED_STATUS = {"bsg": "stopped", "cellcast": "canceled", "comm": "stopped", "kore": "Stopped"}
#: seconds an accepted stop takes to show (the trigger waits meanwhile)
WIND_DOWN = 60.0
#: seconds to the deadline of the trigger run in this process (its poll rounds over the 10,000 campaigns meanwhile)
TRIGGER_WINDOW = 20.0
#: seconds the trigger may run past its deadline before the benchmark cancels it
TRIGGER_CAP = 180.0
#: the trigger should end within its deadline plus this (one request timeout of the simulator's connections, 5 + 15 s)
TRIGGER_SLACK = 20.0
#: seconds between the heartbeat's wake-ups (its lateness is the event loop's lag)
HEARTBEAT = 0.05
POLL_INTERVAL = 1.0
TARGET_SILENCE = 10.0
TARGET_XCOM = 2 * 1024 * 1024


class MemoryStore:
    """The journal's store in memory: keeps the last value, counts the writes and the largest."""

    def __init__(self) -> None:
        self.value: dict[str, Any] | None = None
        self.writes = 0
        self.largest = 0

    def load(self, key: str) -> dict[str, Any] | None:
        return self.value

    def save(self, key: str, value: dict[str, Any]) -> None:
        self.writes += 1
        self.largest = max(self.largest, len(json.dumps(value)))
        self.value = value

    def delete(self, key: str) -> None:
        self.value = None


class TI:
    """The task instance stub: keeps what is pushed (no run ids: the journal is patched in below)."""

    def __init__(self) -> None:
        self.xcoms: dict[str, Any] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcoms[key] = value


def _cpu_of(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads)."""
    import psutil

    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def rss_mb() -> float:
    """This process's resident memory now, MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, MB (``ru_maxrss`` is in KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(per_vendor: int) -> dict[str, Any]:
    """One kill switch over ``per_vendor`` campaigns at each vendor; its figures."""
    from airflow.providers.common.compat.sdk import TaskDeferred

    from airflow_provider_campaigns.engine import journal
    from airflow_provider_campaigns.operators.kill_switch import CampaignKillSwitchOperator

    others = {vendor: per_vendor for vendor in VENDORS if vendor != "bsg"}
    figures: dict[str, Any] = {"per_vendor": per_vendor}
    with SimProcess(campaigns=per_vendor, others=others) as sim:
        sim.control("POST", "/config", {"wind_down": WIND_DOWN})
        env = dict(sim.env)
        kore = json.loads(env["AIRFLOW_CONN_KORE_DEFAULT"])
        kore["extra"] = {**kore.get("extra", {}), "requests_per_second": 0}
        env["AIRFLOW_CONN_KORE_DEFAULT"] = json.dumps(kore)
        targets = {
            "bsg": {"campaign_ids": sim.bsg_ids},
            "cellcast": {"message_ids": sim.ids["cellcast"]},
            "comm": {"campaign_sends": sim.ids["comm"]},
            "kore": {"campaign_ids": sim.ids["kore"]},
        }
        store = MemoryStore()
        original = journal.journal_for
        journal.journal_for = lambda context, clock=None: journal.Journal("bench-10k", store)  # type: ignore[assignment,misc]
        try:
            with env_vars(env):
                operator = CampaignKillSwitchOperator(
                    task_id="kill_switch", targets=targets, wait_for_completion=True, deferrable=True, poll_interval=POLL_INTERVAL
                )
                ti = TI()
                reset_masker()
                gc.collect()
                figures["rss_before_mb"] = rss_mb()
                started_wall = time.time()
                started = time.perf_counter()
                cpu, sim_cpu = time.process_time(), _cpu_of(sim.pid)
                trigger = None
                try:
                    operator.execute({"ti": ti}, **execute_kwargs(operator))
                except TaskDeferred as deferred:
                    trigger = deferred.trigger
                figures["task_s"] = time.perf_counter() - started
                figures["task_cpu_s"] = time.process_time() - cpu
                figures["simulator_cpu_s"] = _cpu_of(sim.pid) - sim_cpu
                figures["peak_rss_mb"] = peak_rss_mb()
                figures["rss_after_mb"] = rss_mb()
        finally:
            journal.journal_for = original  # type: ignore[assignment]
        last_stop = 0.0
        wrong = []
        for vendor in VENDORS:
            log = [e for e in sim.requests_log(vendor) if e["status"] == 200]
            # Kore.ai's status reads (the check before deferring) are POSTs too: only its triggers are stops
            accepted = [e for e in log if ("trigger" in e["path"] if vendor == "kore" else e["method"] != "GET")]
            last_stop = max([last_stop, *(e["time"] for e in accepted)])
            if len(accepted) < per_vendor:
                wrong.append(f"{vendor}: {len(accepted)} stops accepted of {per_vendor}")
        figures["silence_s"] = last_stop - started_wall
        value = ti.xcoms.get("campaigns_result_before_wait") or {}
        figures["stopped"] = sum(1 for item in value.get("campaigns", []) if item["outcome"] == "stopped")
        if figures["stopped"] != per_vendor * len(VENDORS):
            wrong.append(f"reported stopped {figures['stopped']}")
        figures["xcom_bytes"] = len(json.dumps(value))
        figures["xcom_bytes_by_key"] = _bytes_by_key(value.get("campaigns", []))
        figures["journal_bytes"] = store.largest
        figures["journal_writes"] = store.writes
        figures["why"] = "; ".join(wrong) or "ok"
        if trigger is None:
            figures["trigger"] = "the task did not defer"
            return figures
        figures["trigger_kwargs_bytes"] = len(json.dumps(trigger.serialize()[1]))
        with env_vars(env):
            figures.update(_trigger_run(trigger, sim))
    return figures


def _bytes_by_key(entries: list[dict[str, Any]]) -> dict[str, int]:
    """How much of the result's JSON each entry key takes (the key's name and its value), largest first."""
    sizes: dict[str, int] = {}
    for item in entries:
        for key, val in item.items():
            sizes[key] = sizes.get(key, 0) + len(json.dumps({key: val})) - 2
    return dict(sorted(sizes.items(), key=lambda kv: -kv[1]))


def _trigger_run(trigger: Any, sim: SimProcess) -> dict[str, Any]:
    """Run the deferral's trigger in this process with a deadline :data:`TRIGGER_WINDOW` seconds away; its figures.

    A heartbeat coroutine beside it sleeps :data:`HEARTBEAT` seconds at a time and records how late each
    wake-up comes: the longest the trigger kept the event loop from anything else (a real triggerer runs
    every other deferred task's trigger in the same loop; Airflow warns past 0.2 s).
    """
    from airflow_provider_campaigns.engine.wait_payload import unpack_refs
    from airflow_provider_campaigns.triggers.status import CampaignStatusTrigger

    kwargs = dict(trigger.serialize()[1])
    gc.collect()
    before = rss_mb()
    peak_rss = before
    lags: list[float] = []
    reads_before = _status_reads(sim)
    cpu, sim_cpu = time.process_time(), _cpu_of(sim.pid)
    started = time.perf_counter()
    kwargs["deadline"] = time.time() + TRIGGER_WINDOW
    windowed = CampaignStatusTrigger(**kwargs)

    worst, worst_at = 0.0, float("nan")

    async def heartbeat() -> None:
        nonlocal peak_rss, worst, worst_at
        while True:
            due = time.perf_counter() + HEARTBEAT
            await asyncio.sleep(HEARTBEAT)
            lags.append(max(0.0, time.perf_counter() - due))
            if lags[-1] >= worst:
                worst, worst_at = lags[-1], due - started
            peak_rss = max(peak_rss, rss_mb())

    async def wait() -> tuple[str, float]:
        beat = asyncio.ensure_future(heartbeat())
        task = asyncio.ensure_future(windowed.run().__aiter__().__anext__())
        await asyncio.wait([task], timeout=TRIGGER_WINDOW + TRIGGER_CAP)
        if task.done():
            outcome = f"ended: {task.result().payload.get('status')}"
        else:
            task.cancel()
            await asyncio.wait([task])
            outcome = f"still running {TRIGGER_CAP:g} s past its deadline: cancelled"
        ended = time.perf_counter() - started
        beat.cancel()
        return outcome, ended

    outcome, ended = asyncio.run(wait())
    cpu, sim_cpu = time.process_time() - cpu, _cpu_of(sim.pid) - sim_cpu
    reads = _status_reads(sim) - reads_before
    lags.sort()
    return {
        "trigger_outcome": outcome,
        "trigger_s": ended,
        "trigger_rounds": reads / max(1, sum(len(unpack_refs(g["refs"])) for g in kwargs["groups"])),
        "trigger_rss_growth_mb": peak_rss - before,
        "trigger_cpu_s": cpu,
        "trigger_simulator_cpu_s": sim_cpu,
        "loop_lag_max_s": lags[-1] if lags else float("nan"),
        "loop_lag_max_at_s": worst_at,
        "loop_lag_p99_s": lags[min(len(lags) - 1, int(0.99 * len(lags)))] if lags else float("nan"),
        "loop_blocks_over_0_2_s": sum(1 for lag in lags if lag > 0.2),
        "heartbeats": len(lags),
    }


def _status_reads(sim: SimProcess) -> int:
    """Status reads the simulator answered so far, every vendor (Kore.ai's are POSTs to ``.../status``)."""
    total = 0
    for vendor in VENDORS:
        log = sim.requests_log(vendor)
        total += sum(1 for e in log if (e["path"].endswith("/status") if vendor == "kore" else e["method"] == "GET"))
    return total


def _trigger_only(per_vendor: int) -> dict[str, Any]:
    """The trigger alone over ``per_vendor`` running campaigns at each vendor (no stop first: they keep running)."""
    from airflow_provider_campaigns.engine.wait_payload import group
    from airflow_provider_campaigns.triggers.status import CampaignStatusTrigger
    from airflow_provider_campaigns.vendors import bsg, cellcast, comm, kore

    others = {vendor: per_vendor for vendor in VENDORS if vendor != "bsg"}
    with SimProcess(campaigns=per_vendor, others=others) as sim:
        stream = json.loads(sim.env["AIRFLOW_CONN_KORE_DEFAULT"])["extra"]["stream_id"]
        groups = [
            group("bsg", "bsg_default", [bsg.campaign(i) for i in sim.bsg_ids]),
            group("cellcast", "cellcast_default", [cellcast.message(i) for i in sim.ids["cellcast"]]),
            group("comm", "comm_default", [comm.send_from(label, "campaign_sends") for label in sim.ids["comm"]]),
            group("kore", "kore_default", [kore.KoreCampaign.validated(i, stream) for i in sim.ids["kore"]]),
        ]
        trigger = CampaignStatusTrigger(groups, ["stopped", "completed"], POLL_INTERVAL, time.time() + TRIGGER_WINDOW)
        figures: dict[str, Any] = {"per_vendor": per_vendor, "trigger_kwargs_bytes": len(json.dumps(trigger.serialize()[1]))}
        with env_vars(sim.env):
            figures.update(_trigger_run(trigger, sim))
    return figures


def _print_trigger(figures: dict[str, Any]) -> None:
    """One line: the trigger's figures."""
    nan = float("nan")
    f = figures
    print(
        f"trigger: kwargs {figures.get('trigger_kwargs_bytes', 0) / 2**10:.0f} KB; a {TRIGGER_WINDOW:g} s deadline "
        f"{figures.get('trigger_outcome', '?')} after {f.get('trigger_s', nan):.1f} s, {f.get('trigger_rounds', nan):.2f} poll rounds "
        f"(CPU: this process {f.get('trigger_cpu_s', nan):.1f} s, the simulator {f.get('trigger_simulator_cpu_s', nan):.1f} s); "
        f"event loop blocked at most {f.get('loop_lag_max_s', nan):.3f} s ({f.get('loop_lag_max_at_s', nan):.1f} s after the start; "
        f"p99 {f.get('loop_lag_p99_s', nan):.3f} s, {figures.get('loop_blocks_over_0_2_s', 0)} blocks over 0.2 s in "
        f"{figures.get('heartbeats', 0)} heartbeats); RSS growth {f.get('trigger_rss_growth_mb', nan):.1f} MB"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the figures and whether the goals are met."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bulk10k")
    parser.add_argument("--per-vendor", type=int, default=PER_VENDOR)
    parser.add_argument("--trigger-only", action="store_true", help="only the deferred wait (no stop first; about 40 s)")
    args = parser.parse_args(argv)
    prepare_environment()
    print(f"10,000 campaigns: {args.per_vendor} per vendor; load {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    with quiet("bulk10k"):
        import airflow_provider_campaigns.operators.kill_switch  # noqa: F401 - imported before the baseline, as in a task

        figures = _trigger_only(args.per_vendor) if args.trigger_only else run(args.per_vendor)
    print(json.dumps(figures, indent=1))
    trigger_ok = figures.get("trigger_s", float("inf")) <= TRIGGER_WINDOW + TRIGGER_SLACK and figures.get("loop_lag_max_s", 1.0) < 1.0
    if args.trigger_only:
        _print_trigger(figures)
        print(f"load after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return 0 if trigger_ok else 1
    silence_ok = figures["silence_s"] <= TARGET_SILENCE
    xcom_ok = figures["xcom_bytes"] <= TARGET_XCOM
    print(
        f"time to silence {figures['silence_s']:.2f} s (goal <= {TARGET_SILENCE:g} s: {'met' if silence_ok else 'NOT met'}); "
        f"task {figures['task_s']:.2f} s (client CPU {figures['task_cpu_s']:.1f} s, simulator CPU {figures['simulator_cpu_s']:.1f} s); "
        f"peak RSS {figures['peak_rss_mb']:.0f} MB (before the task {figures['rss_before_mb']:.0f} MB); "
        f"result XCom {figures['xcom_bytes'] / 2**20:.2f} MB (goal <= 2 MB: {'met' if xcom_ok else 'NOT met'}); "
        f"journal {figures['journal_bytes'] / 2**20:.2f} MB at most, {figures['journal_writes']} writes; "
        f"report exact: {figures['why']}"
    )
    _print_trigger(figures)
    print(f"load after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if silence_ok and xcom_ok and trigger_ok and figures["why"] == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
