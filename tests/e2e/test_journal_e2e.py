"""The stop journal lives in Airflow Variables: written, read back and deleted from inside a real task."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_a_task_writes_reads_and_deletes_its_journal(run_dag, states):
    dag_run = run_dag("e2e_journal")
    assert states(dag_run) == {"round_trip": "success"}
    result = dag_run.get_task_instance("round_trip").xcom_pull(task_ids="round_trip")
    assert result == {"planned": ["1", "2"], "done": ["1"], "after_delete": True, "masker_warned": False}, (
        "campaign ids are no secrets: reading the journal hands Airflow's masker nothing to warn about"
    )
