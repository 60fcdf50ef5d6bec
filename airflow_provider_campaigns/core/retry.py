"""The one retry policy: retry transient trouble until a deadline, with capped exponential back-off
and jitter, honouring ``Retry-After``. Shared by the sync and the async transport.

Budgets are time, not attempts: a 5-second burst of 429s or a 15-second outage is outlived by any
call whose deadline lies beyond it. ``max_retries`` is an optional extra cap for those who want one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
#: a retry that could start only this close to the deadline is not worth sending
MIN_USEFUL_WAIT = 0.05


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

    :param max_retries: an optional cap on retries after the first attempt (``None``: as many as
        the deadline allows; ``0``: never retry).
    :param backoff_base: first back-off in seconds, doubled on every retry.
    :param backoff_max: longest single back-off.
    :param retry_after_max: longest ``Retry-After`` honoured; a longer one ends the retries.
    :param total_timeout: seconds one call may spend in all when the caller gives no deadline.
    """

    max_retries: int | None = None
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    retry_after_max: float = 30.0
    total_timeout: float = 60.0

    def backoff(self, retry_number: int, rng: random.Random | None = None) -> float:
        """Exponential back-off with jitter: between half and all of ``base * 2**(n-1)``, capped."""
        exponential = min(
            self.backoff_max, self.backoff_base * 2.0 ** min(max(0, retry_number - 1), 64)
        )  # no float overflow after ~1000 retries
        return exponential * (rng or random).uniform(0.5, 1.0)

    def next_delay(self, retries_done: int, retry_after: float | None, remaining: float) -> tuple[float | None, str]:
        """The wait before the next retry, or ``None`` with the reason to stop retrying.

        ``remaining`` is the time left before the call's deadline: a back-off is shortened to fit
        it, a ``Retry-After`` beyond it ends the retries (the vendor said "not before then").
        """
        if self.max_retries is not None and retries_done >= self.max_retries:
            return None, f"gave up after {retries_done + 1} attempt(s) (max_retries={self.max_retries})"
        if retry_after is not None and retry_after > self.retry_after_max:
            return None, f"the vendor asked to wait {retry_after:.0f} s (Retry-After), over retry_after_max={self.retry_after_max:g} s"
        if remaining <= MIN_USEFUL_WAIT or (retry_after is not None and retry_after >= remaining):
            return None, f"gave up at the deadline after {retries_done + 1} attempt(s)"
        delay = retry_after if retry_after is not None else min(self.backoff(retries_done + 1), remaining - MIN_USEFUL_WAIT)
        return max(0.0, delay), ""
