"""Cellcast (SMS, MMS) as documented: Bearer API key, per-message cancel, v2 message reports.

A Cellcast "campaign" is one 24-hex message id per recipient. Answers do not follow HTTP codes: a
200 may carry ``"status": false`` (unknown id, ``CastError``, not cancellable), so every interpreter
reads the body's ``status`` boolean. Sources: Cellcast's API pages (see ``VENDORS.md``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from airflow_provider_campaigns.core.errors import expect_ok, vendor_message
from airflow_provider_campaigns.core.flow import Flow
from airflow_provider_campaigns.core.retry import RetryPolicy
from airflow_provider_campaigns.core.settings import TransportSettings, require
from airflow_provider_campaigns.core.wire import ApiRequest, Reply, path_param
from airflow_provider_campaigns.exceptions import (
    AuthenticationError,
    CampaignNotFoundError,
    CampaignProviderError,
    InvalidInputError,
    StopRejectedError,
    VendorRejectedError,
)
from airflow_provider_campaigns.status import CampaignState, CampaignStatus, StatusMap
from airflow_provider_campaigns.vendors.base import CampaignRef, StaticBearerAuth, VendorApi, paged_flow

VENDOR = "Cellcast"
DEFAULT_HOST = "https://api.cellcast.com"
MESSAGE_TYPES = ("sms", "mms")
CANCEL_PATH = "/api/v1/gateway/cancelScheduleQuickMessage"
VERIFY_PATH = "/api/v1/user/token/verify"
REPORT_PATH = "/api/v2/report/message"
PAGE_LIMIT = 100
MAX_PAGES = 1000
TIMESTAMP_FIELDS = ("createdAt", "updatedAt", "scheduleAt", "send_time")
NOT_FOUND = "message not found"
#: The raw status a successful cancel leaves a message in (the cancel answer carries no status).
CANCELED = "canceled"
_MESSAGE_ID = re.compile(r"[0-9a-fA-F]{24}")

_STATUSES = {
    CampaignState.ACTIVE: ("scheduled", "queued"),
    CampaignState.STOPPED: ("canceled", "cancelled"),
    CampaignState.COMPLETED: ("sent", "delivered", "delievered", "received"),  # "delievered": the docs' spelling
    CampaignState.FAILED: ("failed", "blocked", "rejected", "expired"),
}
STATUS_MAP = StatusMap(VENDOR, {raw: state for state, raws in _STATUSES.items() for raw in raws})


def _check_rendered(value: str, parameter: str) -> None:
    if "{{" in value or "{%" in value:
        raise InvalidInputError(f"{parameter}: {value!r:.60} looks like an unrendered Jinja template; is the field templated?")


def validate_message_id(value: Any, parameter: str = "message_id") -> str:
    """A Cellcast message id is exactly 24 hex digits (a Mongo ObjectId); returned in lower case."""
    if not isinstance(value, str):
        raise InvalidInputError(
            f"{parameter}: a Cellcast message id is a string of 24 hex digits, not {type(value).__name__} {value!r:.60}."
        )
    _check_rendered(value, parameter)
    if not _MESSAGE_ID.fullmatch(value):
        if not value.strip():
            why = "it is empty"
        elif any(ch.isspace() for ch in value):
            why = "it contains whitespace"
        elif "/" in value or "%" in value:
            why = "it contains '/' or '%'"
        else:
            why = f"it has {len(value)} characters" if len(value) != 24 else "it is not hexadecimal"
        raise InvalidInputError(f"{parameter}: {value!r:.60} is not a Cellcast message id (24 hex digits): {why}.")
    return value.lower()


def validate_message_ids(values: Any, parameter: str = "message_ids") -> list[str]:
    """One id or a list of ids, validated (errors name ``message_ids[i]``), lower-cased, deduplicated."""
    if isinstance(values, str):
        return [validate_message_id(values, parameter)]
    if not isinstance(values, (list, tuple)):
        raise InvalidInputError(f"{parameter} must be one Cellcast message id or a list of them, not {type(values).__name__}.")
    if not values:
        raise InvalidInputError(f"{parameter} is empty: name at least one message id.")
    ids = [validate_message_id(value, f"{parameter}[{index}]") for index, value in enumerate(values)]
    return list(dict.fromkeys(ids))


def validate_message_type(value: Any, parameter: str = "message_type") -> str:
    """``sms`` or ``mms`` (case-insensitive)."""
    kind = value.strip().lower() if isinstance(value, str) else None
    if kind not in MESSAGE_TYPES:
        raise InvalidInputError(f"{parameter}: Cellcast message type must be one of {', '.join(MESSAGE_TYPES)}, not {value!r:.60}.")
    return kind


def validate_text(value: Any, parameter: str) -> str:
    """A non-blank, rendered string filter (``custom_string``, dates, status)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{parameter} must be a non-empty string, not {value!r:.60}.")
    _check_rendered(value, parameter)
    if len(value) > 500:
        raise InvalidInputError(f"{parameter} is {len(value)} characters long; at most 500 are accepted.")
    return value


def message_ref(message_id: Any, message_type: Any = "sms", parameter: str = "message_id") -> dict[str, str]:
    """A validated reference to one Cellcast message: ``{"campaign_id", "message_type"}``."""
    return {"campaign_id": validate_message_id(message_id, parameter), "message_type": validate_message_type(message_type)}


def validate_selection(message_ids: Any, custom_string: Any, message_type: Any, owner: str) -> tuple[list[dict[str, str]], str | None, str]:
    """Validate an operator's or sensor's parameters: ``(refs of message_ids, custom_string, message_type)``."""
    kind = validate_message_type(message_type)
    if message_ids is None and custom_string is None:
        raise InvalidInputError(f"{owner}: give message_ids, custom_string, or both.")
    selector = validate_text(custom_string, "custom_string") if custom_string is not None else None
    ids = validate_message_ids(message_ids) if message_ids is not None else []
    return [{"campaign_id": message_id, "message_type": kind} for message_id in ids], selector, kind


def list_filters(
    custom_string: str | None = None,
    status: str | None = None,
    message_type: str | None = "sms",
    date_from: str | None = None,
    date_to: str | None = None,
) -> dict[str, str]:
    """Validated query filters of ``GET /api/v2/report/message`` (``None`` = not filtered)."""
    filters: dict[str, str] = {}
    if message_type is not None:
        filters["campType"] = validate_message_type(message_type)
    given = (("customString", "custom_string", custom_string), ("status", "status", status))
    for key, parameter, value in (*given, ("fromDate", "date_from", date_from), ("toDate", "date_to", date_to)):
        if value is not None:
            filters[key] = validate_text(value, parameter)
    return filters


class CellcastApi(VendorApi):
    """Cellcast's message endpoints."""

    vendor = VENDOR

    def __init__(self, api_key: str, statuses: StatusMap = STATUS_MAP) -> None:
        self.auth = StaticBearerAuth(VENDOR, api_key)
        self.statuses = statuses

    def verify_request(self) -> ApiRequest[None]:
        """``GET /api/v1/user/token/verify``: the cheapest authenticated call."""
        return ApiRequest("GET", VERIFY_PATH, _parse_verify, action="token check")

    def stop_request(self, ref: CampaignRef) -> ApiRequest[CampaignStatus]:
        """``POST /api/v1/gateway/cancelScheduleQuickMessage`` ``{"messageId", "type"}``.

        ``status: false`` answers: ``message not found`` → :class:`CampaignNotFoundError`; any other
        refusal → :class:`StopRejectedError` (the stop flow then reads the status).
        """
        message_id = ref["campaign_id"]
        body = {"messageId": message_id, "type": ref.get("message_type", "sms")}

        def interpret(reply: Reply) -> CampaignStatus:
            _answer(reply, StopRejectedError)
            return CampaignStatus(VENDOR, message_id, self.statuses.normalize(CANCELED), CANCELED)

        return ApiRequest("POST", CANCEL_PATH, interpret, action="cancel", campaign_id=message_id, json=body)

    def status_request(self, ref: CampaignRef) -> ApiRequest[CampaignStatus]:
        """``GET /api/v2/report/message/{id}`` (v2)."""
        message_id = ref["campaign_id"]
        path = f"{REPORT_PATH}/{path_param(message_id)}"
        return ApiRequest("GET", path, lambda reply: self.parse_message(reply, message_id), action="status read", campaign_id=message_id)

    def list_request(self, filters: Mapping[str, str], page: int, limit: int = PAGE_LIMIT) -> ApiRequest[tuple[list[CampaignStatus], bool]]:
        """One page (1-based) of ``GET /api/v2/report/message``: its messages, and whether it is the last page."""
        params = {**filters, "page": str(page), "limit": str(limit)}
        return ApiRequest("GET", REPORT_PATH, lambda reply: self.parse_page(reply, page, limit), action="message list", params=params)

    def parse_message(self, reply: Reply, message_id: str) -> CampaignStatus:
        """Read ``{"status": true, "data": {_id, status, ...}}``."""
        data = _answer(reply).get("data")
        if not isinstance(data, dict):
            raise reply.format_error("no 'data' object in the message report")
        return self._status_of(data, message_id, reply)

    def parse_page(self, reply: Reply, page: int, limit: int = PAGE_LIMIT) -> tuple[list[CampaignStatus], bool]:
        """Read ``items`` and whether this is the last page (``hasNextPage``, ``nextPage`` or ``totalPages``).

        Both may sit under ``data`` or at the top level.
        """
        answer = _answer(reply, flag_required=False)
        data = answer.get("data")
        source = data if isinstance(data, dict) and "items" in data else answer
        items = source.get("items")
        if not isinstance(items, list):
            raise reply.format_error("no 'items' list in the message list")
        statuses = [self._status_of(item, None, reply) for item in items if isinstance(item, dict)]
        return statuses, not (items and _has_next(source, page, limit, len(items)))

    def _status_of(self, data: Mapping[str, Any], message_id: str | None, reply: Reply) -> CampaignStatus:
        raw = data.get("status")
        if not isinstance(raw, str) or not raw.strip():
            raise reply.format_error("no message 'status' in the answer")
        if message_id is None:
            try:
                message_id = validate_message_id(data.get("_id"), "_id")
            except InvalidInputError as error:
                raise reply.format_error(f"a message without a valid '_id' ({error})") from None
        custom = data.get("customString")
        return CampaignStatus(
            vendor=VENDOR,
            campaign_id=message_id,
            state=self.statuses.normalize(raw),
            vendor_status=raw,
            timestamps={key: str(data[key]) for key in TIMESTAMP_FIELDS if isinstance(data.get(key), str) and data[key]},
            name=custom if isinstance(custom, str) and custom else None,
        )


def _has_next(source: Mapping[str, Any], page: int, limit: int, count: int) -> bool:
    flag = source.get("hasNextPage")
    if isinstance(flag, bool):
        return flag
    if "nextPage" in source:
        return source["nextPage"] not in (None, False, 0, "")
    total_pages = source.get("totalPages")
    if isinstance(total_pages, int) and not isinstance(total_pages, bool):
        return page < total_pages
    return count >= limit


def list_flow(api: CellcastApi, filters: Mapping[str, str], policy: RetryPolicy, max_pages: int = MAX_PAGES) -> Flow[list[CampaignStatus]]:
    """Every message matching ``filters``, page by page (1-based ``page``, ``hasNextPage``)."""
    return paged_flow(api, lambda index: api.list_request(filters, index + 1), policy, max_pages)


def _answer(reply: Reply, refused: type[CampaignProviderError] | None = None, flag_required: bool = True) -> dict[str, Any]:
    """The JSON object of a 2xx answer whose ``status`` boolean is true; else the classified error."""
    answer = expect_ok(reply).json_object()
    flag = answer.get("status")
    if flag is False:
        raise _refusal(reply, answer, refused)
    if flag is not True and (flag_required or flag is not None):
        raise reply.format_error("no boolean 'status' in the answer")
    return answer


def _refusal(reply: Reply, answer: Mapping[str, Any], cls: type[CampaignProviderError] | None) -> CampaignProviderError:
    """The error for an HTTP 200 ``status: false``; ``cls`` for an unknown reason (``None``: retry as unreadable)."""
    request = reply.request
    message_id = request.campaign_id
    error = answer.get("error")
    texts = {str(answer.get("message", "")).strip().lower()}
    if isinstance(error, dict):
        texts.add(str(error.get("error", "")).strip().lower())
    where = f'({request.action}, {request.describe()}): HTTP {reply.status} with status false, "{vendor_message(reply)}".'
    if NOT_FOUND in texts and request.action == "cancel":
        # Cellcast may say "not found" for a job it already removed: the status read tells the two apart
        return StopRejectedError(f"{VENDOR} refused to cancel message {message_id} {where}", vendor=VENDOR, campaign_id=message_id)
    if NOT_FOUND in texts:
        hint = " Check the id, that it belongs to this account" + (", and message_type (sms/mms)." if request.action == "cancel" else ".")
        return CampaignNotFoundError(f"{VENDOR} does not know message {message_id} {where}{hint}", vendor=VENDOR, campaign_id=message_id)
    if isinstance(error, dict) and error.get("name") == "CastError":
        return VendorRejectedError(
            f"{VENDOR} rejected message id {message_id} as ill-formed (CastError) {where} A message id is 24 hex digits.",
            vendor=VENDOR,
            campaign_id=message_id,
        )
    if cls is None:
        return reply.format_error(f'status false, "{vendor_message(reply)}"')
    return cls(f"{VENDOR} refused the {request.action} of message {message_id} {where}", vendor=VENDOR, campaign_id=message_id)


def _parse_verify(reply: Reply) -> None:
    answer = expect_ok(reply).json_object()
    if answer.get("status") is False:
        raise AuthenticationError(
            f'{VENDOR} did not accept the API key ({reply.request.describe()}): "{vendor_message(reply)}". '
            "Check the API key in the Airflow connection.",
            vendor=VENDOR,
            http_status=reply.status,
        )


def build_api(conn: Any, settings: TransportSettings, status_map: Mapping[str, str] | None = None, **options: Any) -> CellcastApi:
    """A :class:`CellcastApi` from an Airflow connection (``password`` = API key)."""
    if options:
        raise InvalidInputError(f"{VENDOR} takes no API options, not {', '.join(sorted(options))}.")
    api_key = require(conn.password, "password (the Cellcast API key)", settings.conn_id, VENDOR)
    return CellcastApi(api_key, STATUS_MAP.extended(status_map))
