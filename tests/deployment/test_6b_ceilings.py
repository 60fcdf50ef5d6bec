"""Scenario 6b (issue 21): "vendor ceilings" fired over REST on the LocalExecutor deployment, scaled down.

Token buckets in front of the simulator at each vendor's limit (BSG 50/s, Cellcast 15/s, comm.com
20/s, Kore.ai 1/s; each vendor's own 429, Kore.ai without ``Retry-After``) and a fifth of issue 21's
campaigns to keep CI time down: BSG 80, Cellcast 60, comm.com 40, Kore.ai 20 (ideal: the slowest
vendor, 20 Kore.ai stops at 1/s, 20 s). Half of each vendor's campaigns send 10 messages a second,
the rest are scheduled to start within the next five minutes (a Cellcast campaign is its messages:
its sending half goes out 10 a second from the trigger, its other half is scheduled within the same
five minutes). The example kill switch is fired over REST with connections whose
``requests_per_second`` is the vendor's limit, naming every campaign in one shuffled order.

Asserted: success on the first try; time to silence (REST call -> the last stop the simulator
accepted) <= 1.05 x the ideal, scaled to the machine's speed like every time bound of the suite;
requests refused <= 5 % of all requests; nothing given up or left running; the report exact against
the simulator's truth (a campaign this run stopped is reported ``stopped``; one that was final by
itself first, such as a Cellcast message already sent, is ``already_final``); and the messages sent
after the trigger are counted (``GET /_sim/traffic``) and printed beside the optimum at each
vendor's pace (``GET /_sim/traffic/optimum``).
"""

from __future__ import annotations

import random
import time
from typing import Any

import pytest
from harness import speed
from harness.scenarios import KILL_SWITCH, STOP_TASK, result_of, show_breakdown
from harness.scenarios import breakdown as time_breakdown
from harness.simclient import VENDORS

from airflow_provider_campaigns.simulator.truth import campaign_key, report_mistakes

#: vendor: (campaigns, requests a second): a fifth of issue 21's scenario
SCALE = {"bsg": (80, 50.0), "cellcast": (60, 15.0), "comm": (40, 20.0), "kore": (20, 1.0)}
SENDING_RATE = 10.0
AUDIENCES = (600, 1200, 3000, 6000)
START_WITHIN = 300.0
CELLCAST_CAMPAIGN = "ceilings"
CONN = {vendor: f"{vendor}_ceiling" for vendor in VENDORS}
FINAL = {
    "bsg": {"stopped", "done", "spam"},
    "cellcast": {"canceled", "sent", "delivered", "failed", "blocked", "rejected", "expired", "received"},
    "comm": {"stopped", "completed", "cancelled", "failed"},
    "kore": {"Stopped", "Completed"},
}
TIME_GOAL = 1.05
REFUSED_GOAL = 0.05
SCENARIO = "vendor ceilings over REST (LocalExecutor, BSG 80 at 50/s, Cellcast 60 at 15/s, comm.com 40 at 20/s, Kore.ai 20 at 1/s)"


def seed(sim: Any, rng: random.Random) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """Every vendor's campaigns (references in the given, shuffled order) and the kill switch's REST conf."""
    refs: dict[str, list[str]] = {}
    for vendor in ("bsg", "comm", "kore"):
        count = SCALE[vendor][0]
        starts = [0.0] * (count // 2) + [round(rng.uniform(1.0, START_WITHIN), 2) for _ in range(count - count // 2)]
        rng.shuffle(starts)
        refs[vendor] = []
        for start in starts:
            made = sim.add(vendor, rate=SENDING_RATE, audience=rng.choice(AUDIENCES), starts_in=start or None)
            refs[vendor].append("/".join(made) if vendor == "comm" else str(made))
    count = SCALE["cellcast"][0]
    later = [sim.add("cellcast", **_cellcast(1, round(rng.uniform(1.0, START_WITHIN), 2)))[0] for _ in range(count - count // 2)]
    sending = sim.add("cellcast", **_cellcast(count // 2, None))  # last: its messages start going out now
    refs["cellcast"] = later + sending
    rng.shuffle(refs["cellcast"])
    conf = {
        "bsg": {"campaign_ids": [int(ref) for ref in refs["bsg"]], "conn_id": CONN["bsg"]},
        "cellcast": {"message_ids": refs["cellcast"], "conn_id": CONN["cellcast"]},
        "comm": {"campaign_sends": refs["comm"], "conn_id": CONN["comm"]},
        "kore": {"campaign_ids": refs["kore"], "conn_id": CONN["kore"]},
    }
    return refs, conf


def _cellcast(messages: int, starts_in: float | None) -> dict[str, Any]:
    return {"recipients": messages, "rate": SENDING_RATE, "starts_in": starts_in, "custom_string": CELLCAST_CAMPAIGN}


@pytest.fixture
def ceilings(local: Any, simulator: Any) -> Any:
    """The shared simulator behind token buckets, and connections paced at each vendor's limit; lifted afterwards."""
    sim = simulator.client
    for fields in simulator.connections().values():
        vendor = fields["conn_type"]
        extra = {**fields.get("extra", {}), "requests_per_second": SCALE[vendor][1]}
        local.create_connection(CONN[vendor], {**fields, "extra": extra})
    sim.reset()
    for vendor, (_, rate) in SCALE.items():
        sim.http.post("/rate_limits", json={"vendor": vendor, "rate": rate}).raise_for_status()
    try:
        yield sim
    finally:
        for vendor in SCALE:
            sim.http.post("/rate_limits", json={"vendor": vendor, "rate": None}).raise_for_status()
        sim.reset()
        for conn_id in CONN.values():
            local.rest("DELETE", f"/api/v2/connections/{conn_id}")


@pytest.mark.timeout(600)
def test_vendor_ceilings_over_rest(local: Any, ceilings: Any, figures: Any) -> None:
    sim = ceilings
    refs, conf = seed(sim, random.Random(21))
    run_id, started = local.trigger(KILL_SWITCH, conf)
    state = local.wait_run(KILL_SWITCH, run_id, 300)
    run_seconds = time.time() - started
    stops = sim.stops(since=started)
    accepted = sorted(s.time for s in stops if s.status is not None and 200 <= s.status < 300)
    silence = accepted[-1] - started if accepted else float("nan")
    tis = [ti for ti in local.task_instances(KILL_SWITCH, run_id) if ti["task_id"] == STOP_TASK]
    tries = int(tis[0]["try_number"]) if tis else 0
    result = result_of(local, KILL_SWITCH, STOP_TASK, run_id)
    entries = list(result.get("campaigns") or [])
    mistakes, running = report_mistakes(refs, entries, sim.state, FINAL)
    limits = sim.http.get("/rate_limits").json()
    refused = {vendor: int(limits[vendor]["refused"]) for vendor in SCALE}
    requests = sum(refused.values()) + sum(int(limits[vendor]["accepted"]) for vendor in SCALE)
    traffic = sim.http.get("/traffic", params={"after": started}).json()
    firsts = {vendor: min((s.time for s in stops if s.vendor == vendor and s.status == 200), default=started) for vendor in SCALE}
    optimum, from_first = {}, {}
    for vendor, (_, rate) in SCALE.items():
        params = {"vendor": vendor, "rate": rate, "after": started}
        optimum[vendor] = sim.http.get("/traffic/optimum", params=params, timeout=120).json()
        from_first[vendor] = sim.http.get("/traffic/optimum", params={**params, "start": firsts[vendor]}, timeout=120).json()
    sent = {vendor: int(traffic["vendors"].get(vendor, {}).get("sent_after", 0)) for vendor in SCALE}
    best = {vendor: int(optimum[vendor]["messages"]) for vendor in SCALE}
    late = {vendor: int(from_first[vendor]["messages"]) for vendor in SCALE}
    ideal = max(count / rate for count, rate in SCALE.values())
    given_up = sum(1 for entry in entries if entry["outcome"] == "failed")
    limit = speed.bound(TIME_GOAL * ideal)
    print(
        f"vendor ceilings: run {state} after {tries} tr{'y' if tries == 1 else 'ies'}, {run_seconds:.1f} s; time to silence "
        f"{silence:.2f} s = {silence / ideal:.3f} x ideal {ideal:.0f} s (bound {limit:.1f} s at this machine's speed); "
        f"refused {sum(refused.values())} of {requests} requests {refused}; given up {given_up}; left running {running}; "
        f"report mistakes {len(mistakes)}; totals {result.get('totals')}"
    )
    total_best = sum(best.values())
    print(f"vendor ceilings: messages sent after the trigger {traffic['sent_after']:,} (optimum at each vendor's pace {total_best:,}):")
    print("  " + ", ".join(f"{v} {sent[v]:,} (optimum {best[v]:,}, from its first stop {late[v]:,})" for v in SCALE))
    print(f"vendor ceilings breakdown: {show_breakdown(time_breakdown(local, KILL_SWITCH, STOP_TASK, run_id, started, stops))}")
    for line in mistakes[:10]:
        print(f"  vendor ceilings: {line}")
    figures.record(
        SCENARIO,
        "time to silence",
        silence,
        "s",
        ideal=ideal,
        times_ideal=round(silence / ideal, 3),
        bound=round(limit, 2),
        run_state=state,
        tries=tries,
        refused=refused,
        requests=requests,
        given_up=given_up,
        report_mistakes=len(mistakes),
    )
    figures.record(
        SCENARIO,
        "messages sent after the trigger",
        int(traffic["sent_after"]),
        "messages",
        per_vendor=sent,
        optimum=best,
        optimum_from_first_stop=late,
        first_stop={vendor: round(firsts[vendor] - started, 2) for vendor in SCALE},
    )
    assert state == "success" and tries == 1, (state, tries)
    assert silence <= limit, (silence, ideal, speed.slowdown())
    assert sum(refused.values()) <= REFUSED_GOAL * requests, refused
    assert given_up == 0 and running == 0
    assert mistakes == [], mistakes[:10]
    counted = {campaign_key(row["id"]) for row in traffic["campaigns"]}
    assert counted == {campaign_key(ref) for keys in refs.values() for ref in keys}, "a seeded campaign has no traffic"
    assert traffic["sent_after"] == sum(sent.values()) > 0
