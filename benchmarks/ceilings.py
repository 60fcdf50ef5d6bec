"""Benchmark 6: the kill switch at the vendors' ceilings (rate limits and messages in flight in the simulator).

Scenario "vendor ceilings" (issue 21): BSG 400 campaigns at 50 requests/s, Cellcast 300 at 15/s,
comm.com 200 at 20/s, Kore.ai 100 at 1/s (token buckets with one second of burst, each vendor's own
429; Kore.ai without ``Retry-After``). Half of each vendor's campaigns are sending 10 messages a
second (audiences of 1 to 10 minutes of sending), the rest are scheduled to start within the next
five minutes (:data:`START_WITHIN`). A Cellcast campaign is its messages, one id each: its sending
half is one campaign whose messages go out 10 a second from now, its other half single messages
scheduled within the same five minutes. Every campaign is created in one shuffled "given order".

Runs, one after the other on fresh campaigns of the same plan, each stopped by one
``CampaignKillSwitchOperator`` task with every connection's ``requests_per_second`` at the vendor's
limit:

- ``loudest``: the kill switch *selects* the campaigns (BSG and Kore.ai ``all_active``, Cellcast
  ``custom_string``; comm.com documents no list of sends, so its sends are named), so that it can
  stop the loudest first (the client's ordering, issue 21 item 5);
- ``given``: the same campaigns named by id, stopped in the order given (the kill switch's
  ``order="as_given"``), which is the kill switch as it was before issue 21 item 5;
- ``learned`` (``--learned``): named by id with no ``requests_per_second`` (learned from the 429s;
  Kore.ai's documented default switched off with ``0``).

Measured per run: time to silence (the start of the task to the last stop the simulator accepted)
against the ideal (the slowest vendor: campaigns / rate), requests refused with 429, campaigns
given up, whether the report matches the simulator's truth, and the messages sent after the start
of the task (``GET /_sim/traffic``) against the optimum at each vendor's pace
(``GET /_sim/traffic/optimum``: the best order, one stop every 1/rate s from that moment).

``python -m benchmarks.ceilings`` (~4 min: two runs of ~100 s); ``--quick`` scales the campaigns by 1/5.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

from airflow_provider_campaigns.simulator.truth import report_mistakes
from benchmarks.common import SimProcess, env_vars, execute_kwargs, log, prepare_environment, quiet, reset_masker, task_context

#: vendor: (campaigns, requests a second)
SCENARIO = {"bsg": (400, 50.0), "cellcast": (300, 15.0), "comm": (200, 20.0), "kore": (100, 1.0)}
STOPPED_STATUS = {"bsg": "stopped", "cellcast": "canceled", "comm": "stopped", "kore": "Stopped"}
FINAL = {
    "bsg": {"stopped", "done", "spam"},
    "cellcast": {"canceled", "sent", "delivered", "failed", "blocked", "rejected", "expired", "received"},
    "comm": {"stopped", "completed", "cancelled", "failed"},
    "kore": {"Stopped", "Completed"},
}
#: messages a second of every sending campaign
SENDING_RATE = 10.0
#: audiences of the sending campaigns (1 to 10 minutes at 10 a second)
AUDIENCES = (600, 1200, 3000, 6000)
#: scheduled campaigns start within this many seconds of their creation
START_WITHIN = 300.0
CELLCAST_CAMPAIGN = "ceilings"
SEED = 21
TARGET_TIME = 1.05
TARGET_REFUSED_CONFIGURED = 0.05
TARGET_REFUSED_LEARNED = 1.0
TARGET_OPTIMUM = 1.10
TARGET_FEWER_THAN_GIVEN = 0.30


@dataclass(frozen=True)
class Spec:
    """One campaign of the plan: sending now (``starts_in`` 0) or scheduled, with its audience."""

    vendor: str
    starts_in: float
    audience: int


def plan(scale: dict[str, tuple[int, float]], seed: int = SEED) -> dict[str, list[Spec]]:
    """Every vendor's campaigns in the given order (a seeded shuffle of sending and scheduled ones)."""
    rng = random.Random(seed)
    campaigns: dict[str, list[Spec]] = {}
    for vendor, (count, _) in scale.items():
        sending = count // 2
        specs = [Spec(vendor, 0.0, rng.choice(AUDIENCES)) for _ in range(sending)]
        specs += [Spec(vendor, round(rng.uniform(1.0, START_WITHIN), 2), rng.choice(AUDIENCES)) for _ in range(count - sending)]
        rng.shuffle(specs)
        campaigns[vendor] = specs
    return campaigns


def seed(sim: SimProcess, campaigns: dict[str, list[Spec]]) -> dict[str, list[str]]:
    """Create the plan's campaigns; each vendor's references in the given order (what the kill switch takes)."""
    ids: dict[str, list[str]] = {}
    for vendor in ("bsg", "comm", "kore"):
        ids[vendor] = []
        for spec in campaigns.get(vendor, []):
            body = {"vendor": vendor, "rate": SENDING_RATE, "audience": spec.audience, "starts_in": spec.starts_in or None}
            made = sim.control("POST", "/campaigns", body)
            ids[vendor].append(f"{made['campaign_id']}/{made['campaign_send_id']}" if vendor == "comm" else str(made["id"]))
    specs = campaigns.get("cellcast", [])
    if specs:  # last, so that its sending messages start when the kill switch does
        later = {index: spec for index, spec in enumerate(specs) if spec.starts_in}
        made_later = {index: sim.control("POST", "/campaigns", _cellcast(1, spec.starts_in))["ids"][0] for index, spec in later.items()}
        sending = iter(sim.control("POST", "/campaigns", _cellcast(len(specs) - len(later), None))["ids"])
        ids["cellcast"] = [made_later[index] if index in later else next(sending) for index in range(len(specs))]
    return ids


def _cellcast(messages: int, starts_in: float | None) -> dict[str, Any]:
    return {"vendor": "cellcast", "recipients": messages, "rate": SENDING_RATE, "starts_in": starts_in, "custom_string": CELLCAST_CAMPAIGN}


def targets_for(mode: str, ids: dict[str, list[str]]) -> dict[str, Any]:
    """The kill switch's targets: selections (``loudest``) or the ids in the given order."""
    if mode == "loudest":
        return {
            "bsg": {"all_active": True},
            "cellcast": {"custom_string": CELLCAST_CAMPAIGN},
            "comm": {"campaign_sends": ids["comm"]},
            "kore": {"all_active": True},
        }
    return {
        "bsg": {"campaign_ids": [int(i) for i in ids["bsg"]]},
        "cellcast": {"message_ids": ids["cellcast"]},
        "comm": {"campaign_sends": ids["comm"]},
        "kore": {"campaign_ids": ids["kore"]},
    }


def _connections(sim: SimProcess, configured: bool, scale: dict[str, tuple[int, float]]) -> dict[str, str]:
    env = dict(sim.env)
    for vendor, (_, rate) in scale.items():
        name = f"AIRFLOW_CONN_{vendor.upper()}_DEFAULT"
        connection = json.loads(env[name])
        connection["extra"] = {**connection.get("extra", {}), "requests_per_second": rate if configured else 0}
        env[name] = json.dumps(connection)
    return env


def run(mode: str, scale: dict[str, tuple[int, float]], campaigns: dict[str, list[Spec]]) -> dict[str, Any]:
    """One kill switch over a fresh copy of the plan; its figures."""
    from airflow_provider_campaigns.operators.kill_switch import CampaignKillSwitchOperator

    configured = mode != "learned"
    with SimProcess() as sim:
        for vendor, (_, rate) in scale.items():
            sim.control("POST", "/rate_limits", {"vendor": vendor, "rate": rate})
        ids = seed(sim, campaigns)
        with env_vars(_connections(sim, configured, scale)):
            order = "as_given" if mode == "given" else "loudest_first"
            operator = CampaignKillSwitchOperator(task_id="kill_switch", targets=targets_for(mode, ids), order=order)
            context, kwargs = task_context(), execute_kwargs(operator)
            reset_masker()
            log(f"ceilings {mode}: kill switch starts")
            with quiet(f"ceilings-{mode}"):
                started_wall = time.time()
                started = time.perf_counter()
                outcome = operator.execute(context, **kwargs)
                task_seconds = time.perf_counter() - started
        limits = sim.control("GET", "/rate_limits")
        last_stop = 0.0
        first_stop: dict[str, float] = {}
        for vendor in scale:
            accepted = [e for e in sim.requests_log(vendor) if e["status"] == 200 and e["method"] != "GET" and e["fault"] is None]
            stops = [e["time"] for e in accepted if _is_stop(vendor, e)]
            last_stop = max([last_stop, *stops])
            first_stop[vendor] = min(stops, default=started_wall)
        entries = list(outcome["campaigns"])
        # a run that lists (loudest: all_active, custom_string) does not select what was final by itself: no entry
        wrong, running = report_mistakes(ids, entries, sim.state, FINAL, unreported_final_ok=True)
        traffic = sim.control("GET", f"/traffic?after={started_wall}")
        optimum, from_first = {}, {}
        for vendor, (_, rate) in scale.items():
            query = f"/traffic/optimum?vendor={vendor}&rate={rate}&after={started_wall}"
            optimum[vendor] = sim.control("GET", query)
            from_first[vendor] = sim.control("GET", f"{query}&start={first_stop[vendor]}")
    ideal = max(count / rate for count, rate in scale.values())
    return {
        "mode": mode,
        "silence": last_stop - started_wall,
        "task": task_seconds,
        "ideal": ideal,
        "refused": {vendor: int(limits[vendor]["refused"]) for vendor in scale},
        "accepted": {vendor: int(limits[vendor]["accepted"]) for vendor in scale},
        "stops": sum(1 for entry in entries if entry["outcome"] == "stopped"),
        "given_up": sum(1 for entry in entries if entry["outcome"] == "failed"),
        "left_running": running,
        "exact": not wrong,
        "why": "; ".join(wrong[:5]) + (f" (+{len(wrong) - 5} more)" if len(wrong) > 5 else "") or "ok",
        "sent_after": {vendor: int(traffic["vendors"].get(vendor, {}).get("sent_after", 0)) for vendor in scale},
        "optimum": {vendor: int(optimum[vendor]["messages"]) for vendor in scale},
        "from_first": {vendor: int(from_first[vendor]["messages"]) for vendor in scale},
        "first_stop": {vendor: round(first_stop[vendor] - started_wall, 2) for vendor in scale},
    }


def _is_stop(vendor: str, entry: dict[str, Any]) -> bool:
    path = str(entry["path"])
    if vendor == "bsg":
        return path.endswith("/stop")
    if vendor == "cellcast":
        return path.endswith("/cancelScheduleQuickMessage")
    if vendor == "comm":
        return "/stop/" in path
    return (entry.get("query") or {}).get("trigger") == "stop"


def describe(result: dict[str, Any]) -> str:
    """One result as text."""
    refused, accepted = result["refused"], result["accepted"]
    total_refused, total = sum(refused.values()), sum(refused.values()) + sum(accepted.values())
    per_vendor = ", ".join(f"{vendor} {refused[vendor]}" for vendor in refused)
    sent, best = result["sent_after"], result["optimum"]
    messages = ", ".join(f"{vendor} {sent[vendor]:,} (optimum {best[vendor]:,})" for vendor in sent)
    ratio = sum(sent.values()) / max(1, sum(best.values()))
    late = result["from_first"]
    firsts = ", ".join(f"{vendor} {result['first_stop'][vendor]:.1f} s" for vendor in sent)
    return (
        f"{result['mode']}: time to silence {result['silence']:.1f} s (task {result['task']:.1f} s), ideal {result['ideal']:.0f} s "
        f"-> {result['silence'] / result['ideal']:.3f} x ideal; refused {total_refused} of {total} requests "
        f"({total_refused / max(1, total):.1%}; {per_vendor}); {result['stops']} stopped, given up {result['given_up']}, "
        f"left running {result['left_running']}; report exact: {result['why']}\n"
        f"  messages sent after the start of the task: {sum(sent.values()):,} = {ratio:.2f} x the optimum at each vendor's pace "
        f"({sum(best.values()):,}); {messages}\n"
        f"  the optimum from each vendor's first accepted stop ({firsts} after the start): {sum(late.values()):,} "
        f"-> {sum(sent.values()) / max(1, sum(late.values())):.2f} x (what the order cost beyond the delay before the first stop)"
    )


def load() -> str:
    """The machine's load as ``uptime`` prints it."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return f"load average {os.getloadavg()[0]:.2f}"


def verdict(results: dict[str, dict[str, Any]]) -> tuple[bool, list[str]]:
    """Whether every goal held, and one line per goal."""
    lines: list[str] = []
    ok = True
    for mode, result in results.items():
        total_refused = sum(result["refused"].values())
        total = total_refused + sum(result["accepted"].values())
        limit = TARGET_REFUSED_CONFIGURED * total if mode != "learned" else TARGET_REFUSED_LEARNED * max(1, result["stops"])
        checks = {
            f"{mode}: time to silence <= {TARGET_TIME} x ideal": result["silence"] <= TARGET_TIME * result["ideal"],
            f"{mode}: refused within the goal": total_refused <= limit,
            f"{mode}: none given up, none left running, report exact": result["exact"] and result["given_up"] == 0,
        }
        if mode == "loudest":
            sent, best = sum(result["sent_after"].values()), sum(result["optimum"].values())
            checks[f"loudest: messages after the trigger <= {TARGET_OPTIMUM} x optimum"] = sent <= TARGET_OPTIMUM * best
        for name, held in checks.items():
            lines.append(f"{'met' if held else 'NOT met'}: {name}")
            ok = ok and held
    if "loudest" in results and "given" in results:
        loud, given = (sum(results[mode]["sent_after"].values()) for mode in ("loudest", "given"))
        fewer = 1 - loud / given if given else 0.0
        held = fewer >= TARGET_FEWER_THAN_GIVEN
        lines.append(
            f"{'met' if held else 'NOT met'}: loudest first lets out {fewer:.0%} fewer messages than the given order (goal >= 30 %)"
        )
        ok = ok and held
    return ok, lines


def main(argv: list[str] | None = None) -> int:
    """Run the scenario (loudest first and given order, optionally learned); print the figures."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ceilings")
    parser.add_argument("--quick", action="store_true", help="a fifth of the campaigns (~1 min)")
    parser.add_argument("--only", choices=("loudest", "given", "learned"), action="append", help="only these runs (repeatable)")
    parser.add_argument("--learned", action="store_true", help="also run with no requests_per_second (learned from the 429s)")
    args = parser.parse_args(argv)
    prepare_environment()
    scale = {vendor: (max(2, count // 5) if args.quick else count, rate) for vendor, (count, rate) in SCENARIO.items()}
    modes = args.only or ["loudest", "given", *(["learned"] if args.learned else [])]
    campaigns = plan(scale)
    print(f"vendor ceilings: {scale}; half sending {SENDING_RATE:g} messages/s, half starting within {START_WITHIN:.0f} s", flush=True)
    print(f"machine before: {load()}", flush=True)
    results: dict[str, dict[str, Any]] = {}
    for mode in modes:
        results[mode] = run(mode, scale, campaigns)
        print(describe(results[mode]), flush=True)
    ok, lines = verdict(results)
    for line in lines:
        print(line)
    print(f"machine after: {load()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
