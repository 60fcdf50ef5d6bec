"""Adaptive concurrency: slow a batch down when the vendor rate-limits it, speed up when it stops.

One :class:`AdaptiveLimit` per vendor connection and batch (or per credential scope in the
triggerer) decides how many requests may be in flight; the transports wait for a slot before each
request and report every answer. The rule is additive increase, multiplicative decrease, gated by
the share of answers that were 429s (as Google SRE's client-side throttling does): a vendor that
answers some requests with 429 while accepting most of them is not a reason to crawl — each 429 is
simply retried after its own ``Retry-After`` — but when more than 60% of the last 50 answers are
429s the limit halves (at most once per ``Retry-After``), and it grows back (quickly, then
additively) as soon as 429s stop.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from airflow_provider_campaigns.core.clock import SYSTEM_CLOCK, Clock

#: answers remembered to judge the share of 429s (large enough that a steady 30% never looks like a majority)
WINDOW = 50
#: answers needed before the share is judged at all (a full window: early answers are too few to judge)
MIN_ANSWERS = WINDOW
#: below this share of accepted answers (most answers throttled) the limit is cut
ACCEPT_THRESHOLD = 0.4
#: the shortest pause between two cuts when the vendor sends no ``Retry-After``
MIN_CUT_INTERVAL = 1.0


class AdaptiveLimit:
    """The current concurrency limit and the answers that steer it (thread-safe, no waiting).

    :param maximum: the limit when nothing is throttled (the user's ``max_concurrency``).
    :param minimum: the limit never goes below this.
    """

    def __init__(self, maximum: int, minimum: int = 1, clock: Clock = SYSTEM_CLOCK) -> None:
        self.maximum = max(1, maximum)
        self.minimum = max(1, min(minimum, self.maximum))
        self._clock = clock
        self._limit = float(self.maximum)
        self._threshold = float(self.maximum)  # slow start (+1 per answer) below it, +1/limit above
        self._answers: deque[bool] = deque(maxlen=WINDOW)  # True = throttled (429)
        self._no_cut_before = 0.0
        self._lock = threading.Lock()
        self.throttled = 0
        self.cuts = 0

    @property
    def limit(self) -> int:
        """How many requests may be in flight now."""
        return max(self.minimum, int(self._limit))

    def record(self, throttled: bool, retry_after: float | None = None) -> None:
        """Account for one answer: ``throttled`` when it was a 429."""
        with self._lock:
            self._answers.append(throttled)
            if throttled:
                self.throttled += 1
                self._maybe_cut(retry_after)
            elif not any(self._answers):
                self._threshold = float(self.maximum)  # the 429s are over: grow back quickly
                self._grow()
            else:
                self._grow()

    def _maybe_cut(self, retry_after: float | None) -> None:
        if len(self._answers) < MIN_ANSWERS:
            return
        accepted = self._answers.count(False) / len(self._answers)
        now = self._clock.monotonic()
        if accepted >= ACCEPT_THRESHOLD or now < self._no_cut_before or self._limit <= self.minimum:
            return
        self._limit = max(float(self.minimum), self._limit / 2)
        self._threshold = self._limit
        self._no_cut_before = now + max(MIN_CUT_INTERVAL, retry_after or 0.0)
        self.cuts += 1

    def _grow(self) -> None:
        if self._limit < self.maximum:
            step = 1.0 if self._limit < self._threshold else 1.0 / self._limit
            self._limit = min(float(self.maximum), self._limit + step)


class SyncGate:
    """Threads wait here for a slot under an :class:`AdaptiveLimit`: ``with gate.slot(): ...``."""

    def __init__(self, limit: AdaptiveLimit) -> None:
        self.limit = limit
        self._in_flight = 0
        self._changed = threading.Condition()

    def slot(self) -> SyncGate:
        """Hold one of the limit's slots for the duration of the ``with`` block (every request: no generator)."""
        return self

    def __enter__(self) -> None:
        with self._changed:
            while self._in_flight >= self.limit.limit:
                self._changed.wait(0.5)  # the limit may grow without anyone releasing
            self._in_flight += 1

    def __exit__(self, *exc_info: object) -> None:
        with self._changed:
            self._in_flight -= 1
            self._changed.notify(max(1, self.limit.limit - self._in_flight))  # as many as may go, not every waiter


class AsyncGate:
    """Coroutines wait here, first come first served, for a slot under an :class:`AdaptiveLimit` (one event loop).

    A freed slot is handed to the next waiter directly: with a thousand waits queued, a release
    wakes one coroutine, not all of them.
    """

    def __init__(self, limit: AdaptiveLimit) -> None:
        self.limit = limit
        self._in_flight = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the limit's slots for the duration of the block."""
        if self._waiters or self._in_flight >= self.limit.limit:
            turn = asyncio.get_running_loop().create_future()
            self._waiters.append(turn)
            try:
                await turn  # resolved by _hand_over, which counts this coroutine in flight
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():
                    self._release()  # the slot was handed over just as the wait was cancelled
                elif turn in self._waiters:
                    self._waiters.remove(turn)
                raise
        else:
            self._in_flight += 1
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        self._in_flight -= 1
        while self._waiters and self._in_flight < self.limit.limit:
            turn = self._waiters.popleft()
            if not turn.done():
                self._in_flight += 1
                turn.set_result(None)
