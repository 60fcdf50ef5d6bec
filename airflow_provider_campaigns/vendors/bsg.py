"""BSG One-API v2 (SMS and RCS), as documented: login → JWT, PATCH/PUT stop, GET campaign, list.

Sources: BSG "Cancel SMS/RCS campaign" pages, the One-API OpenAPI spec and official SDKs
(see ``VENDORS.md``). Timestamps are ``yyyy-mm-dd hh:mm:ss`` without a zone; treated as UTC.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Mapping
from typing import Any

from airflow_provider_campaigns.core.errors import describe_failure, expect_ok
from airflow_provider_campaigns.core.flow import Flow, Token, call
from airflow_provider_campaigns.core.retry import RetryPolicy
from airflow_provider_campaigns.core.settings import TransportSettings, require
from airflow_provider_campaigns.core.wire import ApiRequest, Reply, path_param
from airflow_provider_campaigns.exceptions import InvalidInputError, StopRejectedError
from airflow_provider_campaigns.status import CampaignState, CampaignStatus, StatusMap
from airflow_provider_campaigns.vendors.base import CampaignRef, VendorApi, last_when_short, paged_flow

VENDOR = "BSG"
DEFAULT_HOST = "https://one-api.bsg.world"
CHANNELS = ("sms", "rcs")
STOP_METHODS = {"sms": "PATCH", "rcs": "PUT"}
PAGE_LIMIT = 100
MAX_PAGES = 1000
MAX_CAMPAIGN_ID = 2**63 - 1
TIMESTAMP_FIELDS = ("created_at", "start_at", "real_start_at", "finished_at")
INVALID_STATUS_MESSAGE = "invalid campaign status"

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


def validate_campaign_id(value: Any, parameter: str = "campaign_id") -> str:
    """A BSG campaign id is a positive integer (``12`` or ``"12"``); returns its canonical text."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InvalidInputError(f"{parameter}: a BSG campaign id is a positive integer, not {type(value).__name__} {value!r:.60}.")
    text = str(value)
    if not (text.isascii() and text.isdigit()) or int(text) <= 0 or int(text) > MAX_CAMPAIGN_ID:
        raise InvalidInputError(f"{parameter}: a BSG campaign id is a positive integer, not {text!r:.60}.")
    return str(int(text))


def validate_channel(value: Any, parameter: str = "channel") -> str:
    """``sms`` or ``rcs`` (case-insensitive)."""
    channel = value.strip().lower() if isinstance(value, str) else None
    if channel not in CHANNELS:
        raise InvalidInputError(f"{parameter}: BSG channel must be one of {', '.join(CHANNELS)}, not {value!r:.60}.")
    return channel


def campaign_ref(campaign_id: Any, channel: Any = "sms", parameter: str = "campaign_id") -> dict[str, str]:
    """A validated reference to one BSG campaign."""
    return {"campaign_id": validate_campaign_id(campaign_id, parameter), "channel": validate_channel(channel)}


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

    def __init__(self, api_key: str, policy: RetryPolicy) -> None:
        self._api_key = api_key
        self._policy = policy

    def login_request(self) -> ApiRequest[Token]:
        """The login call (unauthenticated)."""
        return ApiRequest("POST", "/api/auth/login", _parse_login, action="login", json={"api_key": self._api_key}, authenticated=False)

    def token_flow(self) -> Flow[Token]:
        """Log in and return the JWT with its expiry."""
        return call(self.login_request(), VENDOR, self._policy, refreshable=False)

    def headers(self, token: str) -> dict[str, str]:
        """Bearer header (the spec's form, not the prose docs' ``Bearer:``)."""
        return {"Authorization": f"Bearer {token}"}


def _parse_login(reply: Reply) -> Token:
    bearer = expect_ok(reply).json_object().get("bearer")
    if not isinstance(bearer, str) or not bearer:
        raise reply.format_error("no 'bearer' token in the login answer")
    return Token(bearer, jwt_expiry(bearer) or time.time() + 3600)


class BsgApi(VendorApi):
    """BSG's campaign endpoints."""

    vendor = VENDOR

    def __init__(self, api_key: str, policy: RetryPolicy, statuses: StatusMap = STATUS_MAP) -> None:
        self.auth = BsgAuth(api_key, policy)
        self.statuses = statuses

    def stop_request(self, ref: CampaignRef) -> ApiRequest[CampaignStatus]:
        """``PATCH`` (SMS) or ``PUT`` (RCS) ``/api/campaigns/{id}/stop``."""
        campaign_id = ref["campaign_id"]
        method = STOP_METHODS[ref.get("channel", "sms")]

        def interpret(reply: Reply) -> CampaignStatus:
            if reply.status == 422 and _message(reply).strip().lower() == INVALID_STATUS_MESSAGE:
                raise StopRejectedError(describe_failure(reply, "refused to stop"), vendor=VENDOR, campaign_id=campaign_id, http_status=422)
            return self.parse_campaign(expect_ok(reply), campaign_id)

        return ApiRequest(method, f"/api/campaigns/{path_param(campaign_id)}/stop", interpret, action="stop", campaign_id=campaign_id)

    def status_request(self, ref: CampaignRef) -> ApiRequest[CampaignStatus]:
        """``GET /api/campaigns/{id}``."""
        campaign_id = ref["campaign_id"]
        return ApiRequest(
            "GET",
            f"/api/campaigns/{path_param(campaign_id)}",
            lambda reply: self.parse_campaign(expect_ok(reply), campaign_id),
            action="status read",
            campaign_id=campaign_id,
        )

    def list_request(self, filters: Mapping[str, str], offset: int, limit: int = PAGE_LIMIT) -> ApiRequest[list[CampaignStatus]]:
        """One page of ``GET /api/campaigns`` (``filters`` are BSG query keys such as ``filter[type]``)."""
        params = {**filters, "page[offset]": str(offset), "page[limit]": str(limit)}
        return ApiRequest("GET", "/api/campaigns", self.parse_list, action="campaign list", params=params)

    def parse_campaign(self, reply: Reply, campaign_id: str | None = None) -> CampaignStatus:
        """Read ``{"data": {...campaign...}}``."""
        data = reply.json_object().get("data")
        if not isinstance(data, dict):
            raise reply.format_error("no 'data' object in the answer")
        return self._status_of(data, campaign_id, reply)

    def parse_list(self, reply: Reply) -> list[CampaignStatus]:
        """Read ``{"data": [...campaigns...], ...}``."""
        data = expect_ok(reply).json_object().get("data")
        if not isinstance(data, list):
            raise reply.format_error("no 'data' list in the campaign list")
        return [self._status_of(item, None, reply) for item in data if isinstance(item, dict)]

    def _status_of(self, data: Mapping[str, Any], campaign_id: str | None, reply: Reply) -> CampaignStatus:
        raw = data.get("status")
        if not isinstance(raw, str):
            raise reply.format_error("no campaign 'status' in the answer")
        ident = campaign_id if campaign_id is not None else str(data.get("id"))
        name = data.get("name")
        return CampaignStatus(
            vendor=VENDOR,
            campaign_id=ident,
            state=self.statuses.normalize(raw),
            vendor_status=raw,
            timestamps={key: str(data[key]) for key in TIMESTAMP_FIELDS if isinstance(data.get(key), str)},
            name=name if isinstance(name, str) else None,
        )


def list_flow(api: BsgApi, filters: Mapping[str, str], policy: RetryPolicy, max_pages: int = MAX_PAGES) -> Flow[list[CampaignStatus]]:
    """Every campaign matching ``filters``, page by page (``page[offset]``)."""
    return paged_flow(api, lambda index: last_when_short(api.list_request(filters, index * PAGE_LIMIT), PAGE_LIMIT), policy, max_pages)


def _message(reply: Reply) -> str:
    try:
        body = reply.json()
    except Exception:  # noqa: BLE001 - any unreadable body simply has no message
        return ""
    message = body.get("message") if isinstance(body, dict) else None
    return message if isinstance(message, str) else ""


def build_api(conn: Any, settings: TransportSettings, status_map: Mapping[str, str] | None = None, **options: Any) -> BsgApi:
    """A :class:`BsgApi` from an Airflow connection (``password`` = API key)."""
    if options:
        raise InvalidInputError(f"BSG takes no vendor options; got {sorted(options)}.")
    api_key = require(conn.password, "password (the BSG API key)", settings.conn_id, VENDOR)
    return BsgApi(api_key, settings.retry, STATUS_MAP.extended(status_map))


__all__ = ["BsgApi", "build_api", "campaign_ref", "list_flow", "validate_campaign_id", "validate_channel"]
