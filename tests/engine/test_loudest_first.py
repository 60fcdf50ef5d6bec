"""The order of stops when the pace is the limit: sending now (most left, else fastest, else most sent), then the
soonest start, then the rest; equal keys keep the given order."""

from __future__ import annotations

from airflow_provider_campaigns.activity import REST, SENDING, STARTING, Activity, count, epoch
from airflow_provider_campaigns.engine.loudest_first import describe_order, loudest_first

NOW = 1_800_000_000.0


def order(activities: dict[str, Activity | None], given: list[str] | None = None) -> list[str]:
    known = {label: activity for label, activity in activities.items() if activity is not None}
    return loudest_first(given or list(activities), str, known, NOW)


def test_sending_then_soonest_start_then_the_rest_and_unknown_last():
    activities = {
        "paused": Activity(),
        "late": Activity(starting=True, starts_at=NOW + 600),
        "unknown": None,
        "sending": Activity(sending=True),
        "soon": Activity(starting=True, starts_at=NOW + 60),
        "no-time": Activity(starting=True),
    }
    assert order(activities) == ["sending", "soon", "late", "no-time", "paused", "unknown"]
    assert [Activity(sending=True).rank, Activity(starting=True).rank, Activity().rank] == [SENDING, STARTING, REST]


def test_among_sending_the_largest_remaining_audience_first_then_the_fastest_then_the_most_sent():
    activities = {
        "left-10": Activity(sending=True, remaining=10, sent=5000),
        "left-900": Activity(sending=True, remaining=900, sent=1),
        "left-unknown": Activity(sending=True),
    }
    assert order(activities) == ["left-900", "left-10", "left-unknown"]
    rates = {
        "slow": Activity(sending=True, sent=100, sending_since=NOW - 100),  # 1/s
        "fast": Activity(sending=True, sent=500, sending_since=NOW - 50),  # 10/s
        "most-sent": Activity(sending=True, sent=900),  # no start time: no rate
    }
    assert order(rates) == ["fast", "slow", "most-sent"]
    assert order({"a": Activity(sending=True, sent=1), "b": Activity(sending=True, sent=7)}) == ["b", "a"]


def test_equal_keys_keep_the_given_order():
    same = {label: Activity(sending=True) for label in "dcba"}
    assert order(same, list("dcba")) == list("dcba")
    assert order({label: None for label in "xyz"}, list("zxy")) == list("zxy")


def test_a_rate_counts_at_least_one_second_and_needs_both_figures():
    assert Activity(sent=10, sending_since=NOW).rate(NOW) == 10.0
    assert Activity(sent=10).rate(NOW) is None and Activity(sending_since=NOW).rate(NOW) is None


def test_counts_and_times_as_vendors_write_them():
    assert [count(5), count(0), count(-1), count(True), count("5"), count(None)] == [5, 0, None, None, None, None]
    assert epoch("2026-01-01T00:00:00Z") == epoch("2026-01-01 00:00:00") == epoch("2026-01-01T01:00:00+01:00") == 1767225600.0
    assert [epoch(123), epoch(""), epoch("soon"), epoch(None), epoch(False)] == [123.0, None, None, None, None]


def test_the_log_line_counts_each_kind():
    activities = {"a": Activity(sending=True), "b": Activity(starting=True)}
    assert describe_order(["a", "b", "c"], str, activities) == "1 sending, 1 scheduled to start, 1 other or not known"
