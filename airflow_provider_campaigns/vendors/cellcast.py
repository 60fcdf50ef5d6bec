"""Cellcast (SMS, MMS) as documented: Bearer API key, per-message cancel, v2 message reports.

A Cellcast "campaign" is one 24-hex message id per recipient. Answers do not follow HTTP codes: a
200 may carry ``"status": false`` (unknown id, ``CastError``, not cancellable), so every interpreter
reads the body's ``status`` boolean. Sources: Cellcast's API pages (see ``VENDORS.md``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from airflow_provider_campaigns.activity import Activity, epoch
from airflow_provider_campaigns.core.bearer_auth import StaticBearerAuth
from airflow_provider_campaigns.core.errors import expect_ok, vendor_message
from airflow_provider_campaigns.core.flow import Budget, Flow
from airflow_provider_campaigns.core.settings import TransportSettings, require
from airflow_provider_campaigns.core.wire import ApiRequest, Reply, path_param
from airflow_provider_campaigns.drill import probes, variants
from airflow_provider_campaigns.drill.context import DrillContext, list_answer
from airflow_provider_campaigns.drill.facts import FLOODING, MEANING, NEEDS_A_STOP, NOT_A_READ, UNREAD_ENVELOPE, named
from airflow_provider_campaigns.drill.verdicts import Verdict, confirmed, contradicted
from airflow_provider_campaigns.exceptions import (
    AuthenticationError,
    CampaignNotFoundError,
    CampaignProviderError,
    InvalidInputError,
    StopRejectedError,
    VendorRejectedError,
)
from airflow_provider_campaigns.protocol.flows import Page, paged_flow
from airflow_provider_campaigns.protocol.selection import active_matching, id_list, rendered_list
from airflow_provider_campaigns.status import CampaignState, CampaignStatus, StatusMap
from airflow_provider_campaigns.vendors.base import ApiOptions, Ref, VendorApi, VendorSpec

VENDOR = "Cellcast"
KEY = "cellcast"
DEFAULT_HOST = "https://api.cellcast.com"
MESSAGE_TYPES = ("sms", "mms")
CANCEL_PATH = "/api/v1/gateway/cancelScheduleQuickMessage"
VERIFY_PATH = "/api/v1/user/token/verify"
REPORT_PATH = "/api/v2/report/message"
PAGE_LIMIT = 100
DOC_CANCEL = "Cellcast 'Cancel scheduled message' (POST /api/v1/gateway/cancelScheduleQuickMessage, developer.cellcast.com)"
DOC_VERIFY = "Cellcast 'Verify token' (GET /api/v1/user/token/verify, developer.cellcast.com)"
DOC_REPORT = "Cellcast 'Get Message Detail' (GET /api/v2/report/message/{messageId}, developer.cellcast.com)"
DOC_LIST = "Cellcast 'Get List Sent Messages' (GET /api/v2/report/message, developer.cellcast.com)"
MAX_PAGES = 1000
TIMESTAMP_FIELDS = ("createdAt", "updatedAt", "scheduleAt", "send_time")
#: the vendor-neutral started_at / finished_at of a result entry (Cellcast documents no end time: the last
#: update of a final message is when it became final)
STARTED_AT_FIELDS = ("send_time", "scheduleAt")
FINISHED_AT_FIELDS = ("updatedAt",)
#: a listed message queued to go out now / scheduled for ``scheduleAt`` (for the order of cancels)
SENDING_STATUSES = frozenset({"queued"})
STARTING_STATUSES = frozenset({"scheduled"})
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


def validate_message_type(value: Any, parameter: str = "message_type") -> str:
    """``sms`` or ``mms`` (case-insensitive)."""
    kind = value.strip().lower() if isinstance(value, str) else None
    if kind not in MESSAGE_TYPES:
        raise InvalidInputError(f"{parameter}: Cellcast message type must be one of {', '.join(MESSAGE_TYPES)}, not {value!r:.60}.")
    return kind


def validate_text(value: Any, parameter: str) -> str:
    """A non-blank, rendered string filter (``custom_string``, dates)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{parameter} must be a non-empty string, not {value!r:.60}.")
    _check_rendered(value, parameter)
    if len(value) > 500:
        raise InvalidInputError(f"{parameter} is {len(value)} characters long; at most 500 are accepted.")
    return value


@dataclass(frozen=True)
class CellcastMessage(Ref):
    """One Cellcast message (one recipient of a campaign): its 24-hex id and its type."""

    id: str
    type: str = "sms"

    @property
    def label(self) -> str:
        """The message id."""
        return self.id

    @classmethod
    def label_fields(cls, label: str) -> dict[str, Any]:
        """The message id."""
        return {"id": label}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CellcastMessage:
        """Inverse of :meth:`as_dict` (validated again)."""
        return message(data["id"], data.get("type", "sms"))


@dataclass(frozen=True)
class CellcastSelection:
    """What a stop or sensor names at Cellcast: message ids, and/or every pending message of a ``customString``."""

    refs: tuple[CellcastMessage, ...]
    custom_string: str | None = None
    message_type: str = "sms"

    @property
    def all_active(self) -> bool:
        """Whether the messages of ``custom_string`` are listed too."""
        return self.custom_string is not None


def message(message_id: Any, message_type: Any = "sms", parameter: str = "message_id") -> CellcastMessage:
    """A validated reference to one Cellcast message."""
    return CellcastMessage(validate_message_id(message_id, parameter), validate_message_type(message_type))


def selection(owner: str, message_ids: Any = None, custom_string: Any = None, message_type: Any = "sms") -> CellcastSelection:
    """Validate what an operator, sensor or kill-switch target names at Cellcast (no request is sent)."""
    kind = validate_message_type(message_type)
    if message_ids is None and custom_string is None:
        raise InvalidInputError(f"{owner}: give message_ids, custom_string, or both.")
    selector = validate_text(custom_string, "custom_string") if custom_string is not None else None
    message_ids = rendered_list(message_ids, "message_ids")
    if isinstance(message_ids, str):
        message_ids = [message_ids]
    ids = id_list(message_ids, "message_ids", validate_message_id) if message_ids is not None else []
    return CellcastSelection(tuple(CellcastMessage(message_id, kind) for message_id in ids), selector, kind)


def list_filters(
    custom_string: str | None = None,
    message_type: str | None = "sms",
    date_from: str | None = None,
    date_to: str | None = None,
    status: str | None = None,
) -> dict[str, str]:
    """Validated query filters of ``GET /api/v2/report/message`` (``None`` = not filtered)."""
    filters: dict[str, str] = {}
    if message_type is not None:
        filters["campType"] = validate_message_type(message_type)
    given = (("customString", "custom_string", custom_string), ("fromDate", "date_from", date_from), ("toDate", "date_to", date_to))
    for key, parameter, value in (*given, ("status", "status", status)):
        if value is not None:
            filters[key] = validate_text(value, parameter)
    return filters


class CellcastApi(VendorApi[CellcastMessage]):
    """Cellcast's message endpoints."""

    vendor = VENDOR
    started_at_fields = STARTED_AT_FIELDS
    finished_at_fields = FINISHED_AT_FIELDS

    def __init__(self, api_key: str, statuses: StatusMap = STATUS_MAP) -> None:
        self.auth = StaticBearerAuth(VENDOR, api_key)
        self.statuses = statuses

    def verify_request(self) -> ApiRequest[None]:
        """``GET /api/v1/user/token/verify``: the cheapest authenticated call."""
        return ApiRequest("GET", VERIFY_PATH, _parse_verify, action="token check", doc=DOC_VERIFY)

    def stop_request(self, ref: CellcastMessage) -> ApiRequest[CampaignStatus]:
        """``POST /api/v1/gateway/cancelScheduleQuickMessage`` ``{"messageId", "type"}``.

        ``status: false`` answers: ``message not found`` and any other refusal → :class:`StopRejectedError`
        (the stop flow then reads the status: Cellcast says "not found" for a job it already removed).
        """

        def interpret(reply: Reply) -> CampaignStatus:
            _answer(reply, StopRejectedError)
            return CampaignStatus(VENDOR, ref.id, self.statuses.normalize(CANCELED), CANCELED)

        body = {"messageId": ref.id, "type": ref.type}
        return ApiRequest(
            "POST", CANCEL_PATH, interpret, action="cancel", campaign_id=ref.id, json=body, retry_unreadable=False, doc=DOC_CANCEL
        )

    def status_request(self, ref: CellcastMessage) -> ApiRequest[CampaignStatus]:
        """``GET /api/v2/report/message/{id}`` (v2)."""
        path = f"{REPORT_PATH}/{path_param(ref.id)}"
        return ApiRequest(
            "GET", path, lambda reply: self.parse_message(reply, ref.id), action="status read", campaign_id=ref.id, doc=DOC_REPORT
        )

    def list_request(self, filters: Mapping[str, str], page: int) -> ApiRequest[Page]:
        """One page (1-based) of ``GET /api/v2/report/message``."""
        params = {**filters, "page": str(page), "limit": str(PAGE_LIMIT)}
        return ApiRequest(
            "GET", REPORT_PATH, lambda reply: self.parse_page(reply, page), action="message list", params=params, doc=DOC_LIST
        )

    def parse_message(self, reply: Reply, message_id: str) -> CampaignStatus:
        """Read ``{"status": true, "data": {_id, status, ...}}``."""
        data = _answer(reply).get("data")
        if not isinstance(data, dict):
            raise reply.contract_error("no 'data' object in the message report")
        return self.status_of(message_id, data.get("status"), data, reply, TIMESTAMP_FIELDS, name_field="customString")

    def parse_page(self, reply: Reply, page: int) -> Page:
        """Read ``items`` and the paging signals (``hasNextPage``, ``nextPage``, ``totalPages``), under ``data`` or at the top.

        An answer that carries none of the signals cannot show the list is complete: it is an error.
        """
        answer = _answer(reply, flag_required=False)
        data = answer.get("data")
        source = data if isinstance(data, dict) and "items" in data else answer
        items = source.get("items")
        if not isinstance(items, list):
            raise reply.contract_error("no 'items' list in the message list")
        statuses = []
        for item in items:
            if not isinstance(item, dict):
                raise reply.contract_error("a listed message that is not an object")
            try:
                message_id = validate_message_id(item.get("_id"), "_id")
            except InvalidInputError as error:
                raise reply.contract_error(f"a message without a valid '_id' ({error})") from None
            activity = activity_of(item)
            statuses.append(self.status_of(message_id, item.get("status"), item, reply, TIMESTAMP_FIELDS, "customString", activity))
        more = _has_next(source, page)
        if more is None:
            raise reply.contract_error(
                "no paging signal (hasNextPage, nextPage or totalPages) in the message list, so it cannot be shown complete"
            )
        return Page(statuses, more)


def activity_of(item: Mapping[str, Any]) -> Activity:
    """What a listed message says about its sending, from documented fields only: ``queued`` goes out now (sending),
    ``scheduled`` at ``scheduleAt``. One message is one recipient: nothing to count.
    """
    status = str(item.get("status") or "").strip().lower()
    return Activity(sending=status in SENDING_STATUSES, starting=status in STARTING_STATUSES, starts_at=epoch(item.get("scheduleAt")))


def _has_next(source: Mapping[str, Any], page: int) -> bool | None:
    """Cellcast's own signals, in order of precedence; ``None`` when there are none."""
    flag = source.get("hasNextPage")
    if isinstance(flag, bool):
        return flag
    if "nextPage" in source:
        return source["nextPage"] not in (None, False, 0, "")
    total_pages = source.get("totalPages")
    if isinstance(total_pages, int) and not isinstance(total_pages, bool):
        return page < total_pages
    return None


def list_flow(api: CellcastApi, filters: Mapping[str, str], budget: Budget, max_pages: int = MAX_PAGES) -> Flow[list[CampaignStatus]]:
    """Every message matching ``filters``, page by page (1-based ``page``, the vendor's paging signals)."""
    return paged_flow(api, lambda index, _: api.list_request(filters, index + 1), budget, max_pages)


def select_flow(
    api: CellcastApi, chosen: CellcastSelection, budget: Budget, seen: dict[str, CampaignStatus] | None = None
) -> Flow[list[CellcastMessage]]:
    """Every message of the selection's ``customString`` that is not final, whatever its status is spelled.

    The documented status filter lists ``queued`` and no ``scheduled``, so the list is not filtered by
    status: every message is read and those not final are kept (an unknown status is kept and logged).
    ``seen`` receives the listed statuses (their names, which Cellcast's cancel answers lack, and their activity).
    """
    if chosen.custom_string is None:
        return []
    listed = yield from list_flow(api, list_filters(chosen.custom_string, chosen.message_type), budget)
    if seen is not None:
        seen.update({status.campaign_id: status for status in listed})
    return [CellcastMessage(status.campaign_id, chosen.message_type) for status in active_matching(listed, None)]


def _answer(reply: Reply, refused: type[CampaignProviderError] | None = None, flag_required: bool = True) -> dict[str, Any]:
    """The JSON object of a 2xx answer whose ``status`` boolean is true; else the classified error."""
    answer = expect_ok(reply).json_object()
    flag = answer.get("status")
    if flag is False:
        raise _refusal(reply, answer, refused)
    if flag is not True and (flag_required or flag is not None):
        raise reply.contract_error("no boolean 'status' in the answer")
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
            f"Check the API key in the Airflow connection {reply.conn_id!r}.",
            vendor=VENDOR,
            http_status=reply.status,
        )


def from_connection(conn: Any, settings: TransportSettings, options: ApiOptions) -> CellcastApi:
    """A :class:`CellcastApi` from an Airflow connection (``password`` = API key)."""
    api_key = require(conn.password, "password (the Cellcast API key)", settings.conn_id, VENDOR)
    return CellcastApi(api_key, STATUS_MAP.extended(options.status_map))


SPEC = VendorSpec(KEY, VENDOR, DEFAULT_HOST, CellcastMessage, ApiOptions, from_connection, selection=selection)


# -- the fire drill: its first list page and the facts of docs/vendor-contracts.md it probes ------------------------


def drill_list_request(ctx: DrillContext) -> ApiRequest[Page]:
    """The drill's first list page: every SMS message, unfiltered."""
    api: CellcastApi = ctx.api
    return api.list_request(list_filters(), 1)


def _next_page_null_on_last(ctx: DrillContext) -> Verdict:
    """``nextPage`` is ``null`` exactly when ``hasNextPage`` is false; ``page`` and ``limit`` echoed."""
    data = probes.list_data(ctx)
    if data is None:
        return contradicted("the list answer has no 'data' object")
    problems = []
    if (data.get("nextPage") is None) != (data.get("hasNextPage") is False):
        problems.append(f"nextPage {data.get('nextPage')!r} with hasNextPage {data.get('hasNextPage')!r}")
    params = list_answer(ctx).request.params
    problems += [f"{key} {data.get(key)!r} where {params[key]} was asked" for key in ("page", "limit") if str(data.get(key)) != params[key]]
    if problems:
        return contradicted("; ".join(problems))
    return confirmed(f"page {data.get('page')}, limit {data.get('limit')} echoed; nextPage {data.get('nextPage')!r}")


DRILL_FACTS = (
    named("cellcast.answer.envelope", "status: false answers carry the whole app envelope", why_not=UNREAD_ENVELOPE),
    named("cellcast.auth.verify", "the token check exists and accepts the key", probes.credentials),
    named("cellcast.cancel.type_400", "a cancel without a valid type is 400", why_not=NEEDS_A_STOP),
    named("cellcast.cancel.not_pending", "cancelling a done message answers status false", why_not=NEEDS_A_STOP),
    named("cellcast.cancel.queued", "queued messages cancel like scheduled ones", why_not=NEEDS_A_STOP),
    named("cellcast.cancel.type_mismatch", "a cancel with another type is 'message not found'", why_not=NEEDS_A_STOP),
    named(
        "cellcast.list.status_filter",
        "the status filter refuses a value outside the enum",
        variants.variant(variants.with_params(status="scheduled"), variants.answers(400, "status=scheduled")),
    ),
    named(
        "cellcast.list.delievered_spelling",
        "status=delievered selects delivered messages",
        variants.variant(variants.with_params(status="delievered"), variants.rows_all("status", "delivered", "status=delievered")),
    ),
    named("cellcast.list.paging_details", "page and limit echoed, nextPage null on the last page", _next_page_null_on_last),
    named("cellcast.errors.routes_429", "a wrong method is 404; the 429 body", why_not=NOT_A_READ),
    named("cellcast.errors.rate_limit_body", "a 429 carries the legacy API's OVER_LIMIT envelope", why_not=FLOODING),
    named("cellcast.order.queued_now", "a queued message goes out now, before any scheduled one (the order of cancels)", why_not=MEANING),
)
