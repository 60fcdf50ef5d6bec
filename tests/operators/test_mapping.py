"""Mapped stop tasks keep the documented retry defaults (Airflow's partial() fills BaseOperator's otherwise)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from airflow_provider_campaigns.operators.bsg import BsgStopCampaignOperator
from airflow_provider_campaigns.operators.kill_switch import CampaignKillSwitchOperator
from airflow_provider_campaigns.operators.kore import KoreStopCampaignOperator


def a_dag(**kwargs: Any) -> Any:
    from airflow.providers.common.compat.sdk import DAG

    return DAG(dag_id="mapped", schedule=None, start_date=datetime(2026, 1, 1), catchup=False, **kwargs)


def exponential(task: Any) -> bool:
    return bool(task.retry_exponential_backoff)


def round_trip(dag: Any, task_id: str) -> Any:
    """The task as the scheduler sees it: the DAG serialized and read back."""
    from airflow.serialization import serialized_objects

    serialization = getattr(serialized_objects, "DagSerialization", None) or serialized_objects.SerializedDAG  # Airflow 3.3 / 2
    return serialization.from_dict(serialization.to_dict(dag)).get_task(task_id)


def accounts() -> list[dict[str, Any]]:
    return [{"bsg": {"all_active": True, "conn_id": "bsg_eu"}}, {"bsg": {"all_active": True, "conn_id": "bsg_us"}}]


@pytest.mark.parametrize(
    "build",
    [
        lambda: CampaignKillSwitchOperator.partial(task_id="kill").expand(targets=accounts()),
        lambda: BsgStopCampaignOperator.partial(task_id="kill", all_active=True).expand(bsg_conn_id=["bsg_eu", "bsg_us"]),
        lambda: KoreStopCampaignOperator.partial(task_id="kill").expand(campaign_ids=[["cp-1"], ["cp-2"]]),
    ],
    ids=["kill-switch", "bsg", "kore"],
)
def test_a_mapped_stop_keeps_the_plain_tasks_retry_defaults(build):
    with a_dag() as dag:
        mapped = build()
    plain = CampaignKillSwitchOperator(task_id="plain", targets={"bsg": {"all_active": True}})
    for task in (mapped, round_trip(dag, "kill")):
        assert task.retries == plain.retries == 3
        assert task.retry_delay == plain.retry_delay == timedelta(seconds=5)
        assert task.max_retry_delay == plain.max_retry_delay == timedelta(minutes=1)
        assert exponential(task) and exponential(plain)


def test_what_the_task_or_default_args_set_wins_as_for_a_plain_task():
    with a_dag(default_args={"retries": 1, "retry_delay": timedelta(seconds=30)}) as dag:
        from_dag = CampaignKillSwitchOperator.partial(task_id="from_dag").expand(targets=accounts())
        own = CampaignKillSwitchOperator.partial(task_id="own", retries=0, default_args={"max_retry_delay": timedelta(seconds=7)}).expand(
            targets=accounts()
        )
        plain = CampaignKillSwitchOperator(task_id="plain", targets={"bsg": {"all_active": True}})
    assert (from_dag.retries, from_dag.retry_delay) == (plain.retries, plain.retry_delay) == (1, timedelta(seconds=30))
    assert exponential(from_dag), "what default_args leave unset keeps the provider's default"
    assert own.retries == 0 and own.max_retry_delay == timedelta(seconds=7) and own.retry_delay == timedelta(seconds=30)
    assert round_trip(dag, "own").retries == 0


def test_partial_on_a_task_object_still_refuses():
    from airflow.providers.common.compat.sdk import BaseOperator

    task = CampaignKillSwitchOperator(task_id="plain", targets={"bsg": {"all_active": True}})
    assert BaseOperator.partial  # Airflow's own guard stays in place for other operators
    with pytest.raises(TypeError):
        task.partial(task_id="again")
