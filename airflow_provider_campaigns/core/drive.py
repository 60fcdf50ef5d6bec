"""The one driver loop of every sans-I/O flow: send each action's outcome back until the flow returns.

Request flows (:mod:`~airflow_provider_campaigns.core.flow`) and the wait (:mod:`~airflow_provider_campaigns.waiting`)
are generators that yield actions; what performs an action differs (a session or an httpx client, a
sleep or an asyncio sleep, a status read), the loop does not.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar

A = TypeVar("A")
T = TypeVar("T")


def drive(flow: Generator[A, Any, T], perform: Callable[[A], Any]) -> T:
    """Run ``flow`` to its result, answering each action it yields with ``perform(action)``."""
    outcome: Any = None
    while True:
        try:
            action = flow.send(outcome)
        except StopIteration as done:
            result: T = done.value
            return result
        outcome = perform(action)


async def drive_async(flow: Generator[A, Any, T], perform: Callable[[A], Awaitable[Any]]) -> T:
    """:func:`drive` in an event loop: ``perform`` is awaited."""
    outcome: Any = None
    while True:
        try:
            action = flow.send(outcome)
        except StopIteration as done:
            result: T = done.value
            return result
        outcome = await perform(action)
