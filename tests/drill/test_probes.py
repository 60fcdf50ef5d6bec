"""The probes of the listed rows' values (``listed_values`` and the probes built on it) judge every row, name the first
that does not fit, and are not probed on an empty list.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_campaigns.drill.probes import ids_start_with, timestamps_match
from airflow_provider_campaigns.drill.verdicts import CONFIRMED, CONTRADICTED, NotProbed


class FirstPage:
    """A drill context whose first list page answers ``{"data": rows}`` (the steps run as the real context runs them)."""

    list_request = None

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.reply = SimpleNamespace(ok=True, status=200, json=lambda: {"data": rows})

    def step(self, name: str, run: Any) -> Any:
        return run()

    def raw(self, request: Any) -> Any:
        return self.reply


def test_ids_that_all_start_with_the_prefix_are_confirmed_with_the_count_and_an_example():
    verdict = ids_start_with("cd-")(FirstPage([{"id": "cd-1"}, {"_id": "cd-2"}]))
    assert verdict.outcome == CONFIRMED
    assert verdict.detail == "2 listed id(s) are text starting with 'cd-' (e.g. 'cd-1')"


def test_the_first_id_that_does_not_fit_contradicts():
    verdict = ids_start_with("cd-")(FirstPage([{"id": "cd-1"}, {"_id": "st-2"}, {"id": 3}]))
    assert verdict.outcome == CONTRADICTED
    assert verdict.detail == "listed id(s) are not all text starting with 'cd-': 'st-2'"


def test_a_row_without_the_timestamp_contradicts():
    probe = timestamps_match("created_at", r"\d{4}-\d{2}-\d{2}", "dates")
    verdict = probe(FirstPage([{"created_at": "2026-12-07"}, {"name": "no date"}]))
    assert (verdict.outcome, verdict.detail) == (CONTRADICTED, "listed 'created_at' value(s) are not all dates: None")
    assert probe(FirstPage([{"created_at": "2026-12-07"}])).outcome == CONFIRMED


def test_an_empty_list_is_not_probed():
    with pytest.raises(NotProbed, match="the list is empty: no id"):
        ids_start_with("cd-")(FirstPage([]))
