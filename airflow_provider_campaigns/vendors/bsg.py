"""BSG One-API v2 (SMS and RCS), as documented: login → JWT, PATCH/PUT stop, GET campaign, list.

Sources: BSG "Cancel SMS/RCS campaign" pages, the One-API OpenAPI spec (``bsgworld/go-sdk:
api/openapi.yaml``) and BSG's list page (see ``VENDORS.md``). Timestamps come as
``yyyy-mm-dd hh:mm:ss`` without a zone (treated as UTC) or ISO 8601 (the spec's list example).

A 429 is BSG's duplicate-request detector (the spec's only 429 text is "Too many duplicate request
detected"): after a 429 on a stop the campaign's status is read, and the stop is sent again (after a
back-off) only while it still runs; a final campaign ends the stop.

List dates (``filter[from]``, ``filter[to]``) are sent as the list page writes them:
``yyyy-mm-dd hh:mm:ss`` (UTC, whole seconds).

The list (``GET /api/campaigns``) covers at most 3 months per request (``filter[from]`` defaults to
``filter[to]`` minus 3 months, ``filter[to]`` may lie up to 30 days ahead), searches only ``sender``
and ``taskname``, and takes ``page[limit]`` 30 to 500; ``meta.page.total`` says how many there are.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import pendulum

from airflow_provider_campaigns.activity import Activity, count, epoch
from airflow_provider_campaigns.core.errors import describe_failure, expect_ok, vendor_message
from airflow_provider_campaigns.core.flow import Budget, Flow, Token, call
from airflow_provider_campaigns.core.settings import TransportSettings, require
from airflow_provider_campaigns.core.wire import ApiRequest, Reply, field_path, path_param
from airflow_provider_campaigns.drill import probes, variants
from airflow_provider_campaigns.drill.context import DrillContext
from airflow_provider_campaigns.drill.facts import NEEDS_A_STOP, VALUES_VARY, named
from airflow_provider_campaigns.exceptions import InvalidInputError, StopRejectedError, VendorRejectedError
from airflow_provider_campaigns.protocol.flows import Page, paged_flow
from airflow_provider_campaigns.protocol.selection import active_matching, exactly_one, id_list
from airflow_provider_campaigns.status import CampaignState, CampaignStatus, StatusMap
from airflow_provider_campaigns.vendors.base import ApiOptions, Ref, VendorApi, VendorSpec

VENDOR = "BSG"
KEY = "bsg"
DEFAULT_HOST = "https://one-api.bsg.world"
CHANNELS = ("sms", "rcs")
STOP_METHODS = {"sms": "PATCH", "rcs": "PUT"}  # the seeds: PATCH for SMS, PUT for RCS
LOGIN_PATH = "/api/auth/login"
CAMPAIGNS_PATH = "/api/campaigns"
PAGE_LIMIT = 500  # page[limit] is 30..500
WINDOW_MONTHS = 3  # at most 3 months per list request
AHEAD_DAYS = 30  # filter[to] may lie up to 30 days ahead
DEFAULT_LOOKBACK_MONTHS = 12
MAX_PAGES = 1000
MAX_CAMPAIGN_ID = 2**63 - 1
TIMESTAMP_FIELDS = ("created_at", "start_at", "real_start_at", "finished_at")
#: the vendor-neutral started_at / finished_at of a result entry: the first of these keys the answer carries
STARTED_AT_FIELDS = ("real_start_at", "start_at")
FINISHED_AT_FIELDS = ("finished_at",)
INVALID_STATUS_MESSAGE = "invalid campaign status"
#: BSG's documented 429 is its duplicate-request detector ("Too many duplicate request detected"): after it,
#: a stop is sent again only once a status read shows the campaign still running
DUPLICATE_STATUSES = frozenset({429})
#: the list's dates, as BSG's list page writes them (``yyyy-mm-dd hh:mm:ss``, UTC)
LIST_DATE_FORMAT = "YYYY-MM-DD HH:mm:ss"
#: list-row statuses of a campaign sending now / scheduled to start (for the order of stops)
SENDING_STATUSES = frozenset({"sending"})
STARTING_STATUSES = frozenset({"scheduled", "planned"})
DOC_SPEC = "BSG One-API OpenAPI spec (bsgworld/go-sdk, api/openapi.yaml), {path}"
DOC_LOGIN = DOC_SPEC.format(path="POST /api/auth/login")
DOC_STOP = "BSG 'Cancel SMS campaign' / 'Cancel RCS campaign' pages; " + DOC_SPEC.format(path="PATCH /api/campaigns/{id}/stop")
DOC_STATUS = DOC_SPEC.format(path="GET /api/campaigns/{id}")
DOC_LIST = "BSG 'Get a list of SMS campaigns' page; " + DOC_SPEC.format(path="GET /api/campaigns")

STATUS_MAP = StatusMap(
    VENDOR,
    {
        "creation": CampaignState.ACTIVE,
        "moderation": CampaignState.ACTIVE,
        "scheduled": CampaignState.ACTIVE,
        "planned": CampaignState.ACTIVE,
        "sending": CampaignState.ACTIVE,
        "paused": CampaignState.PAUSED,
        "stopped": CampaignState.STOPPED,
        "done": CampaignState.COMPLETED,
        "spam": CampaignState.FAILED,
    },
)


@dataclass(frozen=True)
class BsgCampaign(Ref):
    """One BSG campaign: its integer id and the channel that decides the stop method."""

    id: int
    channel: str = "sms"

    @property
    def label(self) -> str:
        """The id as text."""
        return str(self.id)

    @classmethod
    def label_fields(cls, label: str) -> dict[str, Any]:
        """The id."""
        return {"id": int(label)} if label.isdigit() else {}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BsgCampaign:
        """Inverse of :meth:`as_dict` (validated again)."""
        return campaign(data["id"], data.get("channel", "sms"))


@dataclass(frozen=True)
class BsgSelection:
    """What a stop or sensor names at BSG: ids, or every active campaign of a channel (by name, in a date range)."""

    refs: tuple[BsgCampaign, ...]
    all_active: bool = False
    channel: str = "sms"
    name_contains: str | None = None
    date_from: pendulum.DateTime | None = None
    date_to: pendulum.DateTime | None = None
    lookback_months: int = DEFAULT_LOOKBACK_MONTHS


def validate_campaign_id(value: Any, parameter: str = "campaign_id") -> int:
    """A BSG campaign id is a positive integer (``12`` or ``"12"``)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InvalidInputError(f"{parameter}: a BSG campaign id is a positive integer, not {type(value).__name__} {value!r:.60}.")
    text = str(value)
    if not (text.isascii() and text.isdigit()) or int(text) <= 0 or int(text) > MAX_CAMPAIGN_ID:
        raise InvalidInputError(f"{parameter}: a BSG campaign id is a positive integer, not {text!r:.60}.")
    return int(text)


def validate_channel(value: Any, parameter: str = "channel") -> str:
    """``sms`` or ``rcs`` (case-insensitive)."""
    channel = value.strip().lower() if isinstance(value, str) else None
    if channel not in CHANNELS:
        raise InvalidInputError(f"{parameter}: BSG channel must be one of {', '.join(CHANNELS)}, not {value!r:.60}.")
    return channel


def validate_date(value: Any, parameter: str) -> pendulum.DateTime:
    """A date or date-time (``2026-11-01`` or ISO 8601; no zone = UTC) for a list window."""
    if isinstance(value, pendulum.DateTime):
        return value.in_tz("UTC")
    if not isinstance(value, str) or "{{" in value:
        raise InvalidInputError(f"{parameter} must be a date such as '2026-11-01', not {value!r:.60}.")
    try:
        parsed = pendulum.parse(value.strip(), tz="UTC")
    except (ValueError, TypeError):
        raise InvalidInputError(f"{parameter} must be a date such as '2026-11-01', not {value!r:.60}.") from None
    if not isinstance(parsed, pendulum.DateTime):
        raise InvalidInputError(f"{parameter} must be a date or date-time, not {value!r:.60}.")
    return parsed.in_tz("UTC")


def campaign(campaign_id: Any, channel: Any = "sms", parameter: str = "campaign_id") -> BsgCampaign:
    """A validated reference to one BSG campaign."""
    return BsgCampaign(validate_campaign_id(campaign_id, parameter), validate_channel(channel))


def selection(
    owner: str,
    campaign_id: Any = None,
    campaign_ids: Any = None,
    channel: Any = "sms",
    all_active: Any = False,
    name_contains: Any = None,
    date_from: Any = None,
    date_to: Any = None,
    lookback_months: Any = DEFAULT_LOOKBACK_MONTHS,
) -> BsgSelection:
    """Validate what an operator, sensor or kill-switch target names at BSG (no request is sent)."""
    kind = validate_channel(channel)
    if not isinstance(all_active, bool):
        raise InvalidInputError(f"{owner}: all_active must be True or False, not {all_active!r:.40}.")
    exactly_one(owner, campaign_id=campaign_id is not None, campaign_ids=campaign_ids is not None, all_active=all_active)
    if name_contains is not None and (not isinstance(name_contains, str) or not name_contains.strip()):
        raise InvalidInputError(f"{owner}: name_contains must be non-empty text, not {name_contains!r:.40}.")
    if isinstance(lookback_months, bool) or not isinstance(lookback_months, int) or not 1 <= lookback_months <= 120:
        raise InvalidInputError(f"{owner}: lookback_months must be a whole number of months from 1 to 120, not {lookback_months!r:.40}.")
    if not all_active and (name_contains is not None or date_from is not None or date_to is not None):
        raise InvalidInputError(
            f"{owner}: name_contains, date_from and date_to select campaigns with all_active=True; named ids are stopped as named."
        )
    start = validate_date(date_from, "date_from") if date_from is not None else None
    end = validate_date(date_to, "date_to") if date_to is not None else None
    if start is not None and end is not None and start > end:
        raise InvalidInputError(f"{owner}: date_from ({date_from}) is after date_to ({date_to}).")
    if campaign_id is not None:
        refs: tuple[BsgCampaign, ...] = (campaign(campaign_id, kind),)
    elif campaign_ids is not None:
        refs = tuple(BsgCampaign(cid, kind) for cid in id_list(campaign_ids, "campaign_ids", validate_campaign_id))
    else:
        refs = ()
    return BsgSelection(refs, all_active, kind, name_contains, start, end, lookback_months)


def list_windows(start: pendulum.DateTime, end: pendulum.DateTime) -> list[tuple[pendulum.DateTime, pendulum.DateTime]]:
    """``[start, end]`` cut into windows of at most 3 months (BSG's limit per request), newest first."""
    windows = []
    upper = end
    while upper > start:
        lower = max(start, upper.subtract(months=WINDOW_MONTHS))
        windows.append((lower, upper))
        upper = lower
    return windows or [(start, end)]


def selection_windows(chosen: BsgSelection, now: pendulum.DateTime) -> list[tuple[pendulum.DateTime, pendulum.DateTime]]:
    """The list windows of a selection, newest first.

    They end at ``date_to``, else 30 days ahead (the latest BSG lists; a later ``date_to`` is cut to it),
    and start at ``date_from``, else ``lookback_months`` before that end (or before now, if earlier).
    A range that ends up empty is an error, never an empty listing.
    """
    latest = now.add(days=AHEAD_DAYS)
    end = min(chosen.date_to, latest) if chosen.date_to is not None else latest
    start = chosen.date_from if chosen.date_from is not None else min(end, now).subtract(months=chosen.lookback_months)
    start, end = start.replace(microsecond=0), end.replace(microsecond=0)  # the list's dates have whole seconds
    if start >= end:
        raise InvalidInputError(
            f"BSG lists campaigns created up to 30 days ahead ({latest.to_date_string()}): the range from {start.to_date_string()} "
            f"to {end.to_date_string()} is empty; check date_from and date_to."
        )
    return list_windows(start, end)


def jwt_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWT, read without verifying it (only to know when to log in again)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        exp = claims.get("exp") if isinstance(claims, dict) else None
        return float(exp) if isinstance(exp, (int, float)) and not isinstance(exp, bool) else None
    except (IndexError, ValueError, OverflowError):
        return None


class BsgAuth:
    """API key → ``POST /api/auth/login`` → JWT sent as ``Authorization: Bearer``."""

    vendor = VENDOR
    refreshable = True

    def __init__(self, api_key: str) -> None:
        self._api_key = api_key

    def login_request(self) -> ApiRequest[Token]:
        """The login call (unauthenticated)."""
        return ApiRequest(
            "POST", LOGIN_PATH, _parse_login, action="login", json={"api_key": self._api_key}, authenticated=False, doc=DOC_LOGIN
        )

    def token_flow(self, budget: Budget) -> Flow[Token]:
        """Log in and return the JWT with its expiry."""
        return call(self.login_request(), VENDOR, budget)

    def headers(self, token: str) -> dict[str, str]:
        """Bearer header (the spec's form, not the prose docs' ``Bearer:``)."""
        return {"Authorization": f"Bearer {token}"}


def _parse_login(reply: Reply) -> Token:
    bearer = expect_ok(reply).json_object().get("bearer")
    if not isinstance(bearer, str) or not bearer:
        raise reply.contract_error("no 'bearer' token in the login answer")
    return Token(bearer, jwt_expiry(bearer) or pendulum.now("UTC").add(hours=1).timestamp())


class BsgApi(VendorApi[BsgCampaign]):
    """BSG's campaign endpoints."""

    vendor = VENDOR
    started_at_fields = STARTED_AT_FIELDS
    finished_at_fields = FINISHED_AT_FIELDS

    def __init__(self, api_key: str, statuses: StatusMap = STATUS_MAP) -> None:
        self.auth = BsgAuth(api_key)
        self.statuses = statuses

    def stop_request(self, ref: BsgCampaign) -> ApiRequest[CampaignStatus]:
        """``PATCH`` (SMS) or ``PUT`` (RCS) ``/api/campaigns/{id}/stop``; 422 "Invalid campaign status" is a refusal."""
        label = ref.label

        def interpret(reply: Reply) -> CampaignStatus:
            if reply.status == 422 and vendor_message(reply).strip().lower() == INVALID_STATUS_MESSAGE:
                raise StopRejectedError(describe_failure(reply, "refused to stop"), vendor=VENDOR, campaign_id=label, http_status=422)
            if reply.status == 405:
                hint = f" BSG stops SMS with PATCH and RCS with PUT: is campaign {label} an {ref.channel.upper()} campaign (channel)?"
                raise VendorRejectedError(
                    describe_failure(reply, "refused to stop") + hint, vendor=VENDOR, campaign_id=label, http_status=405
                )
            return self.parse_campaign(expect_ok(reply), label)

        path = f"{CAMPAIGNS_PATH}/{path_param(ref.id)}/stop"
        return ApiRequest(
            STOP_METHODS[ref.channel],
            path,
            interpret,
            action="stop",
            campaign_id=label,
            retry_unreadable=False,
            doc=DOC_STOP,
            confirm_statuses=DUPLICATE_STATUSES,
        )

    def status_request(self, ref: BsgCampaign) -> ApiRequest[CampaignStatus]:
        """``GET /api/campaigns/{id}``."""
        label = ref.label
        path = f"{CAMPAIGNS_PATH}/{path_param(ref.id)}"
        return ApiRequest(
            "GET", path, lambda reply: self.parse_campaign(expect_ok(reply), label), action="status read", campaign_id=label, doc=DOC_STATUS
        )

    def list_request(self, channel: str, window: tuple[pendulum.DateTime, pendulum.DateTime], offset: int) -> ApiRequest[Page]:
        """One page of ``GET /api/campaigns`` of one channel and one window (at most 3 months), oldest id first."""
        params = {
            "filter[type]": channel,
            "filter[from]": list_date(window[0]),
            "filter[to]": list_date(window[1]),
            "sort": "id",
            "way": "asc",
            "page[offset]": str(offset),
            "page[limit]": str(PAGE_LIMIT),
        }
        return ApiRequest(
            "GET", CAMPAIGNS_PATH, lambda reply: self.parse_page(reply, offset), action="campaign list", params=params, doc=DOC_LIST
        )

    def parse_campaign(self, reply: Reply, label: str) -> CampaignStatus:
        """Read ``{"data": {...campaign...}}``."""
        data = reply.json_object().get("data")
        if not isinstance(data, dict):
            raise reply.contract_error("no 'data' object (documented: {\"data\": {id, name, status, ...}})")
        return self.status_of(label, data.get("status"), data, reply, TIMESTAMP_FIELDS)

    def parse_page(self, reply: Reply, offset: int) -> Page:
        """Read ``{"data": [...], "meta": {"page": {"total", "offset", "limit"}}}``; more follow while offset + rows < total."""
        body = expect_ok(reply).json_object()
        data, total = body.get("data"), field_path(body, "meta.page.total")
        if not isinstance(data, list):
            raise reply.contract_error("no 'data' list in the campaign list")
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise reply.contract_error("no integer 'meta.page.total' in the campaign list, so it cannot be shown complete")
        items = []
        for item in data:
            ident = item.get("id") if isinstance(item, dict) else None
            if isinstance(ident, bool) or not isinstance(ident, int):
                raise reply.contract_error("a listed campaign without an integer 'id'")
            items.append(self.status_of(str(ident), item.get("status"), item, reply, TIMESTAMP_FIELDS, activity=activity_of(item)))
        return Page(items, offset + len(data) < total)


def activity_of(row: Mapping[str, Any]) -> Activity:
    """What a list row says about the campaign's sending, from documented fields only: ``status`` ``sending`` is
    sending now, ``scheduled`` (``planned`` on the RCS page) starts at ``start_at``; ``statistics.sent`` messages
    went out since ``real_start_at``. BSG's list reports no audience size, so no ``remaining``.
    """
    status = str(row.get("status") or "").strip().lower()
    statistics = row.get("statistics")
    return Activity(
        sending=status in SENDING_STATUSES,
        starting=status in STARTING_STATUSES,
        starts_at=epoch(row.get("start_at")),
        sent=count(statistics.get("sent")) if isinstance(statistics, dict) else None,
        sending_since=epoch(row.get("real_start_at")),
    )


def list_date(moment: pendulum.DateTime) -> str:
    """A list filter date as BSG's list page documents it: ``yyyy-mm-dd hh:mm:ss`` in UTC (whole seconds)."""
    return moment.in_timezone("UTC").format(LIST_DATE_FORMAT)


def list_flow(
    api: BsgApi, channel: str, windows: list[tuple[pendulum.DateTime, pendulum.DateTime]], budget: Budget, max_pages: int = MAX_PAGES
) -> Flow[list[CampaignStatus]]:
    """Every campaign of a channel created in the windows, page by page (at most ``max_pages`` a window), each window in
    turn (deduplicated).
    """
    found: dict[str, CampaignStatus] = {}
    for window in windows:

        def page(index: int, received: int, window: tuple[pendulum.DateTime, pendulum.DateTime] = window) -> ApiRequest[Page]:
            return api.list_request(channel, window, received)

        for status in (yield from paged_flow(api, page, budget, max_pages)):
            found.setdefault(status.campaign_id, status)
    return list(found.values())


def select_flow(
    api: BsgApi, chosen: BsgSelection, budget: Budget, now: pendulum.DateTime, seen: dict[str, CampaignStatus] | None = None
) -> Flow[list[BsgCampaign]]:
    """The selection's active campaigns: every window listed, kept when not final and the name matches; ``seen``
    receives the listed statuses (with their activity).
    """
    if not chosen.all_active:
        return []
    listed = yield from list_flow(api, chosen.channel, selection_windows(chosen, now), budget)
    if seen is not None:
        seen.update({status.campaign_id: status for status in listed})
    return [BsgCampaign(int(status.campaign_id), chosen.channel) for status in active_matching(listed, chosen.name_contains)]


def from_connection(conn: Any, settings: TransportSettings, options: ApiOptions) -> BsgApi:
    """A :class:`BsgApi` from an Airflow connection (``password`` = API key)."""
    api_key = require(conn.password, "password (the BSG API key)", settings.conn_id, VENDOR)
    return BsgApi(api_key, STATUS_MAP.extended(options.status_map))


SPEC = VendorSpec(KEY, VENDOR, DEFAULT_HOST, BsgCampaign, ApiOptions, from_connection, selection=selection)


# -- the fire drill: its first list page and the facts of docs/vendor-contracts.md it probes ------------------------

DRILL_DATE = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
UNAUTHENTICATED = {"message": "Unauthenticated."}


def drill_list_request(ctx: DrillContext) -> ApiRequest[Page]:
    """The drill's first list page: SMS campaigns of the first 3-month window."""
    now = pendulum.now("UTC")
    api: BsgApi = ctx.api
    return api.list_request("sms", list_windows(now.subtract(months=WINDOW_MONTHS), now.add(days=AHEAD_DAYS))[0], 0)


def _six_months(params: dict[str, str]) -> dict[str, str]:
    """The list query asking for a 6-month window (twice the documented limit)."""
    return {**params, "filter[from]": validate_date(params["filter[to]"], "filter[to]").subtract(months=6).to_iso8601_string()}


def _other_status(row: dict[str, Any]) -> dict[str, str]:
    """A status filter the first listed campaign does not match."""
    return {"filter[status]": "done" if row.get("status") != "done" else "sending"}


_WINDOW_VIOLATION = variants.query(_six_months)

DRILL_FACTS = (
    named(
        "bsg.auth.prose_bearer_colon",
        "a valid JWT sent as 'Bearer: <jwt>' is refused",
        variants.token_header_refused(lambda token: {"Bearer": token}, "'Bearer: <jwt>'", "'Authorization: Bearer <jwt>'"),
    ),
    named("bsg.auth.jwt_lifetime", "the bearer is a JWT with a limited lifetime (exp)", probes.jwt_lifetime("the client assumes 1 h")),
    named(
        "bsg.errors.401_404_bodies",
        'a wrong bearer gets 401 {"message": "Unauthenticated."}',
        variants.unauthenticated(401, UNAUTHENTICATED),
    ),
    named(
        "bsg.auth.login_validation",
        "a login without api_key is a validation 422",
        variants.variant(lambda ctx: replace(ctx.api.auth.login_request(), json={}), variants.answers(422, "a login without api_key")),
    ),
    named("bsg.stop.method_mismatch_405", "PUT on an SMS campaign is 405", why_not=NEEDS_A_STOP),
    named("bsg.stop.stoppable_statuses", "the stoppable statuses of each channel", why_not=NEEDS_A_STOP),
    named("bsg.sim.statistics_values", "prices and statistics values", why_not=VALUES_VARY),
    named(
        "bsg.timestamps.format",
        "timestamps are yyyy-mm-dd hh:mm:ss",
        probes.timestamps_match("created_at", DRILL_DATE, "yyyy-mm-dd hh:mm:ss"),
    ),
    named(
        "bsg.list.sort_date_created",
        "sort=date orders by created_at",
        variants.variant(variants.with_params(sort="date", way="desc"), variants.ordered("created_at", True, "sort=date&way=desc")),
    ),
    named(
        "bsg.list.search_semantics",
        "search[field]=taskname finds a part of the name, any case",
        variants.still_lists_first_row(
            lambda row: {"search[field]": "taskname", "search[value]": variants.name_part(row)}, "found by a part of its name"
        ),
    ),
    named(
        "bsg.list.window_422",
        "a window over 3 months is a 422 naming filter.from/filter.to",
        variants.variant(_WINDOW_VIOLATION, variants.validation_naming({"filter.from", "filter.to"}, "a 6-month window"), "window read"),
    ),
    named(
        "bsg.list.window_field",
        "the list window applies to created_at",
        probes.window_applies_to("created_at", "filter[from]", "filter[to]"),
    ),
    named(
        "bsg.errors.validation_422",
        "a validation 422 is {message, errors: {field: [messages]}}",
        variants.variant(_WINDOW_VIOLATION, variants.validation_shape("The given data was invalid.", "a validation error"), "window read"),
    ),
    named(
        "bsg.list.status_filter_ignored",
        "filter[status] is ignored",
        variants.still_lists_first_row(_other_status, "the filter is ignored"),
    ),
    named("bsg.list.date_form", "the list takes dates as yyyy-mm-dd hh:mm:ss", probes.list_page),
    named("bsg.stop.duplicate_then_read", "a 429 on a stop is the duplicate-request detector", why_not=NEEDS_A_STOP),
)
