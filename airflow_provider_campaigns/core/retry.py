"""The one retry policy: bounded attempts and total time, exponential back-off with jitter,
``Retry-After`` honoured up to a cap. Shared by the sync and the async transport.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    """How one call retries transient failures.

    :param max_retries: retries after the first attempt (0 = never retry).
    :param backoff_base: first back-off in seconds, doubled on every retry.
    :param backoff_max: longest single back-off.
    :param retry_after_max: longest ``Retry-After`` honoured; a longer one ends the retries.
    :param total_timeout: seconds one call may spend in all, retries included.
    """

    max_retries: int = 4
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    retry_after_max: float = 30.0
    total_timeout: float = 60.0

    def backoff(self, retry_number: int) -> float:
        """Exponential back-off with jitter (between half and all of the exponential value)."""
        exponential = min(self.backoff_max, self.backoff_base * 2.0 ** max(0, retry_number - 1))
        return exponential * random.uniform(0.5, 1.0)

    def next_delay(self, retries_done: int, retry_after: float | None, remaining: float) -> tuple[float | None, str]:
        """The wait before the next retry, or ``None`` with the reason to stop retrying."""
        if retries_done >= self.max_retries:
            return None, f"gave up after {retries_done + 1} attempt(s) (max_retries={self.max_retries})"
        if retry_after is not None and retry_after > self.retry_after_max:
            return None, f"the vendor asked to wait {retry_after:.0f} s (Retry-After), over retry_after_max={self.retry_after_max:g} s"
        delay = retry_after if retry_after is not None else self.backoff(retries_done + 1)
        if delay >= remaining:
            return None, f"the next retry would pass the call's total time limit ({self.total_timeout:g} s)"
        return delay, ""
