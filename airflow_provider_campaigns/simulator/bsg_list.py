"""BSG's ``GET /api/campaigns``: its parameters, the 3-month window, filters and sorting.

Documented (OpenAPI ``/api/campaigns``; BSG's "Get a list of SMS campaigns" page):
``page[offset]`` >= 0; ``page[limit]`` 30..500, default 50; ``sort`` id|sender|type|date|status
(default id); ``way`` asc|desc; ``filter[type]`` sms|rcs|whatsapp, default ``sms``;
``filter[from]``/``filter[to]`` date-times in the list page's form ``yyyy-mm-dd hh:mm:ss`` (strict:
another form, ISO 8601 included, answers the validation 422 "does not match the format Y-m-d H:i:s",
Laravel's ``date_format`` message, a guess), ``filter[to]`` defaults to now and may be at most
30 days ahead, ``filter[from]`` defaults to ``filter[to]`` - 3 months, at most 3 months per
request; ``search[field]`` sender|taskname with ``search[value]`` 1..255 characters.

Guessed: the window applies to ``created_at`` (inclusive; a bare date in ``filter[to]`` means
the end of that day); a window over 3 months, ``filter[to]`` beyond 30 days ahead and
``filter[from]`` after ``filter[to]`` answer the documented validation 422 with the messages
below; ``taskname`` searches the campaign ``name``; search is a case-insensitive substring
match; ``date`` sorts by ``created_at``; undocumented parameters (``filter[status]``) are ignored.

Lenient reading (``strict=False``, the simulator's earlier behaviour): no window unless given,
every type listed without ``filter[type]``, ``page[limit]`` 1..500, more search and sort
fields, and ``filter[status]`` (comma-separated) filters.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from .clock import UTC, parse_when

LIMIT_DEFAULT, LIMIT_MIN, LIMIT_MAX = 50, 30, 500
WINDOW_MONTHS, AHEAD_DAYS = 3, 30
TYPES = ("sms", "rcs", "whatsapp")
SEARCH = {"sender": "sender", "taskname": "name"}
LENIENT_SEARCH = {**SEARCH, "id": "id", "name": "name", "status": "status", "message_type": "message_type"}
SORT = {"id": "id", "sender": "sender", "type": "message_type", "date": "created_at", "status": "status"}
LENIENT_SORT = {**SORT, **{key: key for key in ("name", "message_type", "start_at", "created_at", "finished_at")}}
WAYS = ("asc", "desc")
#: the list page's date form: ``yyyy-mm-dd hh:mm:ss`` (UTC)
DATE_FORM = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")

Errors = dict[str, list[str]]


@dataclass
class ListQuery:
    """A validated list request."""

    offset: int = 0
    limit: int = LIMIT_DEFAULT
    kind: str | None = None
    low: float | None = None
    high: float | None = None
    statuses: set[str] = field(default_factory=set)
    search: tuple[str, str] | None = None
    sort: str = "id"
    descending: bool = False


def months_before(ts: float, months: int) -> float:
    """The same moment ``months`` calendar months earlier (the day clamped to the month's length)."""
    moment = dt.datetime.fromtimestamp(ts, tz=UTC)
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day).timestamp()


def _integer(query: dict[str, str], key: str, default: int, errors: Errors) -> int:
    raw = query.get(key)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        errors[key.replace("[", ".").rstrip("]")] = [f"The {key.replace('[', '.').rstrip(']')} must be an integer."]
        return default


def _paging(query: dict[str, str], strict: bool, errors: Errors) -> tuple[int, int]:
    offset = _integer(query, "page[offset]", 0, errors)
    limit = _integer(query, "page[limit]", LIMIT_DEFAULT, errors)
    if offset < 0:
        errors["page.offset"] = ["The page.offset must be at least 0."]
    low = LIMIT_MIN if strict else 1
    if not low <= limit <= LIMIT_MAX and "page.limit" not in errors:
        errors["page.limit"] = [f"The page.limit must be between {low} and {LIMIT_MAX}."]
    return offset, limit


def _window(query: dict[str, str], strict: bool, now: float, errors: Errors) -> tuple[float | None, float | None]:
    bounds: dict[str, float | None] = {}
    for name, end in (("from", False), ("to", True)):
        raw = query.get(f"filter[{name}]") or None
        if strict and raw is not None and not DATE_FORM.fullmatch(raw):
            errors[f"filter.{name}"] = [f"The filter.{name} does not match the format Y-m-d H:i:s."]
            bounds[name] = None
            continue
        try:
            bounds[name] = None if raw is None else parse_when(raw, end_of_day=end)
        except (TypeError, ValueError):
            errors[f"filter.{name}"] = [f"The filter.{name} is not a valid date."]
            bounds[name] = None
    low, high = bounds["from"], bounds["to"]
    if not strict or errors:
        return low, high
    limit = now + AHEAD_DAYS * 86400
    if high is not None and high > limit:
        errors["filter.to"] = [f"The filter.to must be a date before or equal to {AHEAD_DAYS} days from now."]
    high = now if high is None else high
    earliest = months_before(high, WINDOW_MONTHS)
    if low is None:
        low = earliest
    elif low > high:
        errors["filter.from"] = ["The filter.from must be a date before or equal to filter.to."]
    elif low < earliest:
        errors["filter.from"] = [f"The period from filter.from to filter.to must not exceed {WINDOW_MONTHS} months."]
    return low, high


def _choice(query: dict[str, str], key: str, allowed: Any, default: str | None, errors: Errors) -> str | None:
    value = query.get(key) or default
    if value is not None and value not in allowed:
        errors[key.replace("[", ".").rstrip("]")] = [f"The selected {key.replace('[', '.').rstrip(']')} is invalid."]
    return value


def parse_query(query: dict[str, str], strict: bool, now: float, statuses: tuple[str, ...]) -> ListQuery | Errors:
    """The validated request, or Laravel-style validation errors (``{"page.limit": [...]}``)."""
    errors: Errors = {}
    offset, limit = _paging(query, strict, errors)
    kind = _choice(query, "filter[type]", TYPES, "sms" if strict else None, errors)
    low, high = _window(query, strict, now, errors)
    search_fields, sort_fields = (SEARCH, SORT) if strict else (LENIENT_SEARCH, LENIENT_SORT)
    search_field = _choice(query, "search[field]", search_fields, None, errors)
    needle = query.get("search[value]", "")
    if search_field is not None and not 1 <= len(needle) <= 255:
        errors["search.value"] = ["The search.value must be between 1 and 255 characters."]
    sort = _choice(query, "sort", sort_fields, "id", errors) or "id"
    way = _choice(query, "way", WAYS, "asc", errors)
    wanted = set() if strict else {s.strip() for s in query.get("filter[status]", "").split(",") if s.strip()}
    if wanted - set(statuses):
        errors["filter.status"] = ["The selected filter.status is invalid."]
    if errors:
        return errors
    search = None if search_field is None else (search_fields[search_field], needle.lower())
    return ListQuery(offset, limit, kind, low, high, wanted, search, sort_fields[sort], way == "desc")


def select(rows: list[tuple[float, dict[str, Any]]], query: ListQuery) -> list[dict[str, Any]]:
    """The campaigns (``(created, resource)`` pairs) the query asks for, sorted."""
    items = [
        (created, data)
        for created, data in rows
        if (query.kind is None or data["message_type"] == query.kind)
        and (query.low is None or created >= query.low)
        and (query.high is None or created <= query.high)
        and (not query.statuses or data["status"] in query.statuses)
        and (query.search is None or query.search[1] in str(data.get(query.search[0], "")).lower())
    ]

    def key(item: tuple[float, dict[str, Any]]) -> tuple[bool, Any]:
        value = item[0] if query.sort == "created_at" else item[1].get(query.sort)
        return value is None, value if value is not None else 0

    items.sort(key=key, reverse=query.descending)
    return [data for _, data in items]
