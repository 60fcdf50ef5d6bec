"""Kore.ai Campaign Management API v2 (SMS), as Kore's published API reference documents it.

Source: Kore's API reference, repository ``Koredotcom/docs``, folder ``docs/xo/apis/contact-center/``
(a newer copy in ``Koredotcom/docs-v2``, ``xo/apis/contact-center/``). What each campaign page says,
and how this module reads it (``docs/vendor-contracts.md`` has the same facts, row by row):

- ``stop-sms-campaign-v2.md``: ``POST https://{{host}}/campaign/api/v2/public/{{streamId}}/campaign//trigger/
  {{campaignId}}?accountId={{accountId}}&campaignType=sms&trigger=stop`` (the double slash is Kore's), body
  ``{}``; sample answer ``{"status": "Stopped", "message": "Campaign Stopped", "updatedAt", "campaignExecutionType":
  "NORMAL"}`` → :data:`STOP_PATH`, the stop's status read from ``status``. The v1 page (``stop-sms-campaign.md``)
  uses ``/campaign/api/v1/public/{{IID}}/campaign/{{campaignId}}?campaignType=&trigger=``;
  ``stop-voice-campaign-v2.md`` uses ``/api/v2/public/{{streamId}}/campaign/trigger/{{campaignId}}`` with
  ``campaignType=voice`` (no ``/campaign`` prefix, one slash). Only SMS is stopped here.
- ``start-sms-campaign-v2.md``: ``POST .../campaign/{{campaignId}}?campaignType=sms&trigger=play`` → ``{"status":
  "Active", "message": "Campaign Started", "updatedAt"}``. Triggers documented: ``play``, ``stop`` (no pause).
- ``get-campaign-status-v2.md``: ``POST .../campaign/{{campaignId}}/status?accountId={{accountId}}&view=status``,
  body ``{}``; ``{"status": "success", "data": {"id": "cd-…", "status": "Ready", "name"}}``; ``status`` is
  "``success``" or "``failure``" → :data:`STATUS_PATH`. The v1 page uses ``/agentassist/api/v1/public/{{IID}}/…``.
- ``get-all-campaigns-v2.md`` (the list): ``POST .../campaign/getAllCampaignDetails?accountId={{accountId}}``;
  request body ``type`` ("voice" or "sms", **required**), ``skip`` ("Pagination offset. Number of records to
  skip"), ``page``, ``limit``, ``startDate``/``endDate`` (ISO 8601), ``sortBy.name|createdAt|updatedAt``
  (asc/desc), ``filters.status`` (``Active, Completed, Ready, Paused, Preparing, Stopped, Scheduled,
  Rescheduled``), ``filters.priority``, ``filters.dialingMode`` (voice). Answer ``{"status": "success",
  "message", "data": {"results": [...], "skip", "limit", "hasMore", "totalPages", "totalResults"}}``;
  ``hasMore``: "Flag indicating if more records are available"; ``totalResults``: "Total number of records
  matching the query". SMS rows carry ``id`` (``cd-…``), ``name``, ``status``, ``totalMessagesSent``; voice rows
  carry ``_id`` (the voice table says ``id``). The v1 pages (``get-all-campaigns.md``, ``get-all-sms-campaigns.md``,
  ``get-all-voice-campaigns.md``) give the same answer with ``hasMore: true`` examples (``limit`` 2 of 8; 10 of 15).
- ``get-sms-campaign-by-id-v2.md``: ``GET .../campaign/{{campaignId}}?accountId=`` → ``data._id`` (``cd-…``) and the
  whole campaign; ``get-voice-campaign-by-id-v2.md`` is the same read (its table says ``PUT``, its curl a GET).
- Every documented campaign id is ``cd-…``; contact lists are ``cl-…``, instances ``cid-…``, streams ``st-…``.

So: the list is complete when ``data.hasMore`` is false, cross-checked with ``data.totalResults`` (never from a
short page); an answer without ``data.results``, a boolean ``data.hasMore`` or an integer ``data.totalResults``,
a row without ``id``/``_id`` or ``status``, a status answer without ``data``: a
:class:`~airflow_provider_campaigns.exceptions.ContractError` naming the page.

Undocumented, chosen here (each a **guess** in ``docs/vendor-contracts.md`` with the probe that confirms it):
what refusing a stop answers (a 400/409/422, or a 200 ``status: failure``, is read as "refused because of the
campaign's state"); that ``skip`` wins over ``page`` when both are sent (both are sent, consistently for full
pages); that sorting by ``createdAt`` ascending keeps offset paging stable.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from airflow_provider_campaigns.activity import Activity, count
from airflow_provider_campaigns.core.errors import describe_failure, expect_json_object, expect_ok, vendor_message
from airflow_provider_campaigns.core.flow import Budget, Flow, Token
from airflow_provider_campaigns.core.settings import TransportSettings, connection_extras, path_template, require
from airflow_provider_campaigns.core.wire import ApiRequest, Reply, path_param
from airflow_provider_campaigns.drill import probes, variants
from airflow_provider_campaigns.drill.context import DrillContext
from airflow_provider_campaigns.drill.facts import FLOODING, MEANING, NEEDS_A_TRIGGER, UNFALSIFIABLE, named
from airflow_provider_campaigns.exceptions import (
    CampaignNotFoundError,
    InvalidInputError,
    PermanentError,
    StopRejectedError,
    VendorRejectedError,
)
from airflow_provider_campaigns.protocol.flows import Page, paged_flow
from airflow_provider_campaigns.protocol.selection import active_matching, exactly_one, id_list
from airflow_provider_campaigns.status import CampaignState, CampaignStatus, StatusMap
from airflow_provider_campaigns.vendors.base import ApiOptions, Ref, VendorApi, VendorSpec

T = TypeVar("T")

VENDOR = "Kore.ai"
KEY = "kore"
DEFAULT_HOST = "https://platform.kore.ai"
STOP_PATH = "/campaign/api/v2/public/{stream_id}/campaign//trigger/{campaign_id}"
STATUS_PATH = "/campaign/api/v2/public/{stream_id}/campaign/{campaign_id}/status"
LIST_PATH = "/campaign/api/v2/public/{stream_id}/campaign/getAllCampaignDetails"
DOCS = "Kore.ai API reference (Koredotcom/docs, docs/xo/apis/contact-center/{page})"
DOC_STOP = DOCS.format(page="stop-sms-campaign-v2.md")
DOC_STATUS = DOCS.format(page="get-campaign-status-v2.md")
DOC_LIST = DOCS.format(page="get-all-campaigns-v2.md")
#: the list's sort: oldest first, so a campaign created while the list is paged lands on a later page
LIST_SORT = {"createdAt": "asc"}
PLACEHOLDERS = frozenset({"stream_id", "campaign_id"})
CAMPAIGN_TYPES = ("sms",)
JWT_TTL = 300
MAX_ID_LENGTH = 128
PAGE_LIMIT = 100
MAX_PAGES = 1000
REFUSED_STOP_STATUSES = frozenset({400, 409, 422})
TIMESTAMP_FIELDS = ("updatedAt", "createdAt", "scheduledAt", "startedAt", "endedAt")
#: the vendor-neutral started_at / finished_at of a result entry: the first of these keys the answer carries
STARTED_AT_FIELDS = ("startedAt",)
FINISHED_AT_FIELDS = ("endedAt", "updatedAt")
_FORBIDDEN = frozenset("/?#%\\")
_NOT_FOUND_HINTS = ("not found", "not exist", "no campaign", "invalid campaign")

#: list-row statuses (casefolded) of a campaign sending now / about to start (for the order of stops)
SENDING_STATUSES = frozenset({"active"})
STARTING_STATUSES = frozenset({"scheduled", "rescheduled", "preparing"})
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


@dataclass(frozen=True)
class KoreOptions(ApiOptions):
    """Kore.ai options: ``stream_id`` = the default bot / stream (wins over the connection's extra)."""

    stream_id: str | None = None


@dataclass(frozen=True)
class KoreCampaign(Ref):
    """One Kore.ai campaign: its id, the stream (bot) it belongs to, and its type."""

    id: str
    stream_id: str
    campaign_type: str = "sms"

    @classmethod
    def validated(cls, id: Any, stream_id: Any, campaign_type: Any = "sms") -> KoreCampaign:
        """The reference from raw values: both ids and the campaign type validated."""
        return cls(validate_id(id), validate_id(stream_id, "stream_id", "stream id"), validate_campaign_type(campaign_type))


@dataclass(frozen=True)
class KoreSelection:
    """What a stop or sensor names at Kore.ai: campaign ids of one stream, or every active campaign of the stream."""

    refs: tuple[KoreCampaign, ...]
    stream_id: str
    all_active: bool = False
    name_contains: str | None = None
    campaign_type: str = "sms"


def selection(
    owner: str,
    default_stream: Callable[[], str | None],
    campaign_id: Any = None,
    campaign_ids: Any = None,
    all_active: Any = False,
    name_contains: Any = None,
    stream_id: Any = None,
    campaign_type: Any = "sms",
) -> KoreSelection:
    """Validate what an operator, sensor or kill-switch target names at Kore.ai (no request is sent).

    ``default_stream`` gives the hook's (or connection's) stream, used when ``stream_id`` is not given;
    it is asked for only after every parameter passed its checks.
    """
    kind = validate_campaign_type(campaign_type)
    if not isinstance(all_active, bool):
        raise InvalidInputError(f"{owner}: all_active must be True or False, not {all_active!r:.40}.")
    if name_contains is not None and (not isinstance(name_contains, str) or not name_contains.strip()):
        raise InvalidInputError(f"{owner}: name_contains must be non-empty text, not {name_contains!r:.40}.")
    exactly_one(owner, campaign_id=campaign_id is not None, campaign_ids=campaign_ids is not None, all_active=all_active)
    if name_contains is not None and not all_active:
        raise InvalidInputError(f"{owner}: name_contains selects campaigns with all_active=True; named ids are stopped as named.")
    given_stream = validate_id(stream_id, "stream_id", "stream id") if stream_id is not None else None
    ids = (
        [validate_id(campaign_id)]
        if campaign_id is not None
        else id_list(campaign_ids, "campaign_ids", validate_id)
        if campaign_ids is not None
        else []
    )
    stream = resolve_stream(owner, given_stream, default_stream())
    return KoreSelection(tuple(KoreCampaign(cid, stream, kind) for cid in ids), stream, all_active, name_contains, kind)


def resolve_stream(owner: str, stream_id: Any, default_stream: str | None) -> str:
    """The given stream id (validated), else the default (hook option or connection extra); neither fails naming both."""
    if stream_id is not None:
        return validate_id(stream_id, "stream_id", "stream id")
    if default_stream is None:
        raise InvalidInputError(f"{owner}: no {VENDOR} stream id: pass stream_id, or set the extra 'stream_id' in the connection.")
    return default_stream


def status_spellings(values: Sequence[str]) -> list[str]:
    """Status filters in Kore's spelling when known (``active`` → ``Active``); others pass unchanged."""
    known = {status.casefold(): status for status in KNOWN_STATUSES}
    return list(dict.fromkeys(known.get(value.strip().casefold(), value.strip()) for value in values if value.strip()))


class KoreAuth:
    """Mints the JWT locally (HS256, Client Secret, ``appId`` = Client ID) and sends it as ``auth``."""

    vendor = VENDOR
    refreshable = True

    def __init__(self, client_id: str, client_secret: str, ttl: int = JWT_TTL) -> None:
        self.client_id = client_id
        self._secret = client_secret
        self.ttl = ttl

    def token_flow(self, budget: Budget) -> Flow[Token]:
        """A freshly minted JWT (``sub``, ``appId``, ``iat``, ``exp``, random ``jti``); no request."""
        import jwt

        now = int(budget.clock.time())
        claims = {"sub": self.client_id, "appId": self.client_id, "iat": now, "exp": now + self.ttl, "jti": uuid.uuid4().hex}
        return Token(jwt.encode(claims, self._secret, algorithm="HS256"), expires_at=float(now + self.ttl))
        yield  # pragma: no cover - makes this a generator, like every other token flow

    def headers(self, token: str) -> dict[str, str]:
        """``auth: <JWT>`` (Kore's header, not ``Authorization``)."""
        return {"auth": token}


class KoreApi(VendorApi[KoreCampaign]):
    """Kore.ai's campaign endpoints for one account (and a default stream)."""

    vendor = VENDOR
    started_at_fields = STARTED_AT_FIELDS
    finished_at_fields = FINISHED_AT_FIELDS

    def __init__(
        self,
        auth: KoreAuth,
        account_id: str,
        default_stream: str | None = None,
        stop_path: str = STOP_PATH,
        status_path: str = STATUS_PATH,
        statuses: StatusMap = STATUS_MAP,
    ) -> None:
        self.auth = auth
        self.account_id = account_id
        self.default_stream = default_stream
        self.stop_path = stop_path
        self.status_path = status_path
        self.statuses = statuses

    def _request(
        self, path: str, interpret: Callable[[Reply], T], action: str, stream: str, body: Any, label: str | None = None, **query: str
    ) -> ApiRequest[T]:
        """A ``POST`` with the account in the query and ``accountid``/``iid`` headers (``iid`` = the stream)."""
        headers = {"accountid": self.account_id, "iid": stream}
        params = {"accountId": self.account_id, **query}
        return ApiRequest("POST", path, interpret, action, label, params=params, json=body, headers=headers)

    def _path(self, template: str, ref: KoreCampaign) -> str:
        """The template filled with percent-encoded ids (no id can add a ``/``)."""
        return template.format(stream_id=path_param(ref.stream_id), campaign_id=path_param(ref.id))

    def stop_request(self, ref: KoreCampaign) -> ApiRequest[CampaignStatus]:
        """``POST .../campaign//trigger/{id}?accountId=&campaignType=sms&trigger=stop`` with ``{}``."""

        def interpret(reply: Reply) -> CampaignStatus:
            if reply.status in REFUSED_STOP_STATUSES or (reply.ok and _failed(reply.json())):
                raise _refusal(StopRejectedError, reply, "refused to stop")
            body = expect_ok(reply).json_object()
            return self.status_of(ref.id, body.get("status"), body, reply, TIMESTAMP_FIELDS)

        path = self._path(self.stop_path, ref)
        request = self._request(path, interpret, "stop", ref.stream_id, {}, ref.id, campaignType=ref.campaign_type, trigger="stop")
        return replace(request, doc=DOC_STOP)

    def status_request(self, ref: KoreCampaign) -> ApiRequest[CampaignStatus]:
        """``POST .../campaign/{id}/status?accountId=&view=status`` with ``{}``."""

        def interpret(reply: Reply) -> CampaignStatus:
            body = expect_ok(reply).json_object()
            if _failed(body):
                message = vendor_message(reply)
                cls = CampaignNotFoundError if any(hint in message.lower() for hint in _NOT_FOUND_HINTS) else VendorRejectedError
                raise _refusal(cls, reply, "answered 'failure' for")
            data = body.get("data")
            if not isinstance(data, dict):
                raise reply.contract_error("no 'data' object (documented: data.id, data.status, data.name)")
            return self.status_of(ref.id, data.get("status"), data, reply, TIMESTAMP_FIELDS)

        request = self._request(self._path(self.status_path, ref), interpret, "status read", ref.stream_id, {}, ref.id, view="status")
        return replace(request, doc=DOC_STATUS)

    def list_request(
        self, stream: str, statuses: Sequence[str] | None = None, skip: int = 0, limit: int = PAGE_LIMIT, campaign_type: str = "sms"
    ) -> ApiRequest[Page]:
        """One page of ``POST .../campaign/getAllCampaignDetails?accountId=`` with the documented body:
        ``type`` (required), ``limit``, ``skip`` (rows already read), ``page`` (1-based), ``sortBy``, ``filters.status``.
        """
        body: dict[str, Any] = {"type": campaign_type, "limit": limit, "skip": skip, "page": skip // limit + 1, "sortBy": dict(LIST_SORT)}
        if statuses:
            body["filters"] = {"status": list(statuses)}
        request = self._request(
            LIST_PATH.format(stream_id=path_param(stream)), lambda reply: self.parse_page(reply, skip), "campaign list", stream, body
        )
        return replace(request, doc=DOC_LIST)

    def credentials_request(self, stream: str) -> ApiRequest[None]:
        """One campaign of the list: proves the JWT, account and stream (any 2xx JSON object will do)."""
        body = {"type": "sms", "limit": 1, "skip": 0, "page": 1}
        request = self._request(LIST_PATH.format(stream_id=path_param(stream)), expect_json_object, "credentials check", stream, body)
        return replace(request, doc=DOC_LIST)

    def parse_page(self, reply: Reply, skip: int) -> Page:
        """Read ``{"status": "success", "data": {"results": [...], "skip", "limit", "hasMore", "totalPages", "totalResults"}}``.

        Rows carry ``id`` (SMS) or ``_id`` (voice) and ``status``. More follow while ``data.hasMore`` is true; a
        last page (``hasMore`` false) must account for ``data.totalResults`` rows (``skip`` + its rows), else the
        answer contradicts itself and the list cannot be shown complete. Anything missing: a contract error.
        """
        body = expect_ok(reply).json_object()
        if _failed(body):
            raise _refusal(VendorRejectedError, reply, "answered 'failure' for the campaign list")
        data = body.get("data")
        if not isinstance(data, dict):
            raise reply.contract_error("no 'data' object (documented: data.results, data.hasMore, data.totalResults)")
        results = data.get("results")
        if not isinstance(results, list):
            raise reply.contract_error("no 'data.results' list")
        found = []
        for row in results:
            ident = (row.get("id") or row.get("_id")) if isinstance(row, dict) else None
            if not isinstance(ident, str) or not ident:
                raise reply.contract_error("a listed campaign without an 'id' (SMS) or '_id' (voice)")
            found.append(self.status_of(ident, row.get("status"), row, reply, TIMESTAMP_FIELDS, activity=activity_of(row)))
        more, total = data.get("hasMore"), data.get("totalResults")
        if not isinstance(more, bool):
            raise reply.contract_error(f"no boolean 'data.hasMore' (got {more!r:.40}), so the list cannot be shown complete")
        if not isinstance(total, int) or isinstance(total, bool) or total < 0:
            raise reply.contract_error(f"no integer 'data.totalResults' (got {total!r:.40}), so the list cannot be cross-checked")
        if not more and skip + len(results) < total:
            raise reply.contract_error(
                f"'data.hasMore' is false but only {skip + len(results)} of 'data.totalResults' {total} campaigns were served, "
                "so the list cannot be shown complete"
            )
        return Page(found, more)


def activity_of(row: Mapping[str, Any]) -> Activity:
    """What a list row says about the campaign's sending, from documented fields only: ``status`` ``Active`` is
    sending now; ``Scheduled``, ``Rescheduled`` and ``Preparing`` are about to start (the list rows carry no start
    time: ``schedule`` holds only ``isSchedulingEnabled``/``isRecurrenceEnabled``); ``totalMessagesSent`` is what
    it sent. Kore.ai reports no audience size in the list, so no ``remaining``; that ``Preparing`` is about to
    send is a **guess** (``docs/vendor-contracts.md``).
    """
    status = str(row.get("status") or "").strip().casefold()
    return Activity(sending=status in SENDING_STATUSES, starting=status in STARTING_STATUSES, sent=count(row.get("totalMessagesSent")))


def _refusal(cls: type[VendorRejectedError] | type[CampaignNotFoundError], reply: Reply, what: str) -> Exception:
    campaign_id = reply.request.campaign_id
    return cls(describe_failure(reply, what), vendor=VENDOR, campaign_id=campaign_id, http_status=reply.status)


def _failed(body: Any) -> bool:
    return isinstance(body, dict) and str(body.get("status", "")).strip().lower() in ("failure", "error")


def active_statuses(statuses: StatusMap, extra: Sequence[str] = ()) -> list[str]:
    """The statuses to ask the list for: Kore's documented ones plus ``extra``, those not final under ``statuses``."""
    return [raw for raw in status_spellings([*KNOWN_STATUSES, *extra]) if not statuses.normalize(raw).is_final]


def list_flow(
    api: KoreApi, stream: str, statuses: Sequence[str] | None, budget: Budget, campaign_type: str = "sms", max_pages: int = MAX_PAGES
) -> Flow[list[CampaignStatus]]:
    """Every campaign of the stream (optionally only those in ``statuses``), page by page (``skip`` = rows read)."""
    return paged_flow(api, lambda _, received: api.list_request(stream, statuses, received, PAGE_LIMIT, campaign_type), budget, max_pages)


def select_flow(
    api: KoreApi, chosen: KoreSelection, budget: Budget, extra_statuses: Sequence[str] = (), seen: dict[str, CampaignStatus] | None = None
) -> Flow[list[KoreCampaign]]:
    """The stream's campaigns that are not final and whose name matches (Kore is asked for the active statuses only;
    every listed campaign is judged again here, so a vendor ignoring the filter stops nothing final). ``seen``
    receives the listed statuses (their names, which Kore's stop answers lack, and their activity).
    """
    if not chosen.all_active:
        return []
    wanted = active_statuses(api.statuses, extra_statuses)
    listed = yield from list_flow(api, chosen.stream_id, wanted, budget, chosen.campaign_type)
    if seen is not None:
        seen.update({status.campaign_id: status for status in listed})
    chosen_refs = []
    for status in active_matching(listed, chosen.name_contains):
        try:
            chosen_refs.append(KoreCampaign(validate_id(status.campaign_id, "listed campaign id"), chosen.stream_id, chosen.campaign_type))
        except InvalidInputError as error:
            raise PermanentError(f"{VENDOR} listed a campaign this provider cannot address safely: {error}", vendor=VENDOR) from None
    return chosen_refs


def from_connection(conn: Any, settings: TransportSettings, options: KoreOptions) -> KoreApi:
    """A :class:`KoreApi` from a connection: ``login`` = Client ID, ``password`` = Client Secret,
    extras ``account_id`` (required), ``stream_id``, ``stop_path``, ``status_path``; the option
    ``stream_id`` wins over the extra.
    """
    from airflow.providers.common.compat.sdk import mask_secret

    conn_id = settings.conn_id
    client_id = require(conn.login, "login (the Kore.ai Client ID)", conn_id, VENDOR)
    secret = require(conn.password, "password (the Kore.ai Client Secret)", conn_id, VENDOR)
    mask_secret(secret)
    extra = connection_extras(conn)
    account = require(extra.get("account_id"), "extra 'account_id'", conn_id, VENDOR)
    account_id = validate_id(account, f"connection {conn_id!r} extra 'account_id'", "account id")
    if options.stream_id is not None:
        default_stream: str | None = validate_id(options.stream_id, "stream_id", "stream id")
    elif "stream_id" in extra:
        default_stream = validate_id(extra["stream_id"], f"connection {conn_id!r} extra 'stream_id'", "stream id")
    else:
        default_stream = None
    paths = {
        name: path_template(extra[name], name, conn_id, PLACEHOLDERS, "campaign_id") if name in extra else default
        for name, default in (("stop_path", STOP_PATH), ("status_path", STATUS_PATH))
    }
    return KoreApi(
        KoreAuth(client_id, secret),
        account_id,
        default_stream,
        paths["stop_path"],
        paths["status_path"],
        STATUS_MAP.extended(options.status_map),
    )


#: Kore.ai documents 60 requests a minute (and 1,800 an hour) per bot for its platform public APIs; its Campaign
#: Management pages name no limit of their own, so this takes them to be platform public APIs (labelled in the README)
REQUESTS_PER_SECOND = 1.0

SPEC = VendorSpec(KEY, VENDOR, DEFAULT_HOST, KoreCampaign, KoreOptions, from_connection, REQUESTS_PER_SECOND, selection=selection)


# -- the fire drill: its first list page and the facts of docs/vendor-contracts.md it probes ------------------------

WRONG_ACCOUNT = "fire-drill-deliberately-wrong-account"


def drill_list_request(ctx: DrillContext) -> ApiRequest[Page]:
    """The drill's first list page: the connection's stream, every status."""
    api: KoreApi = ctx.api
    return api.list_request(resolve_stream("fire drill", None, api.default_stream))


DRILL_FACTS = (
    named("kore.auth.jwt_exp_checked", "one JWT (one jti) serves several calls (exp: not probed)", probes.token_reused),
    named(
        "kore.auth.bad_jwt_401",
        'a wrong JWT gets 401 {"msg": "Invalid SDK credentials", "code": 4002}',
        variants.unauthenticated(401, {"msg": "Invalid SDK credentials", "code": 4002}),
    ),
    named(
        "kore.auth.scope_errors",
        "a valid JWT with a wrong account id is 401 code 4002",
        variants.variant(
            variants.with_headers({"accountid": WRONG_ACCOUNT}, accountId=WRONG_ACCOUNT),
            variants.answers(401, "a wrong account id", {"code": 4002}),
        ),
    ),
    named("kore.stop.siblings", "the single-slash SMS stop path is 404", why_not=NEEDS_A_TRIGGER),
    named("kore.trigger.play", "trigger=play activates a campaign", why_not=NEEDS_A_TRIGGER),
    named("kore.stop.refusal", "stopping a final campaign is a 400 refusal", why_not=NEEDS_A_TRIGGER),
    named("kore.status.values", "every listed status is a documented one", probes.statuses_within(KNOWN_STATUSES)),
    named("kore.campaign.get", "the full campaign's extra fields", why_not=UNFALSIFIABLE),
    named("kore.ids.shape", "campaign ids start with cd-", probes.ids_start_with("cd-"), guess=False),
    named(
        "kore.list.type_required",
        "a list body without type is refused",
        variants.variant(variants.body_without("type"), variants.refused("a list body without type")),
    ),
    named(
        "kore.list.skip_wins",
        "skip wins over page",
        variants.variant(variants.body_with(limit=1, skip=1, page=1), variants.echoes("skip", lambda v: v == 1, "limit 1, skip 1, page 1")),
    ),
    named("kore.list.sort_created_asc", "the client's list comes oldest createdAt first", probes.ascending("createdAt")),
    named(
        "kore.list.status_filter",
        "an undocumented status spelling is refused",
        variants.variant(variants.body_with(filters={"status": ["active"]}), variants.refused("filters.status ['active']")),
    ),
    named(
        "kore.list.has_more",
        "data.hasMore is a boolean, data.totalResults an integer",
        probes.paging_counts("hasMore", "totalResults", "results"),
        guess=False,
    ),
    named(
        "kore.list.limits",
        "limit 100 is accepted",
        variants.variant(variants.body_with(limit=100, skip=0, page=1), variants.echoes("limit", variants.at_most(100), "limit 100")),
    ),
    named("kore.errors.rate_limit", "a 429 carries the rate-limit text", why_not=FLOODING),
    named("kore.rate_limit.default", "the campaign API keeps the platform's 60 calls a minute per bot", why_not=FLOODING),
    named("kore.order.list_fields", "a Preparing campaign is about to send (the order of stops)", why_not=MEANING),
)
