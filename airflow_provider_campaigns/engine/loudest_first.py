"""The order of stops when the vendor's pace is the limit: what is sending first, then what starts soonest."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from airflow_provider_campaigns.activity import REST, SENDING, STARTING, Activity

T = TypeVar("T")

#: a stop task's ``order``: the loudest first (the default), or exactly the order the campaigns were named or listed in
LOUDEST_FIRST = "loudest_first"
AS_GIVEN = "as_given"
ORDERS = (LOUDEST_FIRST, AS_GIVEN)


def check_order(value: object) -> str:
    """``value`` if it is one of :data:`ORDERS`; else an error naming the parameter and both choices."""
    from airflow_provider_campaigns.exceptions import InvalidInputError

    if not isinstance(value, str) or value not in ORDERS:
        raise InvalidInputError(f"order must be {' or '.join(map(repr, ORDERS))}, not {value!r:.80}.")
    return value


def sort_key(activity: Activity | None, now: float) -> tuple[float, ...]:
    """The key of one campaign in :func:`loudest_first` (smaller goes first); unknown is the rest."""
    if activity is None:
        return (REST, 0.0, 0.0, 0.0, 0.0)
    if activity.sending:
        rate = activity.rate(now)
        return (
            SENDING,
            -float(activity.remaining) if activity.remaining is not None else 1.0,
            -rate if rate is not None else 1.0,
            -float(activity.sent) if activity.sent is not None else 1.0,
            0.0,
        )
    if activity.starting:
        return (STARTING, activity.starts_at if activity.starts_at is not None else float("inf"), 0.0, 0.0, 0.0)
    return (REST, 0.0, 0.0, 0.0, 0.0)


def loudest_first(items: Sequence[T], label: Callable[[T], str], activities: Mapping[str, Activity], now: float) -> list[T]:
    """``items`` in the order to stop them (stable: equal keys keep the given order)."""
    return sorted(items, key=lambda item: sort_key(activities.get(label(item)), now))


def describe_order(items: Sequence[T], label: Callable[[T], str], activities: Mapping[str, Activity]) -> str:
    """``"12 sending, 30 starting, 58 other"``: how an order splits (for the task log)."""
    counts = [0, 0, 0]
    for item in items:
        activity = activities.get(label(item))
        counts[activity.rank if activity is not None else REST] += 1
    return f"{counts[SENDING]} sending, {counts[STARTING]} scheduled to start, {counts[REST]} other or not known"
