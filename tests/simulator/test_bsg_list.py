"""BSG's list window arithmetic: calendar months, the day clamped to the month's length."""

from __future__ import annotations

import datetime as dt

import pytest

from airflow_provider_campaigns.simulator.bsg_list import months_before

UTC = dt.UTC


@pytest.mark.parametrize(
    ("to", "earliest"),
    [
        ("2024-04-15 10:30:00", "2024-01-15 10:30:00"),
        ("2024-05-31 00:00:00", "2024-02-29 00:00:00"),
        ("2023-05-31 00:00:00", "2023-02-28 00:00:00"),
        ("2024-02-10 08:00:00", "2023-11-10 08:00:00"),
    ],
)
def test_three_months_before(to, earliest):
    def ts(text: str) -> float:
        return dt.datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()

    assert months_before(ts(to), 3) == ts(earliest)
