"""Every vendor in a real DAG run: the stop is applied once, the sensor defers and its trigger completes it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

RUNNING = {"bsg": "sending", "cellcast": "scheduled", "comm": "in_progress", "kore": "Active"}
STOPPED = {"bsg": "stopped", "cellcast": "canceled", "comm": "stopped", "kore": "Stopped"}
STATUS_READ = {
    "bsg": ("GET", "/api/campaigns/"),
    "cellcast": ("GET", "/report/message/"),
    "comm": ("GET", "/sms/campaigns/"),
    "kore": ("POST", "/status"),
}


def as_conf(value):
    return list(value) if isinstance(value, tuple) else value


@pytest.mark.parametrize("vendor", ["bsg", "cellcast", "comm", "kore"])
def test_stop_and_deferred_wait(sim, run_dag, states, vendor):
    stop = sim.add_campaign(vendor, status=RUNNING[vendor])
    wait = sim.add_campaign(vendor, status=RUNNING[vendor], finishes_in=6.0)  # after the stop task and the first check, even when loaded
    dag_id = "e2e_bsg_defer" if vendor == "bsg" else f"e2e_{vendor}"
    dag_run = run_dag(dag_id, stop=as_conf(stop), wait=as_conf(wait))
    assert states(dag_run) == {"stop": "success", "wait": "success"}
    stopped = stop if not isinstance(stop, list) else stop[0]
    assert str(sim.campaign(vendor, stopped)["status"]) == STOPPED[vendor]
    assert sim.stop_count(vendor, stop) == 1
    method, fragment = STATUS_READ[vendor]
    reads = [r for r in sim.requests(vendor) if r["method"] == method and fragment in r["path"]]
    assert len(reads) >= 2, "one check in the worker, then at least one poll by the trigger"
