"""Kore.ai Campaign Management API v2 (SMS): self-minted HS256 JWT in the ``auth`` header, stop via
``POST .../campaign//trigger/{id}?trigger=stop``, ``POST .../campaign/{id}/status``, list (``VENDORS.md``).

Undocumented, chosen here: a 400/409/422 (or a 200 ``status: failure``) on a stop means "refused
because of the campaign's state"; list items may sit under ``data``, ``data.campaigns`` or ``campaigns``.
"""

from __future__ import annotations

import string
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from airflow_provider_campaigns.core.errors import describe_failure, expect_ok, vendor_message
from airflow_provider_campaigns.core.flow import Flow, Token
from airflow_provider_campaigns.core.retry import RetryPolicy
from airflow_provider_campaigns.core.settings import TransportSettings, connection_extras, require
from airflow_provider_campaigns.core.wire import ApiRequest, Reply, path_param
from airflow_provider_campaigns.exceptions import CampaignNotFoundError, InvalidInputError, StopRejectedError, VendorRejectedError
from airflow_provider_campaigns.status import CampaignState, CampaignStatus, StatusMap
from airflow_provider_campaigns.vendors.base import CampaignRef, Page, VendorApi, last_when_short, paged_flow

T = TypeVar("T")

VENDOR = "Kore.ai"
DEFAULT_HOST = "https://platform.kore.ai"
STOP_PATH = "/campaign/api/v2/public/{stream_id}/campaign//trigger/{campaign_id}"
STATUS_PATH = "/campaign/api/v2/public/{stream_id}/campaign/{campaign_id}/status"
LIST_PATH = "/campaign/api/v2/public/{stream_id}/campaign/getAllCampaignDetails"
PLACEHOLDERS = frozenset({"stream_id", "campaign_id"})
CAMPAIGN_TYPES = ("sms",)
JWT_TTL = 300
MAX_ID_LENGTH = 128
PAGE_LIMIT = 100
MAX_PAGES = 1000
REFUSED_STOP_STATUSES = frozenset({400, 409, 422})
TIMESTAMP_FIELDS = ("updatedAt", "createdAt", "scheduledAt", "startedAt", "endedAt")
_FORBIDDEN = frozenset("/?#%\\")
_NOT_FOUND_HINTS = ("not found", "not exist", "no campaign", "invalid campaign")

KNOWN_STATUSES = ("Ready", "Preparing", "Scheduled", "Rescheduled", "Active", "Paused", "Stopped", "Completed")
STATUS_MAP = StatusMap(
    VENDOR,
    {
        **dict.fromkeys(KNOWN_STATUSES[:5], CampaignState.ACTIVE),
        "Paused": CampaignState.PAUSED,
        "Stopped": CampaignState.STOPPED,
        "Completed": CampaignState.COMPLETED,
    },
)


def validate_id(value: Any, parameter: str = "campaign_id", what: str = "campaign id") -> str:
    """A Kore id: non-empty, at most 128 printable ASCII characters, no whitespace, no ``/ ? # %`` or
    backslash, no unrendered ``{{ }}`` template, not a dot segment; returned unchanged.
    """
    if not isinstance(value, str):
        raise InvalidInputError(f"{parameter}: a {VENDOR} {what} is a string, not {type(value).__name__} {value!r:.60}.")
    checks = (
        (not value, "is empty"),
        ("{{" in value or "}}" in value, "looks like an unrendered Jinja template"),
        (len(value) > MAX_ID_LENGTH, f"is longer than {MAX_ID_LENGTH} characters"),
        (any(ch.isspace() or not ch.isprintable() for ch in value), "contains whitespace or control characters"),
        (not value.isascii(), "contains non-ASCII characters (ids travel in HTTP headers)"),
        (bool(_FORBIDDEN.intersection(value)), "contains one of / ? # % \\"),
        (set(value) == {"."}, "is a dot path segment"),
    )
    problem = next((why for bad, why in checks if bad), None)
    if problem:
        raise InvalidInputError(f"{parameter}: the {VENDOR} {what} {value!r:.60} {problem}.")
    return value


def validate_campaign_type(value: Any, parameter: str = "campaign_type") -> str:
    """``sms`` (case-insensitive): the only campaign type this provider stops for now."""
    kind = value.strip().lower() if isinstance(value, str) else None
    if kind not in CAMPAIGN_TYPES:
        raise InvalidInputError(f"{parameter}: {VENDOR} campaign type must be one of {', '.join(CAMPAIGN_TYPES)}, not {value!r:.60}.")
    return kind


def validate_path_template(template: Any, name: str, conn_id: str) -> str:
    """A path template: starts with ``/``, holds ``{campaign_id}``, only ``{stream_id}``/``{campaign_id}``."""
    where = f"Connection {conn_id!r}: extra {name!r}"
    if not isinstance(template, str) or not template.startswith("/") or any(ch.isspace() or ch in "?#" for ch in template):
        raise InvalidInputError(f"{where} must be a path starting with '/', without whitespace, query or fragment: {template!r:.80}.")
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as error:
        raise InvalidInputError(f"{where} is not a valid template ({error}): {template!r:.80}.") from None
    fields = set()
    for literal, field_name, spec, conversion in parts:
        if "{" in literal or "}" in literal:
            raise InvalidInputError(f"{where} must not contain literal braces: {template!r:.80}.")
        if field_name is None:
            continue
        if field_name not in PLACEHOLDERS or spec or conversion:
            raise InvalidInputError(f"{where} has the unknown placeholder {{{field_name}}}; use only {{stream_id}} and {{campaign_id}}.")
        fields.add(field_name)
    if "campaign_id" not in fields:
        raise InvalidInputError(f"{where} must contain the {{campaign_id}} placeholder: {template!r:.80}.")
    return template


class KoreAuth:
    """Mints the JWT locally (HS256, Client Secret, ``appId`` = Client ID) and sends it as ``auth``."""

    vendor = VENDOR
    refreshable = True

    def __init__(self, client_id: str, client_secret: str, ttl: int = JWT_TTL) -> None:
        self.client_id = client_id
        self._secret = client_secret
        self.ttl = ttl

    def token_flow(self) -> Flow[Token]:
        """A freshly minted JWT (``sub``, ``appId``, ``iat``, ``exp``, random ``jti``); no request."""
        import jwt

        now = int(time.time())
        claims = {"sub": self.client_id, "appId": self.client_id, "iat": now, "exp": now + self.ttl, "jti": uuid.uuid4().hex}
        return Token(jwt.encode(claims, self._secret, algorithm="HS256"), expires_at=float(now + self.ttl))
        yield  # pragma: no cover - makes this a generator, like every other token flow

    def headers(self, token: str) -> dict[str, str]:
        """``auth: <JWT>`` (Kore's header, not ``Authorization``)."""
        return {"auth": token}


@dataclass(eq=False)
class KoreApi(VendorApi):
    """Kore.ai's campaign endpoints for one account (and a default stream)."""

    vendor: ClassVar[str] = VENDOR
    auth: KoreAuth
    account_id: str
    default_stream: str | None = None
    stop_path: str = STOP_PATH
    status_path: str = STATUS_PATH
    statuses: StatusMap = STATUS_MAP
    conn_id: str = "kore_default"

    def stream_for(self, stream_id: Any = None, parameter: str = "stream_id") -> str:
        """The given stream id (validated), else the connection's default; neither fails naming both."""
        if stream_id is not None:
            return validate_id(stream_id, parameter, "stream id")
        if self.default_stream is None:
            raise InvalidInputError(f"{parameter}: no {VENDOR} stream id given and connection {self.conn_id!r} has no extra 'stream_id'.")
        return self.default_stream

    def campaign_ref(self, campaign_id: Any, stream_id: Any = None, parameter: str = "campaign_id") -> dict[str, str]:
        """A validated reference; the stream is always explicit in it."""
        return {"campaign_id": validate_id(campaign_id, parameter), "stream_id": self.stream_for(stream_id)}

    def _request(
        self, path: str, interpret: Callable[[Reply], T], action: str, stream: str, body: Any, campaign_id: str | None = None, **query: str
    ) -> ApiRequest[T]:
        """A ``POST`` with the account in the query and ``accountid``/``iid`` headers (``iid`` = the stream)."""
        headers = {"accountid": self.account_id, "iid": stream}
        params = {"accountId": self.account_id, **query}
        return ApiRequest("POST", path, interpret, action, campaign_id, params=params, json=body, headers=headers)

    def _target(self, template: str, ref: CampaignRef) -> tuple[str, str]:
        """The stream of ``ref`` and the template filled with percent-encoded ids."""
        stream = ref.get("stream_id") or self.stream_for()
        return stream, template.format(stream_id=path_param(stream), campaign_id=path_param(ref["campaign_id"]))

    def stop_request(self, ref: CampaignRef) -> ApiRequest[CampaignStatus]:
        """``POST .../campaign//trigger/{id}?accountId=&campaignType=sms&trigger=stop`` with ``{}``."""
        campaign_id = ref["campaign_id"]
        kind = validate_campaign_type(ref.get("campaign_type", "sms"))

        def interpret(reply: Reply) -> CampaignStatus:
            if reply.status in REFUSED_STOP_STATUSES or (reply.ok and _failed(reply.json())):
                raise _refusal(StopRejectedError, reply, "refused to stop")
            return self.parse_campaign(expect_ok(reply).json_object(), campaign_id, reply)

        stream, path = self._target(self.stop_path, ref)
        return self._request(path, interpret, "stop", stream, {}, campaign_id, campaignType=kind, trigger="stop")

    def status_request(self, ref: CampaignRef) -> ApiRequest[CampaignStatus]:
        """``POST .../campaign/{id}/status?accountId=&view=status`` with ``{}``."""
        campaign_id = ref["campaign_id"]

        def interpret(reply: Reply) -> CampaignStatus:
            body = expect_ok(reply).json_object()
            if _failed(body):
                message = vendor_message(reply)
                cls = CampaignNotFoundError if any(hint in message.lower() for hint in _NOT_FOUND_HINTS) else VendorRejectedError
                raise _refusal(cls, reply, "answered 'failure' for")
            data = body.get("data")
            if not isinstance(data, dict):
                raise reply.format_error("no 'data' object in the status answer")
            return self.parse_campaign(data, campaign_id, reply)

        stream, path = self._target(self.status_path, ref)
        return self._request(path, interpret, "status read", stream, {}, campaign_id, view="status")

    def list_request(
        self, stream: str, statuses: Sequence[str] | None = None, skip: int = 0, limit: int = PAGE_LIMIT, campaign_type: str = "sms"
    ) -> ApiRequest[list[CampaignStatus]]:
        """One page of ``POST .../campaign/getAllCampaignDetails?accountId=`` (``page`` is 1-based)."""
        body: dict[str, Any] = {"type": campaign_type, "limit": limit, "skip": skip, "page": skip // limit + 1}
        if statuses:
            body["filters"] = {"status": list(statuses)}
        return self._request(LIST_PATH.format(stream_id=path_param(stream)), self.parse_list, "campaign list", stream, body)

    def parse_list(self, reply: Reply) -> list[CampaignStatus]:
        """Items under ``data``, ``data.campaigns`` or ``campaigns``; each with ``id``/``_id``, ``status``, ``name``."""
        body = expect_ok(reply).json_object()
        data = body.get("data")
        items = data if isinstance(data, list) else (data.get("campaigns") if isinstance(data, dict) else body.get("campaigns"))
        if not isinstance(items, list):
            raise reply.format_error("no campaign list under 'data', 'data.campaigns' or 'campaigns'")
        found = []
        for item in items:
            ident = (item.get("id") or item.get("_id")) if isinstance(item, dict) else None
            if not isinstance(ident, str) or not ident:
                raise reply.format_error("a listed campaign without an 'id' or '_id'")
            found.append(self.parse_campaign(item, ident, reply))
        return found

    def parse_campaign(self, data: Mapping[str, Any], campaign_id: str, reply: Reply) -> CampaignStatus:
        """A campaign (or stop answer) with ``status`` and optional ``name`` and timestamps."""
        raw = data.get("status")
        if not isinstance(raw, str) or not raw:
            raise reply.format_error("no campaign 'status' in the answer")
        name = data.get("name")
        return CampaignStatus(
            vendor=VENDOR,
            campaign_id=campaign_id,
            state=self.statuses.normalize(raw),
            vendor_status=raw,
            timestamps={key: data[key] for key in TIMESTAMP_FIELDS if isinstance(data.get(key), str)},
            name=name if isinstance(name, str) else None,
        )


def _refusal(cls: type[VendorRejectedError] | type[CampaignNotFoundError], reply: Reply, what: str) -> Exception:
    campaign_id = reply.request.campaign_id
    return cls(describe_failure(reply, what), vendor=VENDOR, campaign_id=campaign_id, http_status=reply.status)


def _failed(body: Any) -> bool:
    return isinstance(body, dict) and str(body.get("status", "")).strip().lower() in ("failure", "error")


def list_flow(
    api: KoreApi, stream: str, statuses: Sequence[str] | None, policy: RetryPolicy, campaign_type: str = "sms", max_pages: int = MAX_PAGES
) -> Flow[list[CampaignStatus]]:
    """Every campaign of the stream (optionally only those in ``statuses``), page by page (``skip``)."""

    def page(index: int) -> ApiRequest[Page]:
        return last_when_short(api.list_request(stream, statuses, index * PAGE_LIMIT, PAGE_LIMIT, campaign_type), PAGE_LIMIT)

    return paged_flow(api, page, policy, max_pages)


def build_api(
    conn: Any, settings: TransportSettings, status_map: Mapping[str, str] | None = None, stream_id: str | None = None, **options: Any
) -> KoreApi:
    """A :class:`KoreApi` from a connection: ``login`` = Client ID, ``password`` = Client Secret,
    extras ``account_id`` (required), ``stream_id``, ``stop_path``, ``status_path``; ``stream_id``
    (an operator/sensor option) wins over the extra.
    """
    from airflow.providers.common.compat.sdk import mask_secret

    if options:
        raise InvalidInputError(f"{VENDOR} takes only the API option stream_id, not {', '.join(sorted(options))}.")
    conn_id = settings.conn_id
    client_id = require(conn.login, "login (the Kore.ai Client ID)", conn_id, VENDOR)
    secret = require(conn.password, "password (the Kore.ai Client Secret)", conn_id, VENDOR)
    mask_secret(secret)
    extra = connection_extras(conn)
    account = require(extra.get("account_id"), "extra 'account_id'", conn_id, VENDOR)
    account_id = validate_id(account, f"connection {conn_id!r} extra 'account_id'", "account id")
    default_stream = validate_id(stream_id, "stream_id", "stream id") if stream_id is not None else None
    if default_stream is None and extra.get("stream_id") not in (None, ""):
        default_stream = validate_id(extra["stream_id"], f"connection {conn_id!r} extra 'stream_id'", "stream id")
    paths = {
        name: validate_path_template(extra[name], name, conn_id) if extra.get(name) not in (None, "") else default
        for name, default in (("stop_path", STOP_PATH), ("status_path", STATUS_PATH))
    }
    auth = KoreAuth(client_id, secret)
    return KoreApi(auth, account_id, default_stream, paths["stop_path"], paths["status_path"], STATUS_MAP.extended(status_map), conn_id)
