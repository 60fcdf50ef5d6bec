"""Rate limits in front of the fake vendors: one token bucket per vendor, answered with the vendor's own 429.

A bucket holds up to ``burst`` tokens and gains ``rate`` a second; every request to the vendor
(login and list calls included, as a gateway counts them) takes one. A request that finds no token
is refused with the vendor's 429 body (see each ``FakeVendor.rate_limited``) and, when
``refused_spends`` is set, still spends a token: the bucket goes into debt (at most a minute of
tokens), so a client that keeps knocking keeps itself locked out.

``retry_after`` says what the 429 carries:

- ``"honest"``: ``Retry-After`` with the whole seconds until a token is there (at least 1);
- ``"absent"``: no ``Retry-After`` (Kore.ai documents none; its default);
- ``"short"``: ``Retry-After: 0``, a lie: the next request is refused as well;
- ``None``: the vendor's default (each fake's ``rate_limit_retry_after``: ``absent`` for Kore.ai,
  ``honest`` for the others).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import fakes

RETRY_AFTER_MODES = ("honest", "absent", "short")
#: how deep a bucket may go into debt when refused requests spend tokens, in seconds of tokens
MAX_DEBT_SECONDS = 60.0


@dataclass(frozen=True)
class RateLimit:
    """One vendor's limit: ``rate`` requests a second, ``burst`` at once (default: one second's worth)."""

    rate: float
    burst: float = 0.0
    refused_spends: bool = False
    retry_after: str | None = None

    @classmethod
    def build(cls, rate: Any, burst: Any = None, refused_spends: Any = False, retry_after: Any = None) -> RateLimit:
        """A validated limit (``ValueError`` naming the bad value)."""
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < float(rate) < math.inf:
            raise ValueError(f"rate must be a number of requests a second > 0, not {rate!r}")
        if burst is None:
            burst = max(1.0, float(rate))
        if isinstance(burst, bool) or not isinstance(burst, (int, float)) or not 1 <= float(burst) < math.inf:
            raise ValueError(f"burst must be a number of requests >= 1, not {burst!r}")
        if not isinstance(refused_spends, bool):
            raise ValueError(f"refused_spends must be true or false, not {refused_spends!r}")
        if retry_after is not None and retry_after not in RETRY_AFTER_MODES:
            modes = ", ".join(RETRY_AFTER_MODES)
            raise ValueError(f"retry_after must be one of {modes} (or null: the vendor's default), not {retry_after!r}")
        return cls(float(rate), float(burst), refused_spends, retry_after)

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe settings."""
        return {"rate": self.rate, "burst": self.burst, "refused_spends": self.refused_spends, "retry_after": self.retry_after}


@dataclass
class Bucket:
    """A token bucket and what it let through."""

    limit: RateLimit
    tokens: float = 0.0
    updated: float = 0.0
    accepted: int = 0
    refused: int = 0

    def take(self, now: float) -> float | None:
        """Spend a token: ``None`` when there was one, else the seconds until there will be one."""
        self.tokens = min(self.limit.burst, self.tokens + (now - self.updated) * self.limit.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            self.accepted += 1
            return None
        self.refused += 1
        if self.limit.refused_spends:
            self.tokens = max(-self.limit.rate * MAX_DEBT_SECONDS, self.tokens - 1.0)
        return (1.0 - self.tokens) / self.limit.rate


@dataclass
class RateLimits:
    """Every vendor's bucket (a vendor without one is unlimited); thread-safe."""

    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def set(self, vendor: str, limit: RateLimit | None) -> None:
        """Put ``limit`` in front of ``vendor`` (a full bucket), or lift it with ``None``."""
        fakes.check_key(vendor)
        with self._lock:
            if limit is None:
                self._buckets.pop(vendor, None)
            else:
                self._buckets[vendor] = Bucket(limit, tokens=limit.burst, updated=self.clock())

    def take(self, vendor: str) -> tuple[RateLimit, float] | None:
        """``None`` when the request may go on, else the limit it broke and the seconds until a token."""
        with self._lock:
            bucket = self._buckets.get(vendor)
            if bucket is None:
                return None
            wait = bucket.take(self.clock())
            return None if wait is None else (bucket.limit, wait)

    def refill(self) -> None:
        """Fill every bucket and zero its counts (a simulator reset keeps the limits themselves)."""
        with self._lock:
            now = self.clock()
            for vendor, bucket in self._buckets.items():
                self._buckets[vendor] = Bucket(bucket.limit, tokens=bucket.limit.burst, updated=now)

    def describe(self) -> dict[str, dict[str, Any]]:
        """Per limited vendor: its settings and how many requests it accepted and refused."""
        with self._lock:
            return {vendor: {**b.limit.as_dict(), "accepted": b.accepted, "refused": b.refused} for vendor, b in self._buckets.items()}


def retry_after_header(mode: str, wait: float) -> str | None:
    """The ``Retry-After`` value a refusal carries under ``mode`` (``None``: no header)."""
    if mode == "absent":
        return None
    if mode == "short":
        return "0"
    return str(max(1, math.ceil(wait)))


def parse_rate_limit(text: str) -> tuple[str, RateLimit]:
    """``"VENDOR=1"`` or ``"VENDOR=15,burst=15,refused_spends=true,retry_after=short"`` (command line)."""
    head, *options = [part.strip() for part in text.split(",")]
    vendor, sep, rate = head.partition("=")
    if not sep:
        raise ValueError(f"expected VENDOR=RATE[,burst=N][,refused_spends=true][,retry_after=MODE], not {text!r}")
    values: dict[str, Any] = {}
    for option in options:
        key, sep, value = option.partition("=")
        if not sep or key not in ("burst", "refused_spends", "retry_after"):
            raise ValueError(f"unknown rate-limit option {option!r}; expected burst=N, refused_spends=true|false, retry_after=MODE")
        if key == "burst":
            values[key] = _number(value, key)
        elif key == "refused_spends":
            values[key] = value.lower() in ("1", "true", "yes", "on")
        else:
            values[key] = value
    return fakes.check_key(vendor.strip()), RateLimit.build(_number(rate, "rate"), **values)


def _number(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {text!r}") from None
