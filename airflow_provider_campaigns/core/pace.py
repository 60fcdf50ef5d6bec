"""Keeping to a vendor's pace: requests a second per connection, configured or learned from 429s.

One :class:`Pace` per connection (credentials at a host) and process, shared by every thread of a
task and every trigger of the triggerer that use the same connection (:func:`pace_for`). Each
request takes a slot ``1/rate`` after the previous one before it is sent; the transports call
:meth:`Pace.wait_sync` / :meth:`Pace.wait_async` right before each send (the one choke point).

- A configured rate (extra ``requests_per_second``, or the vendor's documented default) is kept
  from the first request, with a small margin (:data:`MARGIN`) so the vendor's own clock never
  sees two requests closer than it allows.
- Without one, the pace starts unlimited and learns the rate once most of the last answers were
  429s (:data:`LEARN_SHARE` of :data:`LEARN_ANSWERS`, or :data:`QUICK_SHARE` of the last
  :data:`QUICK_ANSWERS`; a few 429s are retried one by one and slow nobody else): the rate becomes
  the answers accepted a second over the last :data:`WINDOW` seconds (at least one second
  counted), less :data:`CUT`; every later 429 (at most one a slot) cuts it by :data:`CUT` again;
  it is forgotten after :data:`FORGET_AFTER` seconds without a 429. While answers are accepted it grows
  back slowly (:data:`GROWTH` a second, faster the longer no 429 came), so it keeps probing for a
  higher limit without a storm: about one refusal every six seconds.
- A 429 also pauses every request of the connection: until its ``Retry-After``, or, without one
  (Kore.ai documents none), for one slot at the new rate — a missing ``Retry-After`` is never
  "retry at once". A configured rate is a ceiling: 429s still lower the pace below it.

Not shared across processes: a task's worker and the triggerer each keep their own pace for a
connection (a deferred task reads from the triggerer only while its worker is not sending).
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque

from airflow_provider_campaigns.core.clock import SYSTEM_CLOCK, Clock

#: seconds of accepted answers remembered (the first 429 measures the rate from them)
WINDOW = 10.0
#: a 429 lowers the rate by this share (the first one: to this share below what the vendor accepted)
CUT = 0.07
#: share per second a rate grows while answers are accepted, just after a 429 (a limit that rose is found again)
GROWTH = 0.01
#: after this many seconds without a 429 the growth doubles, after twice as many it is five-fold (quadratic):
#: about six seconds from a cut back to the limit, under a minute from a rate learned 20 times too low
ACCELERATE = 10.0
#: the fastest growth, a share per second
MAX_GROWTH = 0.5
#: a configured rate is kept with this margin (a vendor counting in its own clock sees no burst)
MARGIN = 0.97
#: answers that judge, before any rate is known, whether 429s are a rate limit (as the concurrency limit judges)
LEARN_ANSWERS = 50
#: the share of 429s among them that is a rate limit (a steady 30% of faults is not)
LEARN_SHARE = 0.6
#: ... or nearly all of the last few answers (a steady 30% of faults makes 17 of 20 once in millions of windows)
QUICK_ANSWERS = 20
QUICK_SHARE = 0.85
#: the rate a 429 before any accepted answer starts from (nothing measured yet)
FIRST_GUESS = 1.0
#: the slowest pace learning goes down to (one request a minute)
MIN_RATE = 1 / 60
#: a learned rate is forgotten after this many seconds without a 429 (a limit seen once is not a limit for ever)
FORGET_AFTER = 600.0
#: connections remembered per process (the oldest is forgotten beyond it)
MAX_PACES = 256


class Pace:
    """When the next request to one connection may go; thread-safe, shared across event loops.

    :param rate: requests a second to keep (``None``: unlimited until a 429 teaches a rate).
    """

    def __init__(self, rate: float | None = None, clock: Clock = SYSTEM_CLOCK) -> None:
        self.configured = rate
        self.rate = None if rate is None else rate * MARGIN
        self._clock = clock
        self._lock = threading.Lock()
        self._next = 0.0  # monotonic time of the next free slot
        self._paused_until = 0.0
        self._generation = 0  # bumped by every cut: slots reserved before it are taken again
        self._accepted: deque[float] = deque()
        self._recent: deque[bool] = deque(maxlen=LEARN_ANSWERS)  # True = 429
        self._first = None if rate is None else clock.monotonic()
        self._grown = 0.0
        self._last_cut = float("-inf")
        self.sent = 0
        self.refused = 0

    def _reserve(self, deadline: float | None = None) -> tuple[float, int] | None:
        """The wait for the next free slot and its generation; ``None`` (nothing taken) if it is a wait that ends past ``deadline``."""
        with self._lock:
            now = self._clock.monotonic()
            if self.configured is None and self.rate is not None and now - self._last_cut > FORGET_AFTER:
                self.rate = None  # unlimited again until 429s say otherwise
                self._recent.clear()
            at = max(now, self._paused_until)
            if self.rate is not None:
                at = max(at, self._next)
            if deadline is not None and at > max(now, deadline):
                return None  # a request that may go at once goes, as every call's first attempt always has
            if self._first is None:
                self._first = now
            if self.rate is not None:
                self._next = at + 1.0 / self.rate
            return at - now, self._generation

    def _still(self, generation: int) -> bool:
        with self._lock:
            if generation == self._generation:
                self.sent += 1
                return True
            return False

    def wait_sync(self, deadline: float | None = None) -> bool:
        """Block until this thread's request may go (``True``), or return ``False`` at once if no slot comes before ``deadline``."""
        while True:
            reserved = self._reserve(deadline)
            if reserved is None:
                return False
            if reserved[0] > 0:
                self._clock.sleep(reserved[0])
            if self._still(reserved[1]):
                return True

    async def wait_async(self, deadline: float | None = None) -> bool:
        """Suspend until this coroutine's request may go (``True``), or ``False`` if no slot comes before ``deadline``."""
        while True:
            reserved = self._reserve(deadline)
            if reserved is None:
                return False
            if reserved[0] > 0:
                await self._clock.asleep(reserved[0])
            if self._still(reserved[1]):
                return True
            await asyncio.sleep(0)

    def record(self, throttled: bool, retry_after: float | None = None) -> None:
        """Account for one answer: ``throttled`` when it was a 429 (with its ``Retry-After``, if any)."""
        with self._lock:
            now = self._clock.monotonic()
            self._recent.append(throttled)
            if throttled:
                self.refused += 1
                self._cut(now, retry_after)
            else:
                self._accepted.append(now)
                while self._accepted and self._accepted[0] < now - WINDOW:
                    self._accepted.popleft()
                self._grow(now)

    def _cut(self, now: float, retry_after: float | None) -> None:
        """A 429: lower the rate (once per slot: answers already on their way are not new news), pause every request.

        Without a rate yet, only a majority of 429s among the last answers is a rate limit: a few
        429s (a fault, BSG's duplicate detector) are retried one by one and slow nobody else.
        """
        if self.rate is None:
            if not self._rate_limited():
                return
            counted = max(1.0, min(WINDOW, now - (self._first if self._first is not None else now)))
            accepted = len(self._accepted) / counted if self._accepted else FIRST_GUESS
            self.rate = max(MIN_RATE, accepted * (1 - CUT))
        elif now - self._last_cut >= 1.0 / self.rate:
            self.rate = max(MIN_RATE, self.rate * (1 - CUT))
        else:
            self._pause(now, retry_after)
            return
        self._last_cut = self._grown = now
        self._generation += 1
        self._next = now
        self._pause(now, retry_after)

    def _pause(self, now: float, retry_after: float | None) -> None:
        assert self.rate is not None
        self._paused_until = max(self._paused_until, now + (retry_after if retry_after else 1.0 / self.rate))

    def _rate_limited(self) -> bool:
        """Whether the last answers are mostly 429s: a majority of :data:`LEARN_ANSWERS`, or nearly all of the last
        :data:`QUICK_ANSWERS` (a slow vendor is recognised after a score of refusals, not fifty).
        """
        recent = list(self._recent)
        latest = recent[-QUICK_ANSWERS:]
        if len(latest) == QUICK_ANSWERS and latest.count(True) >= QUICK_SHARE * QUICK_ANSWERS:
            return True
        return len(recent) == LEARN_ANSWERS and recent.count(True) >= LEARN_SHARE * LEARN_ANSWERS

    def _grow(self, now: float) -> None:
        """Probe upwards, slowly near the last 429 and faster the longer none came."""
        if self.rate is None:
            return
        ceiling = self.configured * MARGIN if self.configured is not None else float("inf")
        elapsed = min(1.0, now - self._grown)
        self._grown = now
        quiet = now - self._last_cut if self._last_cut > float("-inf") else 0.0
        growth = min(MAX_GROWTH, GROWTH * (1 + (quiet / ACCELERATE) ** 2))
        self.rate = min(ceiling, self.rate * (1 + growth * elapsed))

    def describe(self) -> str:
        """For progress lines: ``"1.0/s (configured)"``, ``"14.2/s (learned from 429s)"`` or ``"unlimited"``."""
        if self.rate is None:
            return "unlimited"
        how = "configured" if self.configured is not None and self.rate >= self.configured * MARGIN else "learned from 429s"
        return f"{self.rate:.3g}/s ({how})"


_PACES: dict[str, Pace] = {}
_PACES_LOCK = threading.Lock()


def forget_paces() -> None:
    """Forget every connection's pace in this process (tests; a process that wants a fresh start)."""
    with _PACES_LOCK:
        _PACES.clear()


def pace_for(scope: str, rate: float | None, clock: Clock = SYSTEM_CLOCK) -> Pace:
    """The process's pace for a connection scope (see :func:`~.async_transport.credential_scope`).

    The first caller's ``rate`` (and clock) makes it; a later caller with another configured rate
    replaces it (the connection was edited).
    """
    with _PACES_LOCK:
        pace = _PACES.get(scope)
        if pace is None or pace.configured != rate or pace._clock is not clock:
            if len(_PACES) >= MAX_PACES:
                del _PACES[next(iter(_PACES))]
            pace = _PACES[scope] = Pace(rate, clock)
        return pace
