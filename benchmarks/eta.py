"""The dry run's ETA against the measured stop (issue 21 item 6: within 15 %), at the vendors' rate limits.

Token buckets in front of the simulator (as in :mod:`benchmarks.ceilings`, which helper A owns; this is a
separate script): BSG 100 campaigns at 50 requests/s, Cellcast 75 at 15/s, comm.com 50 at 20/s,
Kore.ai 30 at 1/s, every connection's ``requests_per_second`` at the vendor's limit. Two ways a kill
switch is used, each on fresh campaigns:

- ``plan``: ``dry_run=True`` naming every campaign, then ``plan=`` that result (the approved flow);
- ``targets``: ``dry_run=True`` with BSG and Kore.ai ``all_active`` (the others named), then the same targets.

Measured per vendor and in all: the ETA's seconds against the time from the start of the stop task to
the last stop the simulator accepted; the error is ``|measured - eta| / measured``.

``python -m benchmarks.eta`` (about two minutes); ``--scale 0.5`` for half the campaigns.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

from benchmarks.common import SimProcess, env_vars, execute_kwargs, prepare_environment, quiet, reset_masker, task_context

#: vendor: (campaigns, requests a second)
SCENARIO = {"bsg": (100, 50.0), "cellcast": (75, 15.0), "comm": (50, 20.0), "kore": (30, 1.0)}
TARGET = 0.15


def _env(sim: SimProcess, scale: dict[str, tuple[int, float]]) -> dict[str, str]:
    env = dict(sim.env)
    for vendor, (_, rate) in scale.items():
        name = f"AIRFLOW_CONN_{vendor.upper()}_DEFAULT"
        connection = json.loads(env[name])
        connection["extra"] = {**connection.get("extra", {}), "requests_per_second": rate}
        env[name] = json.dumps(connection)
    return env


def run(mode: str, scale: dict[str, tuple[int, float]]) -> dict[str, Any]:
    """A dry run, then the stop; the ETA and the measured times per vendor."""
    from airflow_provider_campaigns.core.pace import forget_paces
    from airflow_provider_campaigns.operators.kill_switch import CampaignKillSwitchOperator

    counts = {vendor: count for vendor, (count, _) in scale.items()}
    with SimProcess(campaigns=counts["bsg"], others={v: n for v, n in counts.items() if v != "bsg"}) as sim:
        for vendor, (_, rate) in scale.items():
            sim.control("POST", "/rate_limits", {"vendor": vendor, "rate": rate})
        named = {
            "bsg": {"campaign_ids": sim.bsg_ids},
            "cellcast": {"message_ids": sim.ids["cellcast"]},
            "comm": {"campaign_sends": sim.ids["comm"]},
            "kore": {"campaign_ids": sim.ids["kore"]},
        }
        targets = {**named, "bsg": {"all_active": True}, "kore": {"all_active": True}} if mode == "targets" else named
        with env_vars(_env(sim, scale)), quiet(f"eta-{mode}"):
            forget_paces()  # each task is a fresh process: no pace carried over
            dry = CampaignKillSwitchOperator(task_id="plan", targets=targets, dry_run=True)
            reset_masker()
            plan = dry.execute(task_context(), **execute_kwargs(dry))
            forget_paces()
            stop = (
                CampaignKillSwitchOperator(task_id="stop", plan=plan)
                if mode == "plan"
                else CampaignKillSwitchOperator(task_id="stop", targets=targets)
            )
            reset_masker()
            started_wall = time.time()
            outcome = stop.execute(task_context(), **execute_kwargs(stop))
        measured = {}
        for vendor in scale:
            log = [e for e in sim.requests_log(vendor) if e["status"] == 200 and e["time"] >= started_wall]
            # Kore.ai's list and status reads are POSTs too: only its triggers are stops
            accepted = [e["time"] for e in log if ("trigger" in e["path"] if vendor == "kore" else e["method"] != "GET")]
            measured[vendor] = max(accepted, default=started_wall) - started_wall
    eta = plan["eta"]
    parts = {part["vendor"]: part for part in eta["parts"]}
    rows = {}
    for vendor in scale:
        part = parts[vendor]
        rows[vendor] = {
            "campaigns": part["campaigns"],
            "pace": part["pace"]["requests_per_second"],
            "requests": part["requests"],
            "eta_s": part["seconds"],
            "measured_s": measured[vendor],
            "error": abs(measured[vendor] - part["seconds"]) / max(measured[vendor], 1e-9),
        }
    total = max(measured.values())
    return {
        "mode": mode,
        "eta_s": eta["seconds"],
        "measured_s": total,
        "error": abs(total - eta["seconds"]) / total,
        "stopped": outcome["totals"]["stopped"],
        "vendors": rows,
    }


def main(argv: list[str] | None = None) -> int:
    """Both modes; the figures, and whether the ETA held within 15 %."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.eta")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    prepare_environment()
    scale = {vendor: (max(2, round(count * args.scale)), rate) for vendor, (count, rate) in SCENARIO.items()}
    print(f"dry-run ETA vs the stop: {scale}; load {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    ok = True
    for mode in ("plan", "targets"):
        figures = run(mode, scale)
        per_vendor = "; ".join(
            f"{vendor} {row['campaigns']} at {row['pace']}/s: ETA {row['eta_s']:.1f} s, "
            f"measured {row['measured_s']:.1f} s ({row['error']:.0%})"
            for vendor, row in figures["vendors"].items()
        )
        print(
            f"{mode}: ETA {figures['eta_s']:.1f} s, measured {figures['measured_s']:.1f} s -> error {figures['error']:.1%} "
            f"(goal <= {TARGET:.0%}); stopped {figures['stopped']}; {per_vendor}",
            flush=True,
        )
        ok = ok and figures["error"] <= TARGET
    print(f"load after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
