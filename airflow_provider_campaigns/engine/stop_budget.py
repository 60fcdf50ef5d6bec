"""How long a batch of stops may go on: while stops keep succeeding, up to a cap when there is one.

A stop at the vendor's pace can take minutes (300 Kore.ai campaigns at 60/min: five), so a fixed
budget would give up campaigns that were being stopped. A :class:`StopBudget` gives up only when no
campaign has been stopped for :data:`NO_PROGRESS_TIMEOUT` seconds (longer than any outage the
deployment tests fire), or at a hard cap: the user's ``stop_timeout``, else the task's
``execution_timeout`` (less a margin to report), else none.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from airflow_provider_campaigns.core.clock import Clock

#: seconds without a single stop (or read) succeeding after which a batch gives up what is left
NO_PROGRESS_TIMEOUT = 120.0
#: time kept back from ``execution_timeout`` to report before Airflow kills the task: a share, at most a minute
REPORT_MARGIN_SHARE = 0.1
REPORT_MARGIN_MAX = 60.0


class StopBudget:
    """The deadline of a batch's stops, moved on by every success (thread-safe).

    :param cap: a monotonic time no request starts after (``None``: no cap).
    :param no_progress: seconds without progress that end the batch.
    """

    def __init__(self, clock: Clock, cap: float | None = None, no_progress: float = NO_PROGRESS_TIMEOUT) -> None:
        self.clock = clock
        self.cap = cap
        self.no_progress = no_progress
        self._last = clock.monotonic()
        self._lock = threading.Lock()

    @classmethod
    def fixed(cls, clock: Clock, deadline: float) -> StopBudget:
        """A plain deadline (monotonic), whatever the progress."""
        return cls(clock, deadline, float("inf"))

    @classmethod
    def for_task(cls, clock: Clock, stop_timeout: float | None, execution_timeout: timedelta | None) -> StopBudget:
        """A task's budget: ``stop_timeout`` caps if set, else ``execution_timeout`` less a margin, else progress alone."""
        now = clock.monotonic()
        if stop_timeout is not None:
            return cls(clock, now + stop_timeout)
        if execution_timeout is not None:
            seconds = execution_timeout.total_seconds()
            return cls(clock, now + seconds - min(REPORT_MARGIN_MAX, seconds * REPORT_MARGIN_SHARE))
        return cls(clock)

    def progressed(self) -> None:
        """A campaign was stopped (or read): the batch is moving; its deadline moves on."""
        with self._lock:
            self._last = self.clock.monotonic()

    def deadline(self) -> float:
        """The monotonic time a call started now must end by."""
        with self._lock:
            moving = self._last + self.no_progress
        return moving if self.cap is None else min(self.cap, moving)

    def spent(self) -> bool:
        """Whether the batch has to give up what is left."""
        return self.clock.monotonic() >= self.deadline()
