"""`make demo`: the kill switch, run by real Airflow against the built-in vendor simulator.

Starts the simulator on 127.0.0.1, seeds live campaigns at BSG, Cellcast, comm.com and Kore.ai
(plus a few already finished ones, to show idempotence), points Airflow connections at it with
``AIRFLOW_CONN_*`` variables, runs ``airflow dags test campaigns_kill_switch`` and prints what
happened to every campaign, as the vendors see it. AIRFLOW_HOME lives in ``.work/``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
#: seconds BSG campaigns keep sending after an accepted stop (so the demo shows a deferred wait completing)
WIND_DOWN = 6.0
HOME = REPO / ".work" / "airflow-home-demo"


def airflow_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(
        AIRFLOW_HOME=str(HOME),
        AIRFLOW__CORE__DAGS_FOLDER=str(REPO / "example_dags"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__LOGGING__LOGGING_LEVEL="INFO",
        **extra,
    )
    return env


def airflow(*args: str, env: dict[str, str], log: Path) -> int:
    binary = str(Path(sys.executable).with_name("airflow"))
    with log.open("a") as out:
        return subprocess.run([binary, *args], env=env, stdout=out, stderr=subprocess.STDOUT, check=False).returncode


def seed(sim: Any) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    """Campaigns at every vendor; returns the kill-switch conf and (vendor, key, initial status)."""
    # BSG keeps sending for a few seconds after it accepted a stop: the kill switch defers its wait to the triggerer
    bsg = [
        sim.add_campaign("bsg", status="sending", channel="sms", name="Black Friday SMS", wind_down=WIND_DOWN),
        sim.add_campaign("bsg", status="scheduled", channel="sms", name="Black Friday reminder", wind_down=WIND_DOWN),
    ]
    bsg_done = sim.add_campaign("bsg", status="done", channel="sms", name="Last week's promo")
    cellcast = sim.add_campaign("cellcast", status="scheduled", recipients=4, custom_string="black-friday")
    cellcast_sent = sim.add_campaign("cellcast", status="sent", recipients=1, custom_string="black-friday")
    comm = [sim.add_campaign("comm", status="in_progress") for _ in range(2)]
    kore = [sim.add_campaign("kore", status="Active"), sim.add_campaign("kore", status="Scheduled")]
    kore_done = sim.add_campaign("kore", status="Completed")
    conf = {
        "bsg": {"campaign_ids": [*bsg, bsg_done], "channel": "sms"},
        "cellcast": {"custom_string": "black-friday", "message_ids": cellcast_sent},
        "comm": {"campaign_sends": [list(pair) for pair in comm]},
        "kore": {"campaign_ids": [*kore, kore_done]},
    }
    tracked = [("bsg", str(c), "") for c in [*bsg, bsg_done]]
    tracked += [("cellcast", m, "") for m in [*cellcast, *cellcast_sent]]
    tracked += [("comm", f"{c}/{s}", "") for c, s in comm]
    tracked += [("kore", k, "") for k in [*kore, kore_done]]
    return conf, [(v, key, status_of(sim, v, key)) for v, key, _ in tracked]


def status_of(sim: Any, vendor: str, key: str) -> str:
    ident: Any = tuple(key.split("/")) if vendor == "comm" else (int(key) if vendor == "bsg" else key)
    return str(sim.campaign(vendor, ident).get("status"))


def stops_of(sim: Any, vendor: str, key: str) -> int:
    ident: Any = tuple(key.split("/")) if vendor == "comm" else (int(key) if vendor == "bsg" else key)
    return int(sim.stop_count(vendor, ident))


def report_table(log: Path) -> list[str]:
    """The last outcome table the kill switch logged (after its wait), from the ``airflow dags test`` output."""
    lines = log.read_text().splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("vendor ") and "outcome" in line]
    if not starts:
        return ["(no report table found: see the log)"]
    table = []
    for line in lines[starts[-1] :]:
        table.append(line)
        if line.startswith("totals:"):
            break
    return table


def deferral(log: Path) -> list[str]:
    """The wait's progress lines (worker check, then the trigger's polls), from the ``airflow dags test`` output."""
    marks = ("final, waiting on", "campaign(s) final:")
    return [line.split("] ", 1)[-1][:160] for line in log.read_text().splitlines() if any(mark in line for mark in marks)]


def main() -> int:
    from airflow_provider_campaigns.simulator import Simulator

    HOME.mkdir(parents=True, exist_ok=True)
    log = REPO / ".work" / "demo.log"
    log.write_text("")
    started = time.monotonic()
    print("1/4 preparing the Airflow metadata DB (SQLite in .work/) ...", flush=True)
    if airflow("db", "migrate", env=airflow_env({}), log=log) != 0:
        print(f"airflow db migrate failed; see {log}")
        return 1
    with Simulator(port=0, latency=0.02) as sim:
        print(f"2/4 vendor simulator listening on {sim.url}", flush=True)
        conf, before = seed(sim)
        print(f"3/4 seeded {len(before)} campaigns/messages at 4 vendors; running the kill switch with `airflow dags test` ...", flush=True)
        code = airflow("dags", "test", "campaigns_kill_switch", "--conf", json.dumps(conf), env=airflow_env(sim.connection_env()), log=log)
        print("4/4 outcome per campaign, as each vendor sees it:\n")
        print(f"  {'vendor':<9} {'campaign / message':<76} {'before':<12} {'after':<12} stops applied")
        all_final = True
        for vendor, key, initial in before:
            after = status_of(sim, vendor, key)
            all_final &= after.lower() in {"stopped", "done", "canceled", "sent", "delivered", "completed"}
            print(f"  {vendor:<9} {key:<76} {initial:<12} {after:<12} {stops_of(sim, vendor, key)}")
    waits = deferral(log)
    print(f"\n  the wait after the stops (BSG kept sending {WIND_DOWN:g} s after accepting them; the task deferred to the triggerer):\n")
    print("  " + "\n  ".join(waits or ["(no wait lines found: see the log)"]))
    print("\n  the kill switch's report (its task log; the same result is the XCom 'return_value' of task 'stop_campaigns'):\n")
    print("  " + "\n  ".join(report_table(log)))
    verdict = "green" if code == 0 and all_final else "RED"
    print(f"\nkill-switch DAG run: {verdict} in {time.monotonic() - started:.1f} s (full Airflow log: {log.relative_to(REPO)})")
    return 0 if verdict == "green" else 1


if __name__ == "__main__":
    sys.exit(main())
