"""Injected faults: what they are, which requests they hit, how many times.

Kinds (``params`` in brackets):

- ``status`` [``status`` (int, default 503), ``retry_after`` (str, sent as
  ``Retry-After``), ``body`` (str/bytes or JSON-able; default: the vendor's own error
  body, an nginx-style HTML page for 502/504), ``content_type``]
- ``slow`` [``delay`` seconds, default 1.0]: wait, then answer normally (the vendor
  logic runs, so a slow stop does stop the campaign).
- ``drop``: close the socket without answering.
- ``malformed``: HTTP 200, ``application/json``, body ``{"data": `` (truncated).
- ``empty``: HTTP 200 with an empty body.
- ``content_type``: HTTP 200, ``text/html``, ``<html>maintenance</html>``.
- ``expire_token``: BSG revokes every JWT issued so far, then answers normally (so
  a call with an old JWT gets 401, a login works); the other vendors answer this
  one request with their 401.

``when="before"`` (default) answers instead of the vendor, so nothing changes;
``when="after"`` (``status``, ``drop``, ``malformed``, ``empty``, ``content_type``)
runs the vendor logic first (e.g. the stop happens) and then replaces the answer.

``probability`` (0..1, default 1) makes a fault fire on that share of the matching
requests, drawn from the fault book's random generator (seeded by ``Simulator(seed=...)``,
so a run is reproducible); a request it does not fire on goes on to the next matching
fault and uses none of its ``times``.

``path`` is a regex searched in the vendor-relative path and in the full path
(query excluded); ``method`` is compared case-insensitively; ``vendor`` ``None``
or ``"*"`` matches every vendor. Each request a fault fires on uses one of its
``times``; ``times=None`` never runs out. The earliest-injected matching fault wins.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any

KINDS = frozenset({"status", "slow", "drop", "malformed", "empty", "content_type", "expire_token"})
AFTER_KINDS = frozenset({"status", "drop", "malformed", "empty", "content_type"})
MALFORMED_BODY = b'{"data": '
MAINTENANCE_BODY = b"<html>maintenance</html>"


@dataclass
class Fault:
    """One injected fault."""

    vendor: str | None
    kind: str
    times: int | None = 1
    path: re.Pattern[str] | None = None
    method: str | None = None
    when: str = "before"
    params: dict[str, Any] = field(default_factory=dict)
    probability: float = 1.0

    def matches(self, vendor: str, method: str, path: str, raw_path: str) -> bool:
        """Whether this fault applies to the request."""
        if self.vendor is not None and self.vendor != vendor:
            return False
        if self.method is not None and self.method != method.upper():
            return False
        return self.path is None or bool(self.path.search(path) or self.path.search(raw_path))

    def describe(self) -> dict[str, Any]:
        """A JSON-safe description (for the control API)."""
        return {
            "vendor": self.vendor,
            "fault": self.kind,
            "times": self.times,
            "path": self.path.pattern if self.path is not None else None,
            "method": self.method,
            "when": self.when,
            "probability": self.probability,
            **{k: v for k, v in self.params.items() if isinstance(v, (str, int, float, bool, type(None)))},
        }


def make_fault(
    vendor: str | None,
    kind: str,
    *,
    times: int | None = 1,
    path: str | None = None,
    method: str | None = None,
    when: str = "before",
    probability: float = 1.0,
    **params: Any,
) -> Fault:
    """Validate arguments and build a :class:`Fault` (``ValueError`` when invalid)."""
    if kind not in KINDS:
        raise ValueError(f"unknown fault {kind!r}; expected one of {', '.join(sorted(KINDS))}")
    if when not in ("before", "after"):
        raise ValueError("when must be 'before' or 'after'")
    if when == "after" and kind not in AFTER_KINDS:
        raise ValueError(f"fault {kind!r} cannot run after the vendor logic")
    if times is not None and (isinstance(times, bool) or int(times) < 1):
        raise ValueError("times must be a positive integer or None")
    if isinstance(probability, bool) or not isinstance(probability, (int, float)) or not 0 <= probability <= 1:
        raise ValueError(f"probability must be a number from 0 to 1, not {probability!r}")
    if kind == "status":
        status = int(params.get("status", 503))
        if not 100 <= status <= 599:
            raise ValueError("status must be an HTTP status code")
        params["status"] = status
    if kind == "slow":
        params["delay"] = float(params.get("delay", 1.0))
    return Fault(
        vendor=None if vendor in (None, "*") else vendor,
        kind=kind,
        times=None if times is None else int(times),
        path=re.compile(path) if path else None,
        method=method.upper() if method else None,
        when=when,
        params=params,
        probability=float(probability),
    )


class FaultBook:
    """The pending faults, consumed one per matching request."""

    def __init__(self, seed: int | None = None) -> None:
        """Start with no faults; ``seed`` makes probabilistic faults reproducible."""
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._seed = seed
        self._rng = random.Random(seed)

    def reseed(self) -> None:
        """Restart the random sequence from the seed (a fresh one without a seed)."""
        with self._lock:
            self._rng = random.Random(self._seed)

    def add(self, fault: Fault) -> None:
        """Queue a fault."""
        with self._lock:
            self._faults.append(fault)

    def take(self, vendor: str, method: str, path: str, raw_path: str) -> Fault | None:
        """The first matching fault, with one use consumed; ``None`` when none matches."""
        if not self._faults:
            return None
        with self._lock:
            for index, fault in enumerate(self._faults):
                if not fault.matches(vendor, method, path, raw_path):
                    continue
                if fault.probability < 1 and self._rng.random() >= fault.probability:
                    continue
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        del self._faults[index]
                return fault
        return None

    def pending(self) -> list[dict[str, Any]]:
        """Descriptions of the faults still queued."""
        with self._lock:
            return [fault.describe() for fault in self._faults]

    def clear(self) -> None:
        """Forget every fault."""
        with self._lock:
            self._faults.clear()
