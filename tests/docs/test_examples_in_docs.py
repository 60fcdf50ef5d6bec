"""The DAGs written out on the documentation pages parse with Airflow's DagBag, so the docs cannot rot.

A page marks a complete DAG with the MyST comment ``% complete-dag`` on the line right before its
```` ```python ```` fence (the comment does not show on the site). Every such block is written to a
file and loaded with the DagBag; each must load without import errors and define a DAG. The
example DAGs the guides include with ``literalinclude`` are the files in ``example_dags/``, tested
by ``tests/e2e/test_example_dags.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import DAG_MARKER, docs_blocks


def complete_dags() -> list[tuple[str, str]]:
    """``(page:index, code)`` of every marked block, in page order."""
    return docs_blocks(DAG_MARKER)


BLOCKS = complete_dags()


def test_the_docs_have_complete_dags() -> None:
    names = {name.split(":")[0] for name, _ in BLOCKS}
    assert {"quickstart.md", "guides/scheduled-stop.md", "reference/results.md", "guides/dag-patterns.md"} <= names, names


@pytest.mark.parametrize(("name", "code"), BLOCKS, ids=[name for name, _ in BLOCKS])
def test_complete_dag_in_docs_parses(name: str, code: str, tmp_path: Path) -> None:
    from airflow import __version__

    if __version__.startswith("2."):
        pytest.skip("the documentation's DAGs are written for Airflow 3 (airflow.sdk)")
    from airflow.dag_processing.dagbag import DagBag

    (tmp_path / "docs_dag.py").write_text(code, encoding="utf-8")
    bag = DagBag(str(tmp_path))
    assert not bag.import_errors, f"{name}: {bag.import_errors}"
    assert bag.dag_ids, f"{name} defines no DAG"
    for dag_id in bag.dag_ids:
        assert bag.dags[dag_id].tasks, f"{name}: DAG {dag_id} has no task"
