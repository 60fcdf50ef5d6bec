"""End-to-end fixtures: the simulator on loopback, connections pointing at it, DAGs from the bag."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

from airflow_provider_campaigns.simulator import Simulator


@pytest.fixture
def sim(request: pytest.FixtureRequest, campaigns_simulator: Simulator) -> Simulator:
    """The shipped fixture (``airflow_provider_campaigns.pytest_plugin``): a fresh simulator, every ``*_default``
    connection pointing at it, the Airflow home ready for ``dag.test()``. Strict unless a test passes ``False``
    (``parametrize("sim", [False], indirect=True)``: the lenient reading)."""
    campaigns_simulator.config.update(strict=getattr(request, "param", True))
    return campaigns_simulator


@pytest.fixture(scope="session")
def dagbag(airflow_db: None, campaigns_airflow_home: Any) -> Any:
    """The DAG bag of the assembled e2e DAGs folder (example DAGs + test DAGs)."""
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow 2
        from airflow.models.dagbag import DagBag

    bag = (
        DagBag(os.environ["AIRFLOW__CORE__DAGS_FOLDER"], include_examples=False)
        if _airflow2()
        else DagBag(os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    )
    assert not bag.import_errors, bag.import_errors
    return bag


@pytest.fixture
def run_dag(dagbag: Any, campaigns_dag: Callable[[str], Any]) -> Callable[..., Any]:
    """Run a DAG (from the shipped ``campaigns_dag`` fixture) with ``dag.test()`` and return the DAG run."""

    def run(dag_id: str, **conf: Any) -> Any:
        return campaigns_dag(dag_id).test(run_conf=conf)

    return run


def task_states(dag_run: Any) -> dict[str, str]:
    return {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in dag_run.get_task_instances()}


@pytest.fixture
def states() -> Callable[[Any], dict[str, str]]:
    """Task id → state of a finished DAG run."""
    return task_states


def _airflow2() -> bool:
    from airflow import __version__

    return __version__.startswith("2.")
