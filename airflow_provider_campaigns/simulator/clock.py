"""The simulator's clock (injectable), the time formats the vendors use, and a lenient parser for filters and seeds."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
UTC = dt.timezone(dt.timedelta(0))


def _utc(ts: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, tz=UTC)


def plain(ts: float | None) -> str | None:
    """``yyyy-mm-dd hh:mm:ss`` in UTC (BSG)."""
    return None if ts is None else _utc(ts).strftime("%Y-%m-%d %H:%M:%S")


def iso_ms(ts: float | None) -> str | None:
    """ISO 8601 with milliseconds and ``Z`` (Kore, Cellcast/Mongo)."""
    if ts is None:
        return None
    return _utc(ts).strftime("%Y-%m-%dT%H:%M:%S.") + f"{_utc(ts).microsecond // 1000:03d}Z"


def iso_us(ts: float | None) -> str | None:
    """ISO 8601 with microseconds and ``Z`` (Laravel's default, comm.com)."""
    return None if ts is None else _utc(ts).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_when(value: object, *, end_of_day: bool = False) -> float:
    """Epoch seconds from a number, ``datetime`` or date/time string (naive = UTC).

    A bare ``yyyy-mm-dd`` is the start of that day, or its last second with
    ``end_of_day=True`` (for inclusive "to" filters). ``ValueError``/``TypeError`` when unparsable.
    """
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        text = value.strip()
        iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
        moment = dt.datetime.fromisoformat(iso)
        if end_of_day and _DATE_ONLY.fullmatch(text):
            moment += dt.timedelta(days=1, microseconds=-1)
    else:
        raise TypeError(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


class SimClock:
    """The simulator's one clock: wall time for timestamps and traffic, monotonic time for timelines.

    Every record, rate limit and traffic figure reads time here, so a test can hand in a
    :class:`ManualClock` and move time on without sleeping.
    """

    def time(self) -> float:
        """Wall-clock seconds since the epoch."""
        return time.time()

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back."""
        return time.monotonic()


class ManualClock(SimClock):
    """A clock that moves only when told to (tests): both readings advance together.

    :param start: the wall time it starts at (epoch seconds; default: now).
    """

    def __init__(self, start: float | None = None) -> None:
        """Start at ``start`` (default now)."""
        self._wall = time.time() if start is None else float(start)
        self._mono = 1000.0
        self._lock = threading.Lock()

    def time(self) -> float:
        """The current fake wall time."""
        with self._lock:
            return self._wall

    def monotonic(self) -> float:
        """The current fake monotonic time."""
        with self._lock:
            return self._mono

    def advance(self, seconds: float) -> None:
        """Move both readings ``seconds`` on (``ValueError`` for a negative step)."""
        if seconds < 0:
            raise ValueError(f"a clock does not go back ({seconds} s)")
        with self._lock:
            self._wall += seconds
            self._mono += seconds


SYSTEM_CLOCK = SimClock()
