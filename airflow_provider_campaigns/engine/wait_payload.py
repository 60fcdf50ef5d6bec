"""The wait as it travels to the triggerer and back: the trigger's kwargs and the status entries of its events.

Plain values only (vendor keys, connection ids, references as dicts, options, timeouts): a trigger's kwargs
are stored in the metadata database, so never a secret.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_provider_campaigns.engine.stop_batch import Part
    from airflow_provider_campaigns.engine.task_wait import Waiting
    from airflow_provider_campaigns.status import CampaignStatus
    from airflow_provider_campaigns.vendors.base import Ref

#: how far past its deadline one poll round may run before the trigger gives up on it
DEADLINE_GRACE = 5.0


def group(
    vendor: str, conn_id: str, refs: Sequence[Any], options: Mapping[str, Any] | None = None, request_timeout: Any = None
) -> dict[str, Any]:
    """One vendor connection's part of a wait, as the trigger serializes it (ids and options only, never a secret)."""
    return {
        "vendor": vendor,
        "conn_id": conn_id,
        "refs": [ref if isinstance(ref, Mapping) else ref.as_dict() for ref in refs],
        "options": dict(options or {}),
        "request_timeout": list(request_timeout) if isinstance(request_timeout, (list, tuple)) else request_timeout,
    }


def status_entry(vendor: str, conn_id: str, status: CampaignStatus, ref: Any) -> dict[str, Any]:
    """A status as an event carries it: :meth:`CampaignStatus.as_dict` keyed by vendor key, with the connection and reference."""
    return {**status.as_dict(), "vendor": vendor, "conn_id": conn_id, "ref": ref.as_dict()}


def trigger_kwargs(groups: Sequence[tuple[Part, list[Ref]]], waiting: Waiting, clock_time: float) -> dict[str, Any]:
    """The kwargs of the status trigger that continues a wait in the triggerer (ids, options and timeouts only: never a secret)."""
    serialized = [
        group(part.hook.conn_type, part.hook.conn_id, refs, asdict(part.hook.options), list(part.hook.settings.timeout))
        for part, refs in groups
    ]
    targets = sorted(state.value for state in waiting.targets)
    deadline = clock_time + waiting.timeout
    return {"groups": serialized, "target_states": targets, "poll_interval": waiting.poll_interval, "deadline": deadline}
