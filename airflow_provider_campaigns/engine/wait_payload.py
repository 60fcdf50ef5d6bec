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
        "refs": pack_refs([ref if isinstance(ref, Mapping) else ref.as_dict() for ref in refs]),
        "options": dict(options or {}),
        "request_timeout": list(request_timeout) if isinstance(request_timeout, (list, tuple)) else request_timeout,
    }


def pack_refs(refs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]] | dict[str, Any]:
    """References as the trigger's kwargs carry them: a field every reference has with the same value once
    (``shared``), the others (``fields``) as one row of values per reference; a scalar when one field varies.

    10,000 references take a third of the bytes of a dict each (the metadata database stores the kwargs).
    One reference, or references of different shapes, stay a list of dicts (:func:`unpack_refs` reads both).
    """
    if len(refs) < 2 or any(ref.keys() != refs[0].keys() for ref in refs):
        return [dict(ref) for ref in refs]
    first = refs[0]
    shared = {key: first[key] for key in first if all(ref[key] == first[key] for ref in refs)}
    fields = [key for key in first if key not in shared]
    rows: list[Any] = [ref[fields[0]] for ref in refs] if len(fields) == 1 else [[ref[key] for key in fields] for ref in refs]
    return {"shared": shared, "fields": fields, "rows": rows}


def unpack_refs(packed: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> list[dict[str, Any]]:
    """The references as dicts again, from :func:`pack_refs`'s form or a plain list of dicts (kwargs of earlier versions)."""
    if not isinstance(packed, Mapping):
        return [dict(ref) for ref in packed]
    shared, fields = dict(packed["shared"]), list(packed["fields"])
    if len(fields) == 1:
        return [{**shared, fields[0]: value} for value in packed["rows"]]
    return [{**shared, **dict(zip(fields, row, strict=True))} for row in packed["rows"]]


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
