"""Benchmark 6: the kill switch at the vendors' ceilings (rate limits in front of the simulator).

Scenario "vendor ceilings" (issue 21): BSG 400 campaigns at 50 requests/s, Cellcast 300 at 15/s,
comm.com 200 at 20/s, Kore.ai 100 at 1/s (token buckets with one second of burst, each vendor's own
429; Kore.ai without ``Retry-After``), every campaign sending, stopped by one
``CampaignKillSwitchOperator`` task. Run twice in one go: with every connection's
``requests_per_second`` set to the vendor's limit ("configured"), and with none ("learned" from the
429s; Kore.ai's documented default switched off with ``0``). Measured: time to silence (the start of
the task to the last stop the simulator accepted) against the ideal (the slowest vendor: campaigns /
rate), requests refused with 429 (all, and per stop), campaigns given up, and whether the report
matches the simulator's truth (every campaign stopped once, reported ``stopped``).

``python -m benchmarks.ceilings`` (~4 min: two runs of ~100 s); ``--quick`` scales the campaigns by 1/5.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

from benchmarks.common import SimProcess, env_vars, execute_kwargs, quiet, reset_masker, task_context

#: vendor: (campaigns, requests a second)
SCENARIO = {"bsg": (400, 50.0), "cellcast": (300, 15.0), "comm": (200, 20.0), "kore": (100, 1.0)}
STOPPED_STATUS = {"bsg": "stopped", "cellcast": "canceled", "comm": "stopped", "kore": "Stopped"}
TARGET_TIME = 1.05
TARGET_REFUSED_CONFIGURED = 0.05
TARGET_REFUSED_LEARNED = 1.0


def _connections(sim: SimProcess, configured: bool, scale: dict[str, tuple[int, float]]) -> dict[str, str]:
    env = dict(sim.env)
    for vendor, (_, rate) in scale.items():
        name = f"AIRFLOW_CONN_{vendor.upper()}_DEFAULT"
        connection = json.loads(env[name])
        connection["extra"] = {**connection.get("extra", {}), "requests_per_second": rate if configured else 0}
        env[name] = json.dumps(connection)
    return env


def run(configured: bool, scale: dict[str, tuple[int, float]]) -> dict[str, Any]:
    """One kill switch over the scenario; its figures."""
    from airflow_provider_campaigns.operators.kill_switch import CampaignKillSwitchOperator

    counts = {vendor: count for vendor, (count, _) in scale.items()}
    others = {vendor: count for vendor, count in counts.items() if vendor != "bsg"}
    with SimProcess(campaigns=counts["bsg"], others=others) as sim:
        for vendor, (_, rate) in scale.items():
            sim.control("POST", "/rate_limits", {"vendor": vendor, "rate": rate})
        targets = {
            "bsg": {"campaign_ids": sim.bsg_ids},
            "cellcast": {"message_ids": sim.ids["cellcast"]},
            "comm": {"campaign_sends": sim.ids["comm"]},
            "kore": {"campaign_ids": sim.ids["kore"]},
        }
        with env_vars(_connections(sim, configured, scale)):
            operator = CampaignKillSwitchOperator(task_id="kill_switch", targets=targets)
            context, kwargs = task_context(), execute_kwargs(operator)
            reset_masker()
            with quiet(f"ceilings-{'configured' if configured else 'learned'}"):
                started_wall = time.time()
                started = time.perf_counter()
                outcome = operator.execute(context, **kwargs)
                task_seconds = time.perf_counter() - started
        limits = sim.control("GET", "/rate_limits")
        last_stop = 0.0
        wrong: list[str] = []
        for vendor in scale:
            log = [entry for entry in sim.requests_log(vendor) if entry["status"] == 200 and entry["method"] != "GET"]
            last_stop = max([last_stop, *(entry["time"] for entry in log)])
            statuses = [str(item.get("status")) for item in sim.resources(vendor)]
            if statuses.count(STOPPED_STATUS[vendor]) != counts[vendor]:
                wrong.append(f"{vendor}: {len(statuses) - statuses.count(STOPPED_STATUS[vendor])} not stopped")
    entries = outcome["campaigns"]
    reported = sum(1 for entry in entries if entry["outcome"] == "stopped")
    if reported != sum(counts.values()):
        wrong.append(f"reported stopped {reported} of {sum(counts.values())}")
    refused = {vendor: int(limits[vendor]["refused"]) for vendor in scale}
    accepted = {vendor: int(limits[vendor]["accepted"]) for vendor in scale}
    ideal = max(count / rate for count, rate in scale.values())
    return {
        "mode": "configured" if configured else "learned",
        "silence": last_stop - started_wall,
        "task": task_seconds,
        "ideal": ideal,
        "refused": refused,
        "accepted": accepted,
        "given_up": sum(1 for entry in entries if entry["outcome"] == "failed"),
        "exact": not wrong,
        "why": "; ".join(wrong) or "ok",
    }


def describe(result: dict[str, Any]) -> str:
    """One result as text lines."""
    refused, accepted = result["refused"], result["accepted"]
    total_refused, total = sum(refused.values()), sum(refused.values()) + sum(accepted.values())
    per_vendor = ", ".join(f"{vendor} {refused[vendor]} ({refused[vendor] / max(1, accepted[vendor]):.2f}/stop)" for vendor in refused)
    return (
        f"{result['mode']}: time to silence {result['silence']:.1f} s (task {result['task']:.1f} s), ideal {result['ideal']:.0f} s "
        f"-> {result['silence'] / result['ideal']:.3f} x ideal; refused {total_refused} of {total} requests "
        f"({total_refused / max(1, total):.1%}; {per_vendor}); given up {result['given_up']}; report exact: {result['why']}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the scenario configured and learned; print the figures."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ceilings")
    parser.add_argument("--quick", action="store_true", help="a fifth of the campaigns (~1 min)")
    parser.add_argument("--only", choices=("configured", "learned"), help="one of the two runs")
    args = parser.parse_args(argv)
    scale = {vendor: (max(1, count // 5) if args.quick else count, rate) for vendor, (count, rate) in SCENARIO.items()}
    print(f"vendor ceilings: {scale}; load {os.getloadavg()[0]:.1f}", flush=True)
    ok = True
    for configured in (True, False):
        if args.only and args.only != ("configured" if configured else "learned"):
            continue
        result = run(configured, scale)
        print(describe(result), flush=True)
        limit = TARGET_REFUSED_CONFIGURED if configured else None
        total_refused = sum(result["refused"].values())
        total = total_refused + sum(result["accepted"].values())
        stops = sum(result["accepted"].values())
        refused_ok = total_refused <= (limit * total if limit is not None else TARGET_REFUSED_LEARNED * stops)
        ok = ok and result["exact"] and result["given_up"] == 0 and refused_ok
    print(f"load after: {os.getloadavg()[0]:.1f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
