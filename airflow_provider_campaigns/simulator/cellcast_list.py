"""Cellcast's ``GET /api/v2/report/message``: parameters, the ``status`` enum, paging.

Documented (developer.cellcast.com "Get List Sent Messages", "Get Custom String Message
Report"; ``VENDORS.md``): ``page`` (default 1), ``limit``, ``campType`` sms|mms, ``fromDate``,
``toDate``, ``requestFrom`` APP|EMAIL|API, ``requestName``, ``customString``, ``status`` one of
blocked, delievered (sic), failed, received, expired, queued, sent, rejected, canceled — no
``scheduled``; answer ``data.items`` with ``total``, ``totalPages``, ``hasNextPage``, ``nextPage``.

Strict: a ``status`` outside that enum (``scheduled``, and even the correct spelling
``delivered``) answers ``400 {"code", "message", "stack"}`` (the error's wording is a guess);
``delievered`` selects delivered messages. Lenient: any status the simulator knows.

Guessed: ``limit`` default 10, at most 100 (400 above); newest first; dates inclusive on
``createdAt``; ``campType`` absent lists both types; ``nextPage`` is ``null`` on the last page;
``data`` also echoes ``page`` and ``limit``; with a server-side page cap, ``limit`` and the
paging fields describe the rows really served.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .cellcast_answers import api_error
from .clock import parse_when
from .http_types import SimResponse, int_param
from .state import Machine, Record

DOCUMENTED_STATUS_FILTER = ("blocked", "delievered", "failed", "received", "expired", "queued", "sent", "rejected", "canceled")
SPELLINGS = {"delievered": "delivered"}
REQUEST_FROM = ("APP", "EMAIL", "API")
LIMIT_DEFAULT, LIMIT_MAX = 10, 100
TYPES = ("sms", "mms")


@dataclass
class MessageQuery:
    """A validated list request."""

    page: int
    limit: int
    camp_type: str | None
    low: float | None
    high: float | None
    status: str | None
    custom: str | None
    request_from: str | None
    request_name: str | None

    def wants(self, record: Record) -> bool:
        """Whether a message matches every filter."""
        fields = record.fields
        return (
            (self.camp_type is None or fields["type"] == self.camp_type)
            and (self.status is None or record.status == self.status)
            and (self.custom is None or fields["customString"] == self.custom)
            and (self.request_from is None or fields["request_from"] == self.request_from)
            and (self.request_name is None or fields["request_name"] == self.request_name)
            and (self.low is None or record.created >= self.low)
            and (self.high is None or record.created <= self.high)
        )


def _status(raw: str | None, strict: bool, machine: Machine) -> str | SimResponse | None:
    if not raw:
        return None
    if strict:
        if raw not in DOCUMENTED_STATUS_FILTER:
            return api_error(400, f"status must be one of [{', '.join(DOCUMENTED_STATUS_FILTER)}]")
        return SPELLINGS.get(raw, raw)
    try:
        return machine.canonical(raw)
    except ValueError:
        return api_error(400, f"status must be one of [{', '.join(machine.statuses)}]")


def parse_query(query: dict[str, str], strict: bool, machine: Machine) -> MessageQuery | SimResponse:
    """The validated request, or Cellcast's 400 answer."""
    try:
        page = int_param(query.get("page"), 1, minimum=1)
        limit = int_param(query.get("limit"), LIMIT_DEFAULT, minimum=1)
    except ValueError:
        return api_error(400, "page and limit must be positive integers")
    if limit > LIMIT_MAX:
        return api_error(400, f"limit must be less than or equal to {LIMIT_MAX}")
    camp_type = query.get("campType") or None
    if camp_type is not None and camp_type not in TYPES:
        return api_error(400, "campType must be one of [sms, mms]")
    request_from = query.get("requestFrom") or None
    if request_from is not None and request_from not in REQUEST_FROM:
        return api_error(400, f"requestFrom must be one of [{', '.join(REQUEST_FROM)}]")
    try:
        low = parse_when(query["fromDate"]) if query.get("fromDate") else None
        high = parse_when(query["toDate"], end_of_day=True) if query.get("toDate") else None
    except (TypeError, ValueError):
        return api_error(400, "fromDate and toDate must be valid dates")
    status = _status(query.get("status"), strict, machine)
    if isinstance(status, SimResponse):
        return status
    custom, name = query.get("customString"), query.get("requestName") or None
    return MessageQuery(page, limit, camp_type, low, high, status, custom, request_from, name)


def page_data(records: list[Record], query: MessageQuery, size: int, render: Any) -> dict[str, Any]:
    """``data`` of the list answer: one page of ``size`` rows (newest first) and the paging fields."""
    chosen = [r for r in records if query.wants(r)]
    chosen.reverse()
    total = len(chosen)
    pages = math.ceil(total / size)
    page = query.page
    return {
        "items": [render(r, listed=True) for r in chosen[(page - 1) * size : page * size]],
        "total": total,
        "totalPages": pages,
        "hasNextPage": page < pages,
        "nextPage": page + 1 if page < pages else None,
        "page": page,
        "limit": size,
    }
