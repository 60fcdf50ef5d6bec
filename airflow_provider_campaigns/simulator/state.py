"""The campaign store and the time-based state machines.

Every campaign (a BSG campaign, one Cellcast message, one comm.com send, a Kore
campaign) is a :class:`Record`. Records advance lazily, on access, along a timeline
of ``(seconds after creation, status)`` steps measured on the simulator's clock (:mod:`.clock`);
a step applies only while the record is in one of its machine's *advancing*
statuses, so a stopped, paused or finished campaign stays where it is. The wall
time of each step is back-dated to when it would have happened, so answers show
exact ``real_start_at``/``finished_at`` values however late they are read.

An accepted stop with a *wind-down* freezes the timeline: the record keeps the status it
had for that many seconds, then moves to the vendor's stopped state (see
:meth:`Record.schedule_stop`). A record with a :class:`~.traffic.Flow` sends messages until
then: :attr:`Record.halt` is when its stop takes effect.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .clock import SYSTEM_CLOCK, SimClock, parse_when
from .config import check_wind_down
from .traffic import Flow


@dataclass(frozen=True)
class Machine:
    """A vendor's statuses: which advance with time, the running and done steps."""

    statuses: tuple[str, ...]
    advancing: frozenset[str]
    running: str
    done: str
    aliases: tuple[tuple[str, str], ...] = ()

    def canonical(self, status: str) -> str:
        """The vendor's spelling of ``status`` (case-insensitive); ``ValueError`` if unknown."""
        lowered = status.strip().lower()
        for alias, target in self.aliases:
            if lowered == alias:
                return target
        for known in self.statuses:
            if known.lower() == lowered:
                return known
        raise ValueError(f"unknown status {status!r}; expected one of {', '.join(self.statuses)}")


@dataclass
class Record:
    """One campaign's state; mutate only while holding :attr:`Store.lock`."""

    vendor: str
    id: Any
    status: str
    created: float
    machine: Machine
    clock: SimClock = SYSTEM_CLOCK
    mono0: float = 0.0
    timeline: list[tuple[float, str]] = field(default_factory=list)
    entered: dict[str, float] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    updated: float = 0.0
    stops: int = 0
    wind_down: float | None = None
    stop_at: tuple[float, str, float] | None = None
    flow: Flow | None = None
    stopped_at: float | None = None
    halt: float | None = None

    def ran_out_before_halt(self) -> bool:
        """Whether a stop came too late: every message of the campaign's traffic went out before its halt."""
        if self.flow is None or self.halt is None or self.flow.audience == 0:
            return False
        return self.flow.sent_by(self.halt) >= self.flow.audience

    def sent(self, moment: float | None = None) -> int:
        """Messages this campaign sent by ``moment`` (default now); 0 without traffic."""
        if self.flow is None:
            return 0
        return self.flow.sent_by(self.clock.time() if moment is None else moment, self.halt)

    @property
    def key(self) -> str:
        """The store key (the id as a string)."""
        return str(self.id)

    @property
    def winding_down(self) -> bool:
        """Whether an accepted stop is still to take effect."""
        return self.stop_at is not None

    def schedule_stop(self, delay: float, status: str) -> None:
        """Move to ``status`` in ``delay`` seconds; until then keep the current status (timeline frozen)."""
        self.stop_at = (self.clock.monotonic() + delay, status, self.clock.time() + delay)

    def wind_down_left(self, now: float | None = None) -> float | None:
        """Seconds until a scheduled stop takes effect (``None`` when none is scheduled)."""
        if self.stop_at is None:
            return None
        return max(0.0, self.stop_at[0] - (self.clock.monotonic() if now is None else now))

    def advance(self, now: float | None = None) -> None:
        """Apply every timeline step that is due, or the scheduled stop once it is due.

        A campaign whose traffic was all out before its stop took effect ran to its end: its
        timeline goes on (a Cellcast message due during the wind-down is ``sent``, not ``canceled``).
        """
        now = self.clock.monotonic() if now is None else now
        if self.stop_at is not None:
            due, status, wall = self.stop_at
            if now < due:
                return
            self.stop_at = None
            if not self.ran_out_before_halt():
                self.timeline.clear()
                self.set_status(status, wall)
                return
        while self.timeline and self.mono0 + self.timeline[0][0] <= now:
            if self.status not in self.machine.advancing:
                return
            offset, status = self.timeline.pop(0)
            if status != self.status:
                self.set_status(status, self.created + offset)

    def set_status(self, status: str, when: float | None = None) -> None:
        """Move to ``status`` at wall time ``when`` (default now)."""
        when = self.clock.time() if when is None else when
        self.status = status
        self.entered[status] = when
        self.updated = when


@dataclass(frozen=True)
class Timing:
    """When a new campaign was created, starts and finishes by itself, and how long a stop takes.

    ``starts_in``/``finishes_in`` are seconds from now (``None`` = never); ``created_at`` is a
    date/time (default now); ``wind_down`` overrides the simulator's default delay of an
    accepted stop.
    """

    starts_in: float | None = None
    finishes_in: float | None = None
    created_at: object = None
    wind_down: float | None = None


def new_record(vendor: str, record_id: Any, machine: Machine, status: str, timing: Timing, clock: SimClock = SYSTEM_CLOCK) -> Record:
    """Build a record in ``status`` (validated against ``machine``), with its timeline, on ``clock``."""
    created = clock.time() if timing.created_at is None else parse_when(timing.created_at)
    canonical = machine.canonical(status)
    steps: list[tuple[float, str]] = []
    if timing.starts_in is not None:
        steps.append((float(timing.starts_in), machine.running))
    if timing.finishes_in is not None:
        steps.append((float(timing.finishes_in), machine.done))
    steps.sort(key=lambda step: step[0])
    record = Record(vendor, record_id, canonical, created, machine, clock=clock, mono0=clock.monotonic(), timeline=steps)
    record.wind_down = None if timing.wind_down is None else check_wind_down(timing.wind_down)
    record.entered[canonical] = created
    record.updated = created
    return record


class Store:
    """All records, grouped by vendor, behind one re-entrant lock."""

    def __init__(self, clock: SimClock = SYSTEM_CLOCK) -> None:
        """Create an empty store whose records read time from ``clock``."""
        self.clock = clock
        self.lock = threading.RLock()
        self._records: dict[str, dict[str, Record]] = {}
        self.groups: dict[str, dict[str, dict[str, Any]]] = {}
        self._counters: dict[str, int] = {}

    def next_number(self, name: str, start: int = 1) -> int:
        """A per-name increasing counter (BSG ids, ObjectId suffixes)."""
        with self.lock:
            value = self._counters.get(name, start - 1) + 1
            self._counters[name] = value
            return value

    def put(self, record: Record) -> Record:
        """Add or replace a record."""
        with self.lock:
            self._records.setdefault(record.vendor, {})[record.key] = record
            return record

    def get(self, vendor: str, key: object) -> Record | None:
        """The record, advanced to now, or ``None``."""
        with self.lock:
            record = self._records.get(vendor, {}).get(str(key))
            if record is not None:
                record.advance()
            return record

    def all(self, vendor: str) -> list[Record]:
        """Every record of ``vendor`` in creation order, advanced to now."""
        with self.lock:
            records = list(self._records.get(vendor, {}).values())
            now = self.clock.monotonic()
            for record in records:
                record.advance(now)
            return records

    def group(self, vendor: str, key: str) -> dict[str, Any] | None:
        """Vendor-specific grouping data (comm.com campaigns holding sends)."""
        with self.lock:
            return self.groups.get(vendor, {}).get(key)

    def put_group(self, vendor: str, key: str, data: dict[str, Any]) -> None:
        """Store grouping data."""
        with self.lock:
            self.groups.setdefault(vendor, {})[key] = data

    def reset(self, vendors: Iterable[str] | None = None) -> None:
        """Forget every record (id counters keep counting, so ids are never reused)."""
        with self.lock:
            for vendor in list(vendors) if vendors is not None else list(self._records):
                self._records.pop(vendor, None)
                self.groups.pop(vendor, None)
