"""Every complete DAG and test on the documentation pages runs, as written, against the simulator (issue 20).

``tests/conftest.py`` writes each ``% complete-dag`` block into the DAGs folder; here each one runs
with ``dag.test()`` through a recipe (what to seed, what conf to pass, what must happen). A block
without a recipe fails :func:`test_every_complete_dag_has_a_run`. The report recipe of the result
page runs against every way a kill switch can fail and must leave the run red each time. Each
``% complete-test`` block runs in a pytest of its own, with the shipped plugin as a user has it.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DAG_MARKER, E2E_DAGS, FAILURE_KINDS, TEST_MARKER, break_kill_switch, docs_blocks, run_user_pytest, scrubbed_env

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _airflow_3_only() -> None:
    from airflow import __version__

    if __version__.startswith("2."):
        pytest.skip("the documentation's DAGs and tests are written for Airflow 3 (airflow.sdk)")


@pytest.fixture
def sim(campaigns_simulator: Any) -> Any:
    """The shipped fixture: a fresh simulator, connections to it, the Airflow home ready for ``dag.test()``."""
    return campaigns_simulator


def dag_id_of(code: str) -> str:
    """The ``dag_id=`` literal of a docs DAG."""
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.keyword) and node.arg == "dag_id" and isinstance(node.value, ast.Constant):
            return str(node.value.value)
    raise AssertionError("a complete DAG in the docs names its dag_id with dag_id=...")


def states(dag_run: Any) -> dict[str, str]:
    return {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in dag_run.get_task_instances()}


def quick(dag: Any, **attributes: Any) -> Any:
    """The docs DAG with no task retries (the failures below are final anyway) and the given task attributes."""
    for task in dag.tasks:
        task.retries = 0
        for name, value in attributes.items():
            if hasattr(task, name):
                setattr(task, name, value)
    return dag


def run_flash_sale_stop(sim: Any, dag: Any) -> None:
    campaign = sim.add_campaign("bsg", status="sending", name="Flash sale")
    dag_run = dag.test(run_conf={"campaign_id": campaign})
    assert states(dag_run) == {"stop_flash_sale": "success"}
    assert sim.campaign("bsg", campaign)["status"] == "stopped"


def run_flash_sale_end(sim: Any, dag: Any) -> None:
    bsg = [sim.add_campaign("bsg", status="sending") for _ in range(2)]
    assert bsg == [1001, 1002], "the page names BSG campaigns 1001 and 1002"
    messages = sim.add_campaign("cellcast", status="scheduled", recipients=2, custom_string="flash-sale-dec")
    dag_run = dag.test(logical_date=datetime(2026, 12, 4, 17, 0, tzinfo=UTC))
    assert set(states(dag_run).values()) == {"success"}, states(dag_run)
    assert all(sim.campaign("bsg", c)["status"] == "stopped" for c in bsg)
    assert all(sim.campaign("cellcast", m)["status"] == "canceled" for m in messages)


def run_kill_switch_with_report(sim: Any, dag: Any) -> None:
    campaign = sim.add_campaign("bsg", status="sending")
    dag_run = dag.test(run_conf={"targets": {"bsg": {"campaign_ids": [campaign]}}})
    assert states(dag_run) == {"stop_campaigns": "success", "report": "success"}
    assert sim.campaign("bsg", campaign)["status"] == "stopped"


def run_pipeline_guard(sim: Any, dag: Any) -> None:
    good = [sim.add_campaign("bsg", status="sending") for _ in range(2)]
    dag_run = dag.test(run_conf={"campaign_ids": good, "complaint_rate": 0.0})
    assert states(dag_run) == {"launch": "success", "check_complaints": "success", "stop_launched": "skipped"}
    assert all(sim.campaign("bsg", c)["status"] == "sending" for c in good)
    bad = [sim.add_campaign("bsg", status="sending") for _ in range(2)]
    dag_run = quick(dag).test(run_conf={"campaign_ids": bad, "complaint_rate": 0.05})
    assert states(dag_run) == {"launch": "success", "check_complaints": "failed", "stop_launched": "success"}
    assert all(sim.campaign("bsg", c)["status"] == "stopped" for c in bad), "the guard stops what this run launched"
    assert all(sim.campaign("bsg", c)["status"] == "sending" for c in good), "and nothing else"


def run_reschedule_sensor(sim: Any, dag: Any) -> None:
    campaign = sim.add_campaign("bsg", status="sending", wind_down=2.0)  # BSG keeps sending 2 s after the stop
    dag_run = quick(dag, poke_interval=0.5).test(run_conf={"campaign_id": campaign})
    assert states(dag_run) == {"stop_promo": "success", "wait_until_final": "success"}
    sensor = dag_run.get_task_instance("wait_until_final")
    assert sensor.xcom_pull(task_ids="wait_until_final")["campaigns"][0]["state"] == "stopped"
    assert len([r for r in sim.requests("bsg") if r["method"] == "GET" and r["path"].endswith(f"/api/campaigns/{campaign}")]) >= 2, (
        "the sensor was rescheduled at least once"
    )


def run_hook_report(sim: Any, dag: Any) -> None:
    running = sim.add_campaign("bsg", status="sending", name="Flash sale")
    sim.add_campaign("bsg", status="done")
    paused = sim.add_campaign("kore", status="Paused", name="Winter promo")
    sim.add_campaign("kore", status="Completed")
    dag_run = dag.test()
    assert states(dag_run) == {"running_campaigns": "success"}
    rows = dag_run.get_task_instance("running_campaigns").xcom_pull(task_ids="running_campaigns")
    assert [(r["vendor"], r["campaign_id"], r["name"], r["state"]) for r in rows] == [
        ("bsg", str(running), "Flash sale", "active"),
        ("kore", paused, "Winter promo", "paused"),
    ]
    assert rows[0]["started_at"], "BSG says when a campaign started sending"


RUNS: dict[str, Callable[[Any, Any], None]] = {
    "campaigns_running_report": run_hook_report,
    "flash_sale_stop": run_flash_sale_stop,
    "flash_sale_end": run_flash_sale_end,
    "campaigns_kill_switch_with_report": run_kill_switch_with_report,
    "promo_pipeline_guard": run_pipeline_guard,
    "promo_end_then_wait": run_reschedule_sensor,
}
DAG_BLOCKS = docs_blocks(DAG_MARKER)


def test_every_complete_dag_has_a_run() -> None:
    assert sorted(dag_id_of(code) for _, code in DAG_BLOCKS) == sorted(RUNS)


@pytest.mark.parametrize(("name", "code"), DAG_BLOCKS, ids=[name for name, _ in DAG_BLOCKS])
def test_complete_dag_in_docs_runs(name: str, code: str, sim: Any, campaigns_dag: Any) -> None:
    dag_id = dag_id_of(code)
    RUNS[dag_id](sim, campaigns_dag(dag_id))


@pytest.mark.parametrize("kind", FAILURE_KINDS)
def test_the_documented_report_keeps_the_run_red_for_every_way_of_failing(
    kind: str, sim: Any, campaigns_dag: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    targets, good = break_kill_switch(sim, kind, monkeypatch)
    dag = quick(campaigns_dag("campaigns_kill_switch_with_report"), stop_timeout=1.5, request_timeout=0.5)
    dag_run = dag.test(run_conf={"targets": targets})
    assert states(dag_run) == {"stop_campaigns": "failed", "report": "failed"}
    assert str(getattr(dag_run.state, "value", dag_run.state)) == "failed"
    assert sim.campaign("bsg", good)["status"] == "stopped"


def test_the_documented_report_keeps_the_run_red_when_the_wait_times_out(sim: Any, campaigns_dag: Any) -> None:
    """A wait that timed out fails the stop with ``totals["failed"] == 0``: the report must still fail."""
    campaign = sim.add_campaign("bsg", status="sending", wind_down=3600)  # accepts the stop, keeps sending for an hour
    dag = quick(campaigns_dag("campaigns_kill_switch_with_report"), wait_for_completion=True, poll_interval=0.2, timeout=1.0)
    dag_run = dag.test(run_conf={"targets": {"bsg": {"campaign_ids": [campaign]}}})
    assert states(dag_run) == {"stop_campaigns": "failed", "report": "failed"}
    pushed = dag_run.get_task_instance("stop_campaigns").xcom_pull(task_ids="stop_campaigns", key="campaigns_result")
    assert pushed["totals"]["failed"] == 0, "the case the report must catch without totals"


TEST_BLOCKS = docs_blocks(TEST_MARKER)


def test_the_docs_have_a_complete_test() -> None:
    assert any(name.startswith("testing.md") for name, _ in TEST_BLOCKS)


@pytest.mark.timeout(600)  # a fresh Airflow home migrated, then two dag.test() runs, in a pytest of its own
@pytest.mark.parametrize(("name", "code"), TEST_BLOCKS, ids=[name for name, _ in TEST_BLOCKS])
def test_complete_test_in_docs_passes_with_the_shipped_plugin(name: str, code: str, tmp_path: Path) -> None:
    """Run as a user would: its own pytest, no conftest, AIRFLOW_HOME unset (the plugin makes one), the DAGs folder set."""
    env = scrubbed_env("AIRFLOW_CONN_", "PYTEST_", AIRFLOW_HOME=None, AIRFLOW__CORE__DAGS_FOLDER=str(E2E_DAGS))
    done = run_user_pytest(tmp_path, code, "-p", "no:randomly", env=env, timeout=540)
    assert done.returncode == 0, f"{name}:\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}"
    assert " passed" in done.stdout and "failed" not in done.stdout.splitlines()[-1]
