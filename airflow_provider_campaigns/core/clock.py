"""The one clock: every wait, deadline and timestamp in the provider reads time through it.

Transports, flows and batches take a :class:`Clock`; tests hand in a fake one that advances
instantly, so no test patches :mod:`time` or sleeps for real.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    """Monotonic time for budgets, wall time for deadlines that cross processes, and sleeping."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (durations, budgets)."""
        ...

    def time(self) -> float:
        """Wall-clock seconds since the epoch (deadlines kept in trigger kwargs)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block the calling thread."""
        ...

    async def asleep(self, seconds: float) -> None:
        """Suspend the calling coroutine."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        """:func:`time.monotonic`."""
        return time.monotonic()

    def time(self) -> float:
        """:func:`time.time`."""
        return time.time()

    def sleep(self, seconds: float) -> None:
        """:func:`time.sleep` (nothing for a non-positive duration)."""
        if seconds > 0:
            time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        """:func:`asyncio.sleep`."""
        await asyncio.sleep(max(0.0, seconds))


SYSTEM_CLOCK: Clock = SystemClock()
