"""The wait of a stop operator, the kill switch and a status sensor as a task runs it: in the worker or deferred.

A task works on *parts*: one per vendor connection, each a hook with either a validated selection
(listed at run time) or exact references (a dry run's plan). Stopping (or reading, in a dry run) runs
the parts concurrently; the result is the one shape of :mod:`~airflow_provider_campaigns.engine.results`.
Waiting runs the one wait flow of :mod:`~airflow_provider_campaigns.engine.wait` in the worker, or
defers it to :class:`~airflow_provider_campaigns.triggers.status.CampaignStatusTrigger`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow_provider_campaigns.engine.results import FAILED, CampaignEntry, with_status
from airflow_provider_campaigns.engine.stop_batch import Part
from airflow_provider_campaigns.engine.task_output import push_result
from airflow_provider_campaigns.engine.wait_payload import DEADLINE_GRACE, status_entry
from airflow_provider_campaigns.exceptions import PermanentError, TransientError, UnacceptedStateError, error_from_event

if TYPE_CHECKING:
    from airflow_provider_campaigns.engine.wait import WaitOutcome
    from airflow_provider_campaigns.status import CampaignState, CampaignStatus
    from airflow_provider_campaigns.vendors.base import Ref

#: seconds of retries for the one status read before deferring (the trigger retries reads itself)
CHECK_BEFORE_DEFER_TIME = 5.0


def round_time(parts: Sequence[Part], poll_interval: float, deferring: bool) -> float:
    """How long one round of status reads may retry: within the poll interval, and briefly before deferring."""
    budget = min(part.hook.settings.retry.total_timeout for part in parts)
    return min(budget, CHECK_BEFORE_DEFER_TIME) if deferring else min(budget, max(poll_interval, CHECK_BEFORE_DEFER_TIME))


@dataclass(frozen=True)
class Waiting:
    """How to wait after a stop (or in a sensor): target states, interval, timeout, in the worker or the triggerer."""

    targets: frozenset[CampaignState]
    poll_interval: float
    timeout: float
    deferrable: bool


def watched(parts: Sequence[Part], entries: Sequence[CampaignEntry]) -> list[tuple[Part, list[Ref]]]:
    """The campaigns to wait for, per part: every one that was stopped or was already final.

    The references are the ones the part acted on; only a plan's campaigns reported without a request (already
    final) are rebuilt from their entry.
    """
    groups = []
    for part in parts:
        acted = {ref.label: ref for ref in part.acted}
        mine = [e for e in entries if e["vendor"] == part.hook.conn_type and e["conn_id"] == part.hook.conn_id and e["outcome"] != FAILED]
        if mine:
            groups.append((part, [acted.get(e["campaign_id"]) or part.hook.ref_from_entry(e["campaign_id"], e["ref"]) for e in mine]))
    return groups


def reader(groups: Sequence[tuple[Part, list[Ref]]], round_time: float) -> Callable[[], list[CampaignStatus]]:
    """A read of every watched campaign (vendors concurrently), each round bounded by ``round_time`` seconds of retries."""

    def read() -> list[CampaignStatus]:
        def work(item: tuple[Part, list[Ref]]) -> list[CampaignStatus]:
            part, refs = item
            return part.hook.statuses(refs, part.hook.clock.monotonic() + round_time)

        with ThreadPoolExecutor(max_workers=max(1, len(groups))) as pool:
            return [status for statuses in pool.map(work, groups) for status in statuses]

    return read


def apply_statuses(entries: Sequence[CampaignEntry], statuses: Sequence[Mapping[str, Any]]) -> list[CampaignEntry]:
    """Entries updated with the statuses a wait ended on (matched by vendor, connection and campaign)."""
    from airflow_provider_campaigns.status import CampaignStatus

    latest = {(s["vendor"], s["conn_id"], s["campaign_id"]): s for s in statuses}
    updated = []
    for item in entries:
        seen = latest.get((item["vendor"], item["conn_id"], item["campaign_id"]))
        updated.append(item if seen is None else with_status(item, CampaignStatus.from_dict(seen)))
    return updated


def statuses_of(groups: Sequence[tuple[Part, list[Ref]]], statuses: Sequence[CampaignStatus]) -> list[dict[str, Any]]:
    """Statuses read in the worker, as the trigger's events carry them (same order as the groups' refs)."""
    owners = [(part, ref) for part, refs in groups for ref in refs]
    return [
        status_entry(part.hook.conn_type, part.hook.conn_id, status, ref) for (part, ref), status in zip(owners, statuses, strict=False)
    ]


def outcome_result(
    outcome: WaitOutcome | Mapping[str, Any], value: dict[str, Any], context: Mapping[str, Any], sensor: bool
) -> dict[str, Any]:
    """The task result after a wait; a failed or timed-out wait pushes it and raises the matching error."""
    from airflow.providers.common.compat.sdk import AirflowSensorTimeout

    carried = None
    if isinstance(outcome, Mapping):
        status, message, carried = outcome.get("status"), str(outcome.get("message") or ""), outcome.get("error")
    else:
        status, message = outcome.status, outcome.message
    if status == "success":
        return value
    push_result(context, value)
    if status == "failure":
        raise UnacceptedStateError(message)
    if status == "timeout":
        raise AirflowSensorTimeout(message) if sensor else TransientError(message)
    if carried is not None:
        raise error_from_event(message, carried)
    raise PermanentError(message or f"the status wait ended with {status!r}")


def defer_timeout(parts: Sequence[Part], waiting: Waiting) -> timedelta:
    """Airflow's defer timeout: a backstop past the trigger's own deadline (plus one bounded poll round)."""
    slowest = max((part.hook.settings.retry.total_timeout for part in parts), default=60.0)
    return timedelta(seconds=waiting.timeout + slowest + waiting.poll_interval + DEADLINE_GRACE + 60)
