"""The one result shape every stop operator, the kill switch and every sensor returns, and the judging of statuses.

A task's ``return_value`` (also pushed under :data:`RESULT_KEY` when the task fails) is::

    {"campaigns": [entry, ...], "failed_targets": [failed target, ...],
     "totals": {"stopped": 0, "already_final": 0, "would_stop": 0, "failed": 0, "failed_targets": 0}, "dry_run": False}

and every entry is::

    {"vendor": "bsg", "conn_id": "bsg_default", "campaign_id": "1001", "name": "Black Friday",
     "outcome": "stopped", "state": "stopped", "vendor_status": "stopped", "error": None,
     "started_at": "2026-11-29T17:00:00Z", "finished_at": "2026-11-29T18:00:03Z", "ref": {}}

``outcome`` is ``stopped`` (this run stopped it), ``already_final`` (it was final before; a sensor
reports every campaign it saw final this way), ``would_stop`` (a dry run: not final, would be
stopped) or ``failed`` (``error`` says why). ``ref`` is what a later stop needs to address the
campaign again besides ``campaign_id`` and the vendor's defaults (BSG ``{}``, or ``{"channel": "rcs"}``;
Kore.ai ``{"stream_id": ...}``): a dry run's result is a plan the kill switch can stop exactly. Each
entry carries no more than that: ~300 bytes, so a result of 10,000 campaigns is ~3 MB of XCom.

A *failed target* is a target that selected nothing because it failed first (bad credentials, a list
the vendor refused or answered in an unexpected shape, a timeout)::

    {"vendor": "kore", "conn_id": "kore_default", "target": "targets['kore']",
     "asked": {"all_active": True}, "error": "Kore.ai: ..."}

``totals["failed"]`` counts failed campaigns *and* failed targets (``totals["failed_targets"]``
the targets alone): a result with ``totals["failed"] == 0`` had no failure of any kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict, cast

from airflow_provider_campaigns.exceptions import InvalidInputError
from airflow_provider_campaigns.status import ALREADY_FINAL as ALREADY_FINAL  # the outcomes, defined once in status.py
from airflow_provider_campaigns.status import FAILED as FAILED
from airflow_provider_campaigns.status import OUTCOMES as OUTCOMES
from airflow_provider_campaigns.status import STOPPED as STOPPED
from airflow_provider_campaigns.status import WOULD_STOP as WOULD_STOP
from airflow_provider_campaigns.status import CampaignStatus

if TYPE_CHECKING:
    from airflow_provider_campaigns.vendors.base import Ref

#: the XCom key a task pushes its result under when it fails (a successful task returns it)
RESULT_KEY = "campaigns_result"
#: the XCom key a stop keeps its pre-wait result under while it is deferred (internal; emptied when the wait ends)
WAIT_KEY = "campaigns_result_before_wait"
#: totals keys: the four outcomes, then the failed targets (also counted in ``failed``)
FAILED_TARGETS = "failed_targets"
#: a dry run's plan: per vendor connection the campaigns, the pace, the requests and when the last stop should land
ETA_KEY = "eta"


class CampaignEntry(TypedDict):
    """One campaign in a result (see the module docstring)."""

    vendor: str
    conn_id: str
    campaign_id: str
    name: str | None
    outcome: str
    state: str | None
    vendor_status: str | None
    error: str | None
    started_at: str | None
    finished_at: str | None
    ref: dict[str, Any]


#: the keys of an entry, in order (an entry journaled by an older version may carry others: dropped)
ENTRY_KEYS = tuple(CampaignEntry.__annotations__)


class FailedTarget(TypedDict):
    """A target that could not select its campaigns (see the module docstring)."""

    vendor: str
    conn_id: str
    target: str
    asked: dict[str, Any]
    error: str


def failed_target(vendor: str, conn_id: str, target: str, asked: Mapping[str, Any], error: str) -> FailedTarget:
    """A failed target; ``asked`` is the target's selection parameters (JSON-safe copies, never a secret)."""
    return FailedTarget(vendor=vendor, conn_id=conn_id, target=target, asked=_json_safe(dict(asked)), error=error)


def _json_safe(value: Any) -> Any:
    """``value`` with tuples and sets as lists and anything unusual as text (XCom stores JSON)."""
    if isinstance(value, Mapping):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_safe(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def entry(
    vendor: str,
    conn_id: str,
    ref: Ref | Mapping[str, Any],
    label: str,
    outcome: str,
    status: CampaignStatus | None = None,
    error: str | None = None,
) -> CampaignEntry:
    """An entry from what is known of the campaign (its status, or only the error); a reference object's ``ref`` keeps
    only what its label and the vendor's defaults do not say (:meth:`~airflow_provider_campaigns.vendors.base.Ref.entry_ref`).
    """
    state = status.state.value if status else None
    return CampaignEntry(
        vendor=vendor,
        conn_id=conn_id,
        campaign_id=label,
        name=status.name if status else None,
        outcome=outcome,
        state=state,
        vendor_status=status.vendor_status if status else None,
        error=error,
        started_at=status.started_at if status else None,
        finished_at=status.finished_at if status else None,
        ref=ref.entry_ref() if hasattr(ref, "entry_ref") else dict(ref),
    )


def stored_entry(item: Mapping[str, Any]) -> CampaignEntry:
    """An entry as stored (a journal, an XCom): its documented keys only (an older version's extra keys dropped)."""
    return cast(CampaignEntry, {key: item.get(key) for key in ENTRY_KEYS})


def with_status(item: CampaignEntry, status: CampaignStatus) -> CampaignEntry:
    """The entry updated with a newer status (after a wait); the outcome stays (and the start it had, where the status has none)."""
    return CampaignEntry(
        **{
            **item,
            "name": status.name or item["name"],
            "state": status.state.value,
            "vendor_status": status.vendor_status,
            "started_at": status.started_at or item["started_at"],
            "finished_at": status.finished_at,
        }  # type: ignore[typeddict-item]
    )


def result(
    entries: Iterable[CampaignEntry],
    dry_run: bool = False,
    failed_targets: Iterable[FailedTarget] = (),
    eta: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The result dict: entries in order, failed targets, totals (zeros included; ``failed`` counts both), the dry-run
    flag, and a dry run's :data:`ETA_KEY` (its plan per vendor connection, when given).
    """
    campaigns = list(entries)
    targets = list(failed_targets)
    totals = dict.fromkeys(OUTCOMES, 0)
    for item in campaigns:
        totals[item["outcome"]] += 1
    totals[FAILED] += len(targets)
    totals[FAILED_TARGETS] = len(targets)
    value = {"campaigns": campaigns, FAILED_TARGETS: targets, "totals": totals, "dry_run": dry_run}
    if eta is not None:
        value[ETA_KEY] = dict(eta)
    return value


def with_entries(value: Mapping[str, Any], entries: Iterable[CampaignEntry]) -> dict[str, Any]:
    """``value`` (a result) with new entries (after a wait): its failed targets, dry-run flag and ETA kept, totals recounted."""
    return result(entries, bool(value.get("dry_run")), value.get(FAILED_TARGETS) or [], value.get(ETA_KEY))


def entries_of(value: Any, parameter: str = "plan") -> list[CampaignEntry]:
    """The entries of a result (e.g. a dry run's, used as a plan), checked for the keys a stop needs."""
    if not isinstance(value, Mapping) or not isinstance(value.get("campaigns"), list):
        raise InvalidInputError(f"{parameter} must be a result such as a dry run returns ({{'campaigns': [...], ...}}), not {value!r:.80}.")
    items = value["campaigns"]
    for index, item in enumerate(items):
        missing = [key for key in ("vendor", "conn_id", "campaign_id", "ref") if not isinstance(item, Mapping) or key not in item]
        if missing:
            raise InvalidInputError(f"{parameter}['campaigns'][{index}] lacks {', '.join(missing)}: pass a result returned by a dry run.")
    return list(items)
