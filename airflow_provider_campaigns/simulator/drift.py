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

Where each switch acts is the fake's own declaration (its ``drift_shape``, a :class:`DriftShape`);
the examples above are the built-in fakes'. Errors (4xx/5xx), non-JSON answers and the control API
are never altered.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from . import fakes
from .http_types import SimRequest, SimResponse, dumps

KINDS = ("renamed_field", "moved_status", "missing_paging")


@dataclass(frozen=True)
class DriftShape:
    """Where a fake vendor's answers hold what the drift switches alter (each fake declares its own).

    :param ids: ``renamed_field``: the id fields of a resource, and the name they are all renamed to.
    :param statuses: ``moved_status``: ``(dotted path in a resource, dotted path it moves to)``, in order.
    :param paging: ``missing_paging``: ``(dotted container path, keys removed from it)``; ``""`` is the answer itself.
    :param whole_answer: fragments of a request path whose answer is itself the resource (not under ``data``).
    """

    ids: tuple[tuple[str, ...], str] = (("id",), "campaign_id")
    statuses: tuple[tuple[str, str], ...] = (("status", "state.status"),)
    paging: tuple[tuple[str, tuple[str, ...]], ...] = ()
    whole_answer: tuple[str, ...] = ()


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
    """``"VENDOR=missing_paging"`` -> ``("VENDOR", "missing_paging")`` (for the command line)."""
    vendor, sep, kind = text.partition("=")
    if not sep:
        raise ValueError(f"expected VENDOR=KIND, e.g. {fakes.example_key()}=missing_paging, not {text!r}")
    check_drift({vendor.strip(): kind.strip()}, fakes.keys())
    return vendor.strip(), kind.strip()


def apply(shape: DriftShape, kind: str | None, req: SimRequest, resp: SimResponse) -> SimResponse:
    """``resp`` rewritten by the drift ``kind`` where ``shape`` says (unchanged without one, or for errors and non-JSON)."""
    if kind is None or not 200 <= resp.status < 300 or resp.drop or "json" not in (resp.content_type or ""):
        return resp
    try:
        body = json.loads(resp.body)
    except ValueError:
        return resp
    if not isinstance(body, dict):
        return resp
    _REWRITES[kind](shape, req, body)
    resp.body = dumps(body)
    return resp


def _resources(shape: DriftShape, req: SimRequest, body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The campaign (message, send) objects of an answer: where the client reads ids and statuses."""
    if any(fragment in req.path for fragment in shape.whole_answer):
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


def _container(body: Any, path: str, create: bool = False) -> Any:
    """The object at a dotted ``path`` of ``body`` (``""``: ``body``); ``None`` where there is none (made when ``create``)."""
    for step in filter(None, path.split(".")):
        if not isinstance(body, dict):
            return None
        if create and not isinstance(body.get(step), dict):
            body[step] = {}
        body = body.get(step)
    return body


def _rename_ids(shape: DriftShape, req: SimRequest, body: dict[str, Any]) -> None:
    old_names, new_name = shape.ids
    for resource in _resources(shape, req, body):
        for old in old_names:
            if old in resource:
                resource[new_name] = resource.pop(old)


def _move_status(shape: DriftShape, req: SimRequest, body: dict[str, Any]) -> None:
    for resource in _resources(shape, req, body):
        for source, target in shape.statuses:
            where, _, field = source.rpartition(".")
            holder = _container(resource, where)
            if isinstance(holder, dict) and field in holder:
                value = holder.pop(field)
                where, _, field = target.rpartition(".")
                _container(resource, where, create=True)[field] = value


def _drop_paging(shape: DriftShape, req: SimRequest, body: dict[str, Any]) -> None:
    for path, keys in shape.paging:
        container = _container(body, path)
        if isinstance(container, dict):
            for key in keys:
                container.pop(key, None)


_REWRITES: dict[str, Callable[[DriftShape, SimRequest, dict[str, Any]], None]] = {
    "renamed_field": _rename_ids,
    "moved_status": _move_status,
    "missing_paging": _drop_paging,
}
