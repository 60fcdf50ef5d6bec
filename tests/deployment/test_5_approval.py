"""Scenario 5 (issue 12): the kill switch with a human in the loop, approved over Airflow 3.3's REST API.

``campaigns_kill_switch_approved`` dry-runs (``plan``), waits for an approval (``approve``, the
standard provider's ``ApprovalOperator``), then stops exactly the approved plan (``stop``). The
alerting side triggers it over REST with a selection (``all_active`` + ``name_contains``,
Cellcast's ``custom_string``), reads the plan, then — after more campaigns that match the same
selection have appeared at the vendors — approves through the human-in-the-loop endpoint
``PATCH /api/v2/dags/{dag}/dagRuns/{run}/taskInstances/approve/-1/hitlDetails``. Exactly the planned
campaigns must be stopped, once each; the late ones must keep running.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

import pytest
from harness.procs import wait_for
from harness.scenarios import STOPPED, entry_key, result_of
from harness.simclient import SimClient, stop_counts

DAG_ID = "campaigns_kill_switch_approved"
PER_VENDOR = 10
#: the human-in-the-loop endpoint of Airflow 3.3 (airflow/api_fastapi/core_api/routes/public/hitl.py)
HITL = "/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/{map_index}/hitlDetails"


def _seed(sim: SimClient, tag: str, count: int) -> tuple[list[tuple[str, str]], list[str]]:
    """``count`` live campaigns per vendor matching the selection; returns their keys and the comm.com sends."""
    keys: list[tuple[str, str]] = []
    sends: list[str] = []
    for _ in range(count):
        keys.append(("bsg", str(sim.add("bsg", status="sending", name=f"Storm {tag} bsg"))))
        keys.append(("kore", str(sim.add("kore", status="Active", name=f"Storm {tag} kore"))))
        campaign, send = sim.add("comm", status="in_progress", name=f"Storm {tag} comm")
        keys.append(("comm", send.lower()))
        sends.append(f"{campaign}/{send}")
    keys += [("cellcast", m.lower()) for m in sim.add("cellcast", status="scheduled", recipients=count, custom_string=f"storm-{tag}")]
    return keys, sends


def _documented_hitl_paths(deployment: Any) -> list[str]:
    """The REST paths the example DAG's doc gives for approving."""
    doc = deployment.rest("GET", f"/api/v2/dags/{DAG_ID}/details").json().get("doc_md") or ""
    return re.findall(r"(?:PATCH|POST)\s+(/api/v2/[^\s`]*hitl[^\s`]*)", " ".join(doc.split()))


@pytest.mark.timeout(600)
def test_approval_over_rest_stops_exactly_the_plan(local: Any, simulator: Any, figures: Any) -> None:
    sim = simulator.client
    tag = secrets.token_hex(4)
    planned, sends = _seed(sim, tag, PER_VENDOR)
    conf = {
        "bsg": {"all_active": True, "name_contains": f"storm {tag}"},
        "cellcast": {"custom_string": f"storm-{tag}"},
        "comm": {"campaign_sends": sends},
        "kore": {"all_active": True, "name_contains": f"storm {tag}"},
    }
    run_id, started = local.trigger(DAG_ID, conf)
    hitl = HITL.format(dag_id=DAG_ID, run_id=run_id, task_id="approve", map_index=-1)

    def waiting_for_approval() -> dict[str, Any] | None:
        local.check_alive()
        states = local.task_states(DAG_ID, run_id)
        assert states.get("plan") not in ("failed", "upstream_failed"), states
        if states.get("approve") not in ("awaiting_input", "deferred"):  # 3.3 pauses a HITL task as awaiting_input
            return None
        answer = local.rest("GET", hitl, check=False)
        return dict(answer.json()) if answer.status_code == 200 else None

    detail = wait_for(waiting_for_approval, 180, 0.5, what="the approve task to wait for a human")
    asked_after = time.time() - started
    assert isinstance(detail, dict)
    plan = result_of(local, DAG_ID, "plan", run_id)
    assert plan.get("dry_run") is True, plan
    would_stop = {entry_key(item) for item in plan["campaigns"] if item["outcome"] == "would_stop"}
    assert would_stop == set(planned), (sorted(would_stop ^ set(planned))[:10], plan["totals"])
    assert sim.stops(since=started) == [], "the dry run sent a stop"
    print(f"approval asked {asked_after:.1f} s after the REST trigger: subject {detail.get('subject')!r}")
    assert str(len(planned)) in str(detail.get("subject")), detail.get("subject")
    body = str(detail.get("body") or "")
    assert all(key in body.lower() for _, key in planned), "the approval body does not list every planned campaign"

    # Campaigns matching the same selection appear after the dry run: the approved stop must leave them alone.
    late, _ = _seed(sim, tag, 2)
    answer = local.rest("PATCH", hitl, json={"chosen_options": ["Approve"]}, check=False)
    approved_at = time.time()
    assert answer.status_code == 200, f"PATCH {hitl}: HTTP {answer.status_code} {answer.text[:500]}"
    assert answer.json()["chosen_options"] == ["Approve"]
    state = local.wait_run(DAG_ID, run_id, 300)
    states = local.task_states(DAG_ID, run_id)
    assert state == "success", states
    assert states == {"plan": "success", "approve": "success", "stop": "success"}, states

    stops = sim.stops(since=started)
    counts = stop_counts(stops)
    assert {key: counts.get(key, 0) for key in planned} == dict.fromkeys(planned, 1)
    assert set(counts) == set(planned), f"stops beyond the plan: {sorted(set(counts) - set(planned))[:10]}"
    for vendor, key in planned:
        assert sim.state(vendor, key)["state"].get("status") == STOPPED[vendor], (vendor, key)
    for vendor, key in late:
        seen = sim.state(vendor, key)
        assert seen["stop_count"] == 0 and seen["state"].get("status") != STOPPED[vendor], (vendor, key, seen)
    result = result_of(local, DAG_ID, "stop", run_id)
    assert {entry_key(item) for item in result["campaigns"]} == set(planned)
    assert {k: v for k, v in result["totals"].items() if v} == {"stopped": len(planned)}, result["totals"]
    silence = max(s.time for s in stops) - approved_at
    paths = _documented_hitl_paths(local)
    print(
        f"approval over REST: {len(planned)} planned campaigns stopped once each {silence:.2f} s after the approval; "
        f"{len(late)} campaigns added after the dry run left running; the DAG doc gives {paths}"
    )
    assert any(p.startswith("/api/v2/dags/") and p.endswith("/hitlDetails") for p in paths), (
        f"the {DAG_ID} doc does not give the working approval endpoint ({HITL}): {paths}"
    )
    figures.record(
        "approval over REST",
        f"approval -> last stop acknowledged, {len(planned)} planned campaigns ({len(late)} added after the dry run untouched)",
        silence,
        "s",
        asked_after=asked_after,
        planned=len(planned),
        late=len(late),
    )
