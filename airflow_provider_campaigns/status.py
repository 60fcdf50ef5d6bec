"""The normalized campaign state every vendor's status maps into."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

from airflow_provider_campaigns.activity import Activity

log = logging.getLogger(__name__)

#: What a task did with one campaign (the ``outcome`` of a result entry), defined once for the flows and the result.
STOPPED = "stopped"
ALREADY_FINAL = "already_final"
WOULD_STOP = "would_stop"
FAILED = "failed"
OUTCOMES = (STOPPED, ALREADY_FINAL, WOULD_STOP, FAILED)

class CampaignState(StrEnum):
    """Vendor-neutral campaign state; ``FINAL_STATES`` are the ones a campaign never leaves."""

    ACTIVE = "active"
    PAUSED = "paused"
    STOPPED = "stopped"
    COMPLETED = "completed"
    FAILED = "failed"
    UNKNOWN = "unknown"

    @property
    def is_final(self) -> bool:
        """Whether a campaign in this state will never send again."""
        return self in FINAL_STATES


FINAL_STATES = frozenset({CampaignState.STOPPED, CampaignState.COMPLETED, CampaignState.FAILED})


def parse_states(values: Iterable[str | CampaignState], parameter: str) -> frozenset[CampaignState]:
    """Turn user-given state names into states, failing on a name that is not a state."""
    from airflow_provider_campaigns.exceptions import InvalidInputError

    states = set()
    for value in values:
        try:
            states.add(CampaignState(str(value).strip().lower()))
        except ValueError:
            allowed = ", ".join(s.value for s in CampaignState)
            raise InvalidInputError(f"{parameter}: {value!r} is not a campaign state; use one of {allowed}.") from None
    return frozenset(states)


class StatusMap:
    """Map one vendor's raw statuses (case-insensitively) to :class:`CampaignState`.

    An unmapped status is logged once per map and normalized to ``unknown``: never a crash.
    """

    def __init__(self, vendor: str, mapping: Mapping[str, CampaignState]) -> None:
        self.vendor = vendor
        self._mapping = {key.casefold(): value for key, value in mapping.items()}
        self._reported: set[str] = set()

    def extended(self, extra: Mapping[str, str | CampaignState] | None) -> StatusMap:
        """Return a copy with user-supplied entries added (they win over the defaults)."""
        if not extra:
            return self
        merged: dict[str, CampaignState] = dict(self._mapping)
        for raw, state in extra.items():
            merged[str(raw).casefold()] = next(iter(parse_states([state], "status_map")))
        return StatusMap(self.vendor, merged)

    def knows(self, raw: str) -> bool:
        """Whether ``raw`` is one of this vendor's status spellings (case-insensitively)."""
        return raw.strip().casefold() in self._mapping

    def spellings_of(self, states: Iterable[CampaignState]) -> list[str]:
        """Every known spelling (casefolded) that normalizes to one of ``states``."""
        wanted = set(states)
        return [raw for raw, state in self._mapping.items() if state in wanted]

    def normalize(self, raw: Any) -> CampaignState:
        """The normalized state of a raw vendor status (``unknown`` when unmapped)."""
        key = str(raw).strip().casefold() if raw is not None else ""
        state = self._mapping.get(key)
        if state is None:
            if key not in self._reported:
                self._reported.add(key)
                log.warning("%s status %r is not known to this provider; treating it as not final.", self.vendor, raw)
            return CampaignState.UNKNOWN
        return state


@lru_cache(maxsize=4096)
def iso_utc(value: str) -> str:
    """A vendor timestamp as ISO 8601 in UTC (``2026-01-01T09:00:00Z``); a time without a zone is UTC.

    BSG writes ``yyyy-mm-dd hh:mm:ss`` without a zone, the others ISO 8601; one form in every result.
    Every stop answer carries several, and a batch's answers share most of them (stopped in the same
    second): they are cached, the plain ISO forms are read by the standard library and pendulum reads
    the rest. A value neither can read is kept as the vendor wrote it.
    """
    try:
        parsed = datetime.fromisoformat(value)
    except (ValueError, TypeError):
        return _iso_utc_by_pendulum(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _iso_utc_by_pendulum(value: str) -> str:
    import pendulum

    try:
        parsed = pendulum.parse(value, tz="UTC")
    except (ValueError, TypeError):
        return value
    return parsed.in_tz("UTC").to_iso8601_string() if isinstance(parsed, pendulum.DateTime) else value


@dataclass(frozen=True)
class CampaignStatus:
    """A campaign's state as read from a vendor: normalized state plus the raw status."""

    vendor: str
    campaign_id: str
    state: CampaignState
    vendor_status: str | None
    timestamps: Mapping[str, str] = field(default_factory=dict)
    name: str | None = None
    #: what a list row said about its sending (for the order of stops; never serialized)
    activity: Activity | None = field(default=None, compare=False, repr=False)
    #: when the campaign started sending (ISO 8601, UTC), from the vendor's own timestamp keys; ``None`` if unknown
    started_at: str | None = None
    #: when the campaign became final (ISO 8601, UTC); ``None`` while not final or if the vendor does not say
    finished_at: str | None = None

    @property
    def is_final(self) -> bool:
        """Whether the campaign is stopped, completed or failed."""
        return self.state.is_final

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form for XCom and trigger events."""
        result: dict[str, Any] = {
            "vendor": self.vendor,
            "campaign_id": self.campaign_id,
            "state": self.state.value,
            "vendor_status": self.vendor_status,
        }
        if self.name is not None:
            result["name"] = self.name
        if self.timestamps:
            result["timestamps"] = dict(self.timestamps)
        if self.started_at is not None:
            result["started_at"] = self.started_at
        if self.finished_at is not None:
            result["finished_at"] = self.finished_at
        return result

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CampaignStatus:
        """Inverse of :meth:`as_dict`."""
        return cls(
            vendor=str(data["vendor"]),
            campaign_id=str(data["campaign_id"]),
            state=CampaignState(data["state"]),
            vendor_status=data.get("vendor_status"),
            timestamps=dict(data.get("timestamps") or {}),
            name=data.get("name"),
            started_at=data.get("started_at"),
            finished_at=data.get("finished_at"),
        )
