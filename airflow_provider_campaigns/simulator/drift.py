"""Drift on purpose: a vendor that answers in an altered shape, as a vendor changing its API would.

One switch per vendor (``SimConfig.drift``, e.g. ``{"kore": "missing_paging"}``) rewrites that
vendor's successful JSON answers after the vendor logic ran (so a drifted stop still stops):

- ``renamed_field``: the campaign (message) id of every resource is renamed (BSG ``id`` →
  ``campaign_id``, Cellcast ``_id`` → ``message_id``, comm.com ``id`` → ``uuid``, Kore.ai
  ``id``/``_id`` → ``campaignId``);
- ``moved_status``: the status moves into ``state.status`` of the same object (comm.com: the
  campaign's ``meta.multistep_status.status`` moves to ``meta.status``, a send's ``status`` to
  ``state.status``);
- ``missing_paging``: the list answer loses every paging signal (BSG ``meta.page.total``;
  Cellcast ``hasNextPage``, ``nextPage``, ``totalPages``, ``total``; comm.com ``links``,
  ``meta.last_page``, ``meta.total``; Kore.ai ``hasMore``, ``moreAvailable``, ``total``,
  ``totalResults``, ``totalPages``).

Errors (4xx/5xx), non-JSON answers and the control API are never altered.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from .http_types import SimRequest, SimResponse, dumps

KINDS = ("renamed_field", "moved_status", "missing_paging")
#: what each vendor's ``renamed_field`` renames: (old names, new name)
RENAMED_IDS: dict[str, tuple[tuple[str, ...], str]] = {
    "bsg": (("id",), "campaign_id"),
    "cellcast": (("_id",), "message_id"),
    "comm": (("id",), "uuid"),
    "kore": (("id", "_id"), "campaignId"),
}
#: the paging signals ``missing_paging`` removes, per vendor: (container path, keys)
PAGING_SIGNALS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "bsg": (("meta.page", ("total",)),),
    "cellcast": (("data", ("hasNextPage", "nextPage", "totalPages", "total")), ("", ("hasNextPage", "nextPage", "totalPages"))),
    "comm": (("", ("links",)), ("meta", ("last_page", "total"))),
    "kore": tuple((path, ("hasMore", "moreAvailable", "total", "totalResults", "totalPages")) for path in ("", "data")),
}


def check_drift(value: object, vendors: tuple[str, ...]) -> dict[str, str]:
    """``{vendor: kind}`` with known vendors and kinds (``ValueError`` otherwise); ``None`` = no drift."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"drift must map vendor names to one of {', '.join(KINDS)}, not {value!r}")
    drift: dict[str, str] = {}
    for vendor, kind in value.items():
        if vendor not in vendors:
            raise ValueError(f"drift: unknown vendor {vendor!r}; expected one of {', '.join(vendors)}")
        if kind is None:
            continue
        if kind not in KINDS:
            raise ValueError(f"drift[{vendor!r}] must be one of {', '.join(KINDS)}, not {kind!r}")
        drift[vendor] = kind
    return drift


def parse_drift(text: str) -> tuple[str, str]:
    """``"kore=missing_paging"`` -> ``("kore", "missing_paging")`` (for the command line)."""
    from .config import VENDORS

    vendor, sep, kind = text.partition("=")
    if not sep:
        raise ValueError(f"expected VENDOR=KIND, e.g. kore=missing_paging, not {text!r}")
    check_drift({vendor.strip(): kind.strip()}, VENDORS)
    return vendor.strip(), kind.strip()


def apply(vendor: str, kind: str | None, req: SimRequest, resp: SimResponse) -> SimResponse:
    """``resp`` rewritten by the vendor's drift ``kind`` (unchanged without one, or for errors and non-JSON)."""
    if kind is None or not 200 <= resp.status < 300 or resp.drop or "json" not in (resp.content_type or ""):
        return resp
    try:
        body = json.loads(resp.body)
    except ValueError:
        return resp
    if not isinstance(body, dict):
        return resp
    _REWRITES[kind](vendor, req, body)
    resp.body = dumps(body)
    return resp


def _resources(vendor: str, req: SimRequest, body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The campaign (message, send) objects of an answer: where the client reads ids and statuses."""
    if vendor == "kore" and "/trigger/" in req.path:
        yield body
        return
    data = body.get("data")
    if isinstance(data, dict):
        rows = data.get("results", data.get("items"))
        if isinstance(rows, list):
            yield from (row for row in rows if isinstance(row, dict))
        else:
            yield data
    elif isinstance(data, list):
        yield from (row for row in data if isinstance(row, dict))


def _rename_ids(vendor: str, req: SimRequest, body: dict[str, Any]) -> None:
    old_names, new_name = RENAMED_IDS[vendor]
    for resource in _resources(vendor, req, body):
        for old in old_names:
            if old in resource:
                resource[new_name] = resource.pop(old)


def _move_status(vendor: str, req: SimRequest, body: dict[str, Any]) -> None:
    for resource in _resources(vendor, req, body):
        if "status" in resource:
            resource["state"] = {"status": resource.pop("status")}
        meta = resource.get("meta")
        progress = meta.get("multistep_status") if isinstance(meta, dict) else None
        if isinstance(meta, dict) and isinstance(progress, dict) and "status" in progress:
            meta["status"] = progress.pop("status")


def _drop_paging(vendor: str, req: SimRequest, body: dict[str, Any]) -> None:
    for path, keys in PAGING_SIGNALS[vendor]:
        container: Any = body
        for step in filter(None, path.split(".")):
            container = container.get(step) if isinstance(container, dict) else None
        if isinstance(container, dict):
            for key in keys:
                container.pop(key, None)


_REWRITES: dict[str, Callable[[str, SimRequest, dict[str, Any]], None]] = {
    "renamed_field": _rename_ids,
    "moved_status": _move_status,
    "missing_paging": _drop_paging,
}
