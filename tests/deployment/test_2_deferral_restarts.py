"""Scenario 2: deferred waits survive a triggerer shutdown (SIGTERM) and a triggerer crash (SIGKILL)."""

from __future__ import annotations

import json
import signal
import time
from typing import Any

import pytest
from cryptography.fernet import Fernet
from harness.leaks import search_text
from harness.procs import wait_for
from harness.simclient import VENDORS, stop_counts, tokens_in_log

DAG_ID = "e2e_deferral"
#: how long the campaigns keep running: long enough to outlive both triggerer restarts
RUNNING_FOR = 90


def _seed(sim: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """Per vendor: a campaign that finishes by itself (sensor) and one that winds down after its stop (stop-and-wait)."""
    conf: dict[str, Any] = {}
    sensor_keys: dict[str, str] = {}
    stop_keys: dict[str, str] = {}
    for vendor in VENDORS:
        if vendor == "cellcast":
            # a scheduled message is sent (final) when it is due: finishes_in is its send time
            watched = sim.add(vendor, status="scheduled", finishes_in=RUNNING_FOR)
            stopped = sim.add(vendor, status="scheduled", wind_down=RUNNING_FOR)
            conf[vendor] = {"sensor": {"message_ids": watched}, "stop": {"message_ids": stopped}}
            sensor_keys[vendor], stop_keys[vendor] = watched[0].lower(), stopped[0].lower()
        elif vendor == "comm":
            watched = sim.add(vendor, finishes_in=RUNNING_FOR)
            stopped = sim.add(vendor, wind_down=RUNNING_FOR)
            conf[vendor] = {
                "sensor": {"campaign_id": watched[0], "campaign_send_id": watched[1]},
                "stop": {"campaign_id": stopped[0], "campaign_send_id": stopped[1]},
            }
            sensor_keys[vendor], stop_keys[vendor] = watched[1].lower(), stopped[1].lower()
        else:
            watched = sim.add(vendor, finishes_in=RUNNING_FOR)
            stopped = sim.add(vendor, wind_down=RUNNING_FOR)
            conf[vendor] = {"sensor": {"campaign_id": watched}, "stop": {"campaign_id": stopped}}
            sensor_keys[vendor], stop_keys[vendor] = str(watched), str(stopped)
    return conf, sensor_keys, stop_keys


def _triggers(deployment: Any) -> list[dict[str, Any]]:
    """Every row of the ``trigger`` table, kwargs as stored and decrypted."""
    rows = deployment.sql("SELECT id, classpath, COALESCE(triggerer_id, -1), kwargs FROM trigger ORDER BY id").splitlines()
    fernet = Fernet(deployment.fernet_key.encode())
    found = []
    for row in rows:
        trigger_id, classpath, triggerer_id, stored = row.split("|", 3)
        decrypted = stored if stored.startswith("{") else fernet.decrypt(stored.encode()).decode()
        found.append(
            {"id": int(trigger_id), "classpath": classpath, "triggerer_id": int(triggerer_id), "stored": stored, "kwargs": decrypted}
        )
    return found


def _live_triggerers(deployment: Any) -> set[int]:
    rows = deployment.sql("SELECT id FROM job WHERE job_type = 'TriggererJob' AND state = 'running'").split()
    return {int(r) for r in rows}


@pytest.mark.timeout(900)
def test_deferred_waits_survive_triggerer_sigterm_and_sigkill(local: Any, simulator: Any, figures: Any) -> None:
    sim = simulator.client
    conf, sensor_keys, stop_keys = _seed(sim)
    run_id, started = local.trigger(DAG_ID, conf)
    tasks = [f"wait_{v}[0]" for v in VENDORS] + [f"stop_and_wait_{v}[0]" for v in VENDORS]

    def all_deferred() -> bool:
        local.check_alive()
        states = local.task_states(DAG_ID, run_id)
        assert not any(states.get(t) in ("failed", "upstream_failed") for t in tasks), states
        return all(states.get(t) == "deferred" for t in tasks)

    wait_for(all_deferred, 180, 1, what="all eight tasks to defer")
    deferred_after = time.time() - started

    # While waiting: the trigger table holds the waits, encrypted, and never a credential or token.
    triggers = _triggers(local)
    assert len(triggers) == 8, triggers
    kwargs_text = "\n".join(t["kwargs"] for t in triggers)
    for vendor in VENDORS:
        assert (
            f"{vendor}_default" in kwargs_text and sensor_keys[vendor] in kwargs_text.lower() and stop_keys[vendor] in kwargs_text.lower()
        )
    secrets = simulator.secrets() + sorted(tokens_in_log(sim.requests()))
    assert any(s.count(".") == 2 for s in secrets), "expected JWTs (BSG bearer, Kore auth) in the simulator's request log"
    stored_text = "\n".join(t["stored"] + "\n" + t["kwargs"] for t in triggers)
    assert search_text("trigger table", stored_text, secrets) == []
    print(
        f"trigger table: {len(triggers)} triggers, kwargs searched for {len(secrets)} secrets: 0 hits; sample kwargs: "
        f"{json.loads(triggers[0]['kwargs'])}"
    )

    restarts: list[tuple[str, float]] = []
    for how, label in ((signal.SIGTERM, "SIGTERM"), (signal.SIGKILL, "SIGKILL")):
        before = {t["triggerer_id"] for t in _triggers(local)}
        _, gap = local.restart_triggerer(how, new_log=f"{local.name}-triggerer-after-{label}")
        stopped_at = time.time()

        def moved(before: set[int] = before) -> bool:
            local.check_alive()
            now = _triggers(local)
            assigned = {t["triggerer_id"] for t in now}
            return len(now) == 8 and not (assigned & before) and assigned <= _live_triggerers(local)

        wait_for(moved, 120, 0.5, what=f"the triggers to move to the triggerer started after {label}")
        # ... and the new triggerer polls the vendors
        wait_for(
            lambda since=stopped_at: any(e["method"] in ("GET", "POST") and e["time"] > since and e["vendor"] for e in sim.requests()),
            60,
            0.5,
            what="a status read from the new triggerer",
        )
        pickup = time.time() - stopped_at
        restarts.append((label, pickup))
        states = local.task_states(DAG_ID, run_id)
        assert all(states.get(t) == "deferred" for t in tasks), f"after {label}: the waits ended before the restart was survived: {states}"
        figures.record("deferral", f"triggerer {label}: triggers re-assigned and polling after", pickup, "s", stop_gap=gap)

    state = local.wait_run(DAG_ID, run_id, RUNNING_FOR + 240)
    states = local.task_states(DAG_ID, run_id)
    assert state == "success", states
    assert all(states[t] == "success" for t in tasks), states
    counts = stop_counts(sim.stops(since=started))
    for vendor in VENDORS:
        assert counts.get((vendor, stop_keys[vendor]), 0) == 1, (vendor, counts)
        assert counts.get((vendor, sensor_keys[vendor]), 0) == 0, (vendor, counts)
        assert sim.state(vendor, stop_keys[vendor])["stop_count"] == 1
    assert len(counts) == 4
    figures.record(
        "deferral",
        "triggerer restarts survived (SIGTERM, SIGKILL) by 4 sensors + 4 stop-and-waits",
        len(restarts),
        "",
        deferred_after=deferred_after,
        run_seconds=time.time() - started,
    )
