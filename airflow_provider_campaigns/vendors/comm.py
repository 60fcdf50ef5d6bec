"""comm.com SMS campaigns, as documented: Bearer token, stop one campaign *send*, campaign reads.

Documented (seed ``comm-sms-stop.txt``, ``VENDORS.md``): ``POST /api/v1/sms/campaigns/{campaign}/stop/
{campaignSend}`` (two UUIDs) answers ``{"data": SmsCampaignSendResource}`` with the send's ``status``;
``GET /api/v1/sms/campaigns/{campaign}`` answers the campaign, whose status sits at
``data.meta.multistep_status.status`` (no top-level ``status``, no list of sends);
``GET /api/v1/sms/campaigns`` answers ``{"data": [campaign, ...]}``.

**Undocumented, so chosen here** (see ``docs/vendor-contracts.md``): the status enum (the one
example is ``in_progress``; :data:`DEFAULT_STATUSES` maps plausible values, extend it with
``status_map`` or the extra ``final_statuses``); a status read for a send (the campaign read is used:
the send's own entry when the answer lists sends, else the campaign's status, with a warning); the
list's paging (Laravel's ``meta.last_page``/``links.next``; an answer with neither fails); that the
campaign read and the list rows carry ``id`` and ``name`` (documented only in the update body; the drill
checks it); errors (a 4xx other than 401/403/404/429 on a stop is read as "refused because of the send's state").
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from airflow_provider_campaigns.activity import Activity, count, epoch
from airflow_provider_campaigns.core.bearer_auth import StaticBearerAuth
from airflow_provider_campaigns.core.errors import describe_failure, expect_json_object, expect_ok
from airflow_provider_campaigns.core.flow import Budget, Flow
from airflow_provider_campaigns.core.settings import TransportSettings, connection_extras, require
from airflow_provider_campaigns.core.wire import ApiRequest, Reply, field_path, path_param
from airflow_provider_campaigns.drill import probes, variants
from airflow_provider_campaigns.drill.context import DrillContext
from airflow_provider_campaigns.drill.facts import MEANING, NEEDS_A_STOP, named
from airflow_provider_campaigns.exceptions import InvalidInputError, PermanentError, StopRejectedError
from airflow_provider_campaigns.protocol.flows import Page, paged_flow
from airflow_provider_campaigns.protocol.selection import exactly_one, rendered_list
from airflow_provider_campaigns.status import CampaignState, CampaignStatus, StatusMap
from airflow_provider_campaigns.vendors.base import ApiOptions, Ref, VendorApi, VendorSpec

log = logging.getLogger(__name__)

VENDOR = "comm.com"
KEY = "comm"
DEFAULT_HOST = "https://api.comm.com"
CAMPAIGNS_PATH = "/api/v1/sms/campaigns"
PAGE_SIZE = 100
MAX_PAGES = 1000
#: where the documented campaign and send resources carry their status
STATUS_PATH = "meta.multistep_status.status"
#: where the documented resources report a send's progress (contacts, sent)
PROGRESS_PATH = "meta.multistep_status"
#: statuses (casefolded) of a campaign or send sending now / about to start (guessed: no enum is documented)
SENDING_STATUSES = frozenset({"in_progress", "sending", "running", "processing"})
STARTING_STATUSES = frozenset({"scheduled", "pending", "queued"})
#: lists of sends some answers may carry (not documented): looked for, never required
SEND_LIST_PATHS = ("data.sends", "data.campaign_sends", "data.sms_campaign_sends")
TIMESTAMP_FIELDS = ("created_at", "updated_at", "next_step_timestamp")
#: the vendor-neutral started_at / finished_at of a result entry (comm.com documents no start time; the last
#: update of a final send is when it became final)
STARTED_AT_FIELDS: tuple[str, ...] = ()
FINISHED_AT_FIELDS = ("updated_at",)
#: answers to a stop that are not "refused because of state" (429 is retried before it gets here)
NOT_STATE_REFUSALS = frozenset({401, 403, 404, 429})
DOC_STOP = "comm.com 'Stop SMS campaign send' (POST /v1/sms/campaigns/{campaign}/stop/{campaignSend}, api.comm.com docs)"
DOC_CAMPAIGN = "comm.com 'Get SMS campaign' (GET /v1/sms/campaigns/{campaign}, docs.commvoice.ai)"
DOC_LIST = "comm.com 'List SMS campaigns' (GET /v1/sms/campaigns, docs.commvoice.ai)"
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

_STATUSES_BY_STATE = {
    CampaignState.ACTIVE: ("in_progress", "pending", "scheduled", "queued", "sending", "running", "processing"),
    CampaignState.PAUSED: ("paused",),
    CampaignState.STOPPED: ("stopped", "cancelled", "canceled", "halted"),
    CampaignState.COMPLETED: ("completed", "finished", "done", "sent"),
    CampaignState.FAILED: ("failed", "error"),
}
DEFAULT_STATUSES = {raw: state for state, raws in _STATUSES_BY_STATE.items() for raw in raws}
STATUS_MAP = StatusMap(VENDOR, DEFAULT_STATUSES)

#: sends whose own status was not available, already reported (the first as a warning, once per process)
_campaign_level_reported: set[str] = set()


@dataclass(frozen=True)
class CommOptions(ApiOptions):
    """comm.com options: ``send_status_path`` = a dotted path to the sends in the campaign read (``data.sends``)."""

    send_status_path: str | None = None


@dataclass(frozen=True)
class CommSend(Ref):
    """One campaign send: the campaign's UUID and the send's UUID."""

    campaign_id: str
    send_id: str

    #: ``<campaign>/<send>``, which is also accepted as input wherever a pair is
    label_keys = ("campaign_id", "send_id")

    @classmethod
    def validated(cls, campaign_id: Any, send_id: Any) -> CommSend:
        """The reference from raw values (see :func:`send`)."""
        return send(campaign_id, send_id)


@dataclass(frozen=True)
class CommSelection:
    """What a stop or sensor names at comm.com: sends, or every running send (of campaigns whose name matches)."""

    refs: tuple[CommSend, ...]
    all_active: bool = False
    name_contains: str | None = None


def validate_uuid(value: Any, parameter: str) -> str:
    """A comm.com id: a canonical UUID string (or :class:`uuid.UUID`); returned in lower case."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if not isinstance(value, str):
        raise InvalidInputError(f"{parameter}: a comm.com id is a UUID string, not {type(value).__name__} {value!r:.60}.")
    if "{{" in value or "{%" in value:
        raise InvalidInputError(f"{parameter}: {value!r:.80} looks like an unrendered Jinja template, not a UUID.")
    if not _UUID.fullmatch(value):
        raise InvalidInputError(f"{parameter}: a comm.com id is a UUID such as 3c90c3cc-0d44-4b50-8888-8dd25736052a, not {value!r:.60}.")
    return value.lower()


def send(campaign_id: Any, send_id: Any, where: str = "") -> CommSend:
    """A validated reference to one send; ``where`` prefixes parameter names in errors."""
    return CommSend(validate_uuid(campaign_id, f"{where}campaign_id"), validate_uuid(send_id, f"{where}campaign_send_id"))


def send_from(item: Any, parameter: str) -> CommSend:
    """A send from a ``"<campaign>/<send>"`` label, a ``(campaign, send)`` pair or a dict with both ids."""
    if isinstance(item, str) and item.count("/") == 1:
        campaign_id, send_id = item.split("/")
        return send(campaign_id, send_id, f"{parameter}.")
    if isinstance(item, Mapping):
        missing = [key for key in ("campaign_id", "campaign_send_id") if key not in item]
        if missing:
            raise InvalidInputError(f"{parameter}: missing key(s) {', '.join(missing)}.")
        return send(item["campaign_id"], item["campaign_send_id"], f"{parameter}.")
    if isinstance(item, (list, tuple)) and len(item) == 2:
        return send(item[0], item[1], f"{parameter}.")
    raise InvalidInputError(f"{parameter}: a '<campaign>/<send>' id, a (campaign_id, campaign_send_id) pair or a dict, not {item!r:.80}.")


def sends_from(values: Any, parameter: str = "campaign_sends") -> list[CommSend]:
    """Sends from a list of labels, pairs or dicts (or its JSON text); duplicates dropped, order kept."""
    values = rendered_list(values, parameter)
    if isinstance(values, str):
        values = [values]  # one "<campaign>/<send>" label
    if not isinstance(values, (list, tuple)) or not values:
        raise InvalidInputError(f"{parameter}: a non-empty list of sends ('<campaign>/<send>' or pairs), not {values!r:.80}.")
    return list(dict.fromkeys(send_from(item, f"{parameter}[{index}]") for index, item in enumerate(values)))


def selection(
    owner: str,
    campaign_id: Any = None,
    campaign_send_id: Any = None,
    campaign_sends: Any = None,
    all_active: Any = False,
    name_contains: Any = None,
) -> CommSelection:
    """Validate what an operator, sensor or kill-switch target names at comm.com (no request is sent).

    ``campaign_id`` may be a ``"<campaign>/<send>"`` label on its own.
    """
    if not isinstance(all_active, bool):
        raise InvalidInputError(f"{owner}: all_active must be True or False, not {all_active!r:.40}.")
    if name_contains is not None and (not isinstance(name_contains, str) or not name_contains.strip()):
        raise InvalidInputError(f"{owner}: name_contains must be non-empty text, not {name_contains!r:.40}.")
    if name_contains is not None and not all_active:
        raise InvalidInputError(f"{owner}: name_contains selects campaigns with all_active=True; named sends are stopped as named.")
    pair = campaign_id is not None or campaign_send_id is not None
    exactly_one(owner, campaign_id_with_campaign_send_id=pair, campaign_sends=campaign_sends is not None, all_active=all_active)
    if campaign_sends is not None:
        return CommSelection(tuple(sends_from(campaign_sends)))
    if pair:
        one = send_from(campaign_id, "campaign_id") if campaign_send_id is None else send(campaign_id, campaign_send_id)
        return CommSelection((one,))
    return CommSelection((), True, name_contains)


def final_status_entries(value: Any, conn_id: str) -> dict[str, CampaignState]:
    """The extra ``final_statuses`` (comma-separated or a JSON list) as map entries.

    A status the defaults already know as final keeps its state; any other becomes ``stopped``.
    """
    if value is None:
        return {}
    if not isinstance(value, (str, list, tuple)):
        raise InvalidInputError(f"Connection {conn_id!r}: extra 'final_statuses' must be comma-separated statuses, not {value!r:.60}.")
    entries = {}
    for status in filter(None, (str(item).strip() for item in (value.split(",") if isinstance(value, str) else value))):
        default = DEFAULT_STATUSES.get(status.casefold())
        entries[status] = default if default is not None and default.is_final else CampaignState.STOPPED
    return entries


def campaign_status(resource: Mapping[str, Any]) -> Any:
    """A campaign's status: the documented ``meta.multistep_status.status``, else a top-level ``status``."""
    documented = field_path(resource, STATUS_PATH)
    return documented if isinstance(documented, str) and documented else resource.get("status")


def send_status(resource: Mapping[str, Any]) -> Any:
    """A send's status: its own ``status`` (as the stop answer documents it), else ``meta.multistep_status.status``."""
    own = resource.get("status")
    return own if isinstance(own, str) and own else field_path(resource, STATUS_PATH)


class CommApi(VendorApi[CommSend]):
    """comm.com's SMS campaign endpoints (all under ``/api/v1/sms/campaigns``).

    :param send_list_paths: where campaign answers may list their sends (looked for, never required).
    :param campaigns_path: path of the campaign collection below the base URL.
    """

    vendor = VENDOR
    started_at_fields = STARTED_AT_FIELDS
    finished_at_fields = FINISHED_AT_FIELDS
    refusal_hint = (
        "comm.com documents no status of one send, so the campaign's status stands for it, and a campaign with "
        "several sends is running while any of them is. This send may already be stopped while another one runs: "
        "check it in comm.com's console (and name every running send in campaign_sends to stop them all)."
    )

    def __init__(
        self,
        token: str,
        statuses: StatusMap = STATUS_MAP,
        send_list_paths: Sequence[str] = SEND_LIST_PATHS,
        campaigns_path: str = CAMPAIGNS_PATH,
    ):
        self.auth = StaticBearerAuth(VENDOR, token)
        self.statuses = statuses
        self.send_list_paths = tuple(send_list_paths)
        self.campaigns_path = campaigns_path

    def stop_request(self, ref: CommSend) -> ApiRequest[CampaignStatus]:
        """``POST .../{campaign}/stop/{campaignSend}`` (no body); the answer is the send with its ``status``."""

        def interpret(reply: Reply) -> CampaignStatus:
            if 400 <= reply.status < 500 and reply.status not in NOT_STATE_REFUSALS:
                raise StopRejectedError(
                    describe_failure(reply, "refused to stop"), vendor=VENDOR, campaign_id=ref.label, http_status=reply.status
                )
            data = expect_ok(reply).json_object().get("data")
            if not isinstance(data, dict):
                raise reply.contract_error("no 'data' object in the stop answer")
            return self.status_of(ref.label, send_status(data), data, reply, TIMESTAMP_FIELDS)

        path = f"{self.campaigns_path}/{path_param(ref.campaign_id)}/stop/{path_param(ref.send_id)}"
        return ApiRequest("POST", path, interpret, action="stop", campaign_id=ref.label, retry_unreadable=False, doc=DOC_STOP)

    def status_request(self, ref: CommSend) -> ApiRequest[CampaignStatus]:
        """``GET .../{campaign}``: the send's own status where the answer lists it, else the campaign's."""
        return ApiRequest(
            "GET",
            self._campaign_path(ref.campaign_id),
            lambda reply: self.parse_send_status(expect_ok(reply), ref),
            action="status read",
            campaign_id=ref.label,
            doc=DOC_CAMPAIGN,
        )

    def sends_request(self, campaign_id: str) -> ApiRequest[list[CampaignStatus] | None]:
        """``GET .../{campaign}`` read as its sends (label ``<campaign>/<send>``), or ``None`` when the answer lists none."""
        return ApiRequest(
            "GET",
            self._campaign_path(campaign_id),
            lambda reply: self.parse_sends(expect_ok(reply), campaign_id),
            action="sends read",
            campaign_id=campaign_id,
            doc=DOC_CAMPAIGN,
        )

    def list_request(self, page: int) -> ApiRequest[Page]:
        """One page of ``GET /api/v1/sms/campaigns`` (campaign-level statuses)."""
        params = {"page": str(page), "per_page": str(PAGE_SIZE)}
        return ApiRequest(
            "GET", self.campaigns_path, lambda reply: self.parse_page(reply, page), action="campaign list", params=params, doc=DOC_LIST
        )

    def credentials_request(self) -> ApiRequest[None]:
        """The cheapest documented authenticated call: one item of the campaign list."""
        return ApiRequest(
            "GET", self.campaigns_path, expect_json_object, action="credentials check", params={"per_page": "1"}, doc=DOC_LIST
        )

    def _campaign_path(self, campaign_id: str) -> str:
        return f"{self.campaigns_path}/{path_param(campaign_id)}"

    def _listed_sends(self, body: Mapping[str, Any]) -> list[Mapping[str, Any]] | None:
        lists = [found for path in self.send_list_paths if isinstance(found := field_path(body, path), list)]
        return None if not lists else [item for found in lists for item in found if isinstance(item, dict)]

    def parse_send_status(self, reply: Reply, ref: CommSend) -> CampaignStatus:
        """The send's entry when the campaign answer lists it; else the campaign's documented status (warned once per process)."""
        body = reply.json_object()
        data = body.get("data")
        if not isinstance(data, dict):
            raise reply.contract_error("no 'data' object in the campaign answer")
        for item in self._listed_sends(body) or []:
            if str(item.get("id", "")).casefold() == ref.send_id:
                return self.status_of(ref.label, send_status(item), item, reply, TIMESTAMP_FIELDS)
        status = self.status_of(ref.label, campaign_status(data), data, reply, TIMESTAMP_FIELDS)
        if ref.label not in _campaign_level_reported:
            first = not _campaign_level_reported  # a batch of 1,000 sends gets one warning, not 1,000
            _campaign_level_reported.add(ref.label)
            log.log(
                logging.WARNING if first else logging.DEBUG,
                "%s documents no status read for a send: send %s is judged by its campaign's status %r (%s). "
                "That is exact only while the campaign has this one send running.%s",
                VENDOR,
                ref.label,
                status.vendor_status,
                STATUS_PATH,
                " Other sends read this way are logged at debug level." if first else "",
            )
        return status

    def parse_sends(self, reply: Reply, campaign_id: str) -> list[CampaignStatus] | None:
        """The campaign's sends (each named ``<campaign>/<send>``), or ``None`` when the answer lists none."""
        body = reply.json_object()
        if not isinstance(body.get("data"), dict):
            raise reply.contract_error("no 'data' object in the campaign answer")
        items = self._listed_sends(body)
        if items is None:
            return None
        sends = []
        for item in items:
            try:
                ref = send(campaign_id, item.get("id"))
            except InvalidInputError:
                raise reply.contract_error(f"campaign {campaign_id} lists a send whose id {item.get('id')!r:.60} is not a UUID") from None
            own = item if isinstance(field_path(item, PROGRESS_PATH), dict) else body["data"]
            activity = activity_of(own, send_status(item))
            sends.append(self.status_of(ref.label, send_status(item), item, reply, TIMESTAMP_FIELDS, activity=activity))
        return sends

    def parse_page(self, reply: Reply, page: int) -> Page:
        """Read ``{"data": [...], "meta": {"current_page", "last_page"}, "links": {"next"}}``."""
        body = expect_ok(reply).json_object()
        data = body.get("data")
        if not isinstance(data, list):
            raise reply.contract_error("no 'data' list in the campaign list")
        campaigns = []
        for item in data:
            ident = item.get("id") if isinstance(item, dict) else None
            try:
                campaign_id = validate_uuid(ident, "id")
            except InvalidInputError:
                raise reply.contract_error(f"a listed campaign whose id {ident!r:.60} is not a UUID") from None
            status = campaign_status(item)
            campaigns.append(self.status_of(campaign_id, status, item, reply, TIMESTAMP_FIELDS, activity=activity_of(item, status)))
        return Page(campaigns, _more_pages(body, page, reply))


def activity_of(resource: Mapping[str, Any], status: Any) -> Activity:
    """What a campaign (or send) resource says about its sending, from documented fields only:
    ``meta.multistep_status.total_available_contacts`` less ``total_sent`` is what it has left, ``total_sent`` what it
    sent since ``start_timestamp``. The status enum is undocumented (the one example is ``in_progress``): that
    ``in_progress`` means sending now and ``scheduled``/``pending`` about to start, and that ``start_timestamp`` is
    in epoch seconds, are **guesses** (``docs/vendor-contracts.md``); comm.com documents no start time of a send.
    """
    progress = field_path(resource, PROGRESS_PATH)
    progress = progress if isinstance(progress, dict) else {}
    contacts, sent = count(progress.get("total_available_contacts")), count(progress.get("total_sent"))
    raw = str(status or "").strip().casefold()
    return Activity(
        sending=raw in SENDING_STATUSES,
        starting=raw in STARTING_STATUSES,
        remaining=max(0, contacts - sent) if contacts is not None and sent is not None else None,
        sent=sent,
        sending_since=epoch(progress.get("start_timestamp")),
    )


def _more_pages(body: Mapping[str, Any], page: int, reply: Reply) -> bool:
    """Laravel's paging signals: ``meta.last_page`` (with ``meta.current_page``), else ``links.next``."""
    last, current = field_path(body, "meta.last_page"), field_path(body, "meta.current_page")
    if isinstance(last, int) and not isinstance(last, bool):
        return (current if isinstance(current, int) else page) < last
    links = body.get("links")
    if isinstance(links, dict) and "next" in links:
        return bool(links["next"])
    raise reply.contract_error("no paging signal (meta.last_page or links.next) in the campaign list, so it cannot be shown complete")


def list_flow(api: CommApi, budget: Budget, max_pages: int = MAX_PAGES) -> Flow[list[CampaignStatus]]:
    """Every campaign (campaign-level status), page by page."""
    return paged_flow(api, lambda index, _: api.list_request(index + 1), budget, max_pages)


def running_sends(campaigns: Sequence[CampaignStatus], answers: Iterable[list[CampaignStatus] | None]) -> list[CommSend]:
    """The sends to stop, from each listed campaign's read; a campaign whose answer lists no sends fails the selection.

    comm.com's documented campaign answer does not say which sends a campaign has: stopping "every
    active campaign" then cannot be done by listing, and saying so beats stopping nothing quietly.
    """
    chosen: dict[str, CommSend] = {}
    unknown = []
    for campaign, sends in zip(campaigns, answers, strict=True):
        if sends is None:
            unknown.append(f"{campaign.campaign_id} ({campaign.name!r}, {campaign.vendor_status})")
            continue
        for status in sends:
            if not status.is_final:
                ref = send_from(status.campaign_id, "send")
                chosen.setdefault(ref.label, ref)
    if unknown:
        raise PermanentError(
            f"{VENDOR}: all_active cannot tell which sends {len(unknown)} running campaign(s) have: {', '.join(unknown[:10])}"
            f"{' ...' if len(unknown) > 10 else ''}. comm.com's campaign answer does not list its sends; pass the sends to stop "
            "as campaign_sends ('<campaign>/<send>' ids), or set send_status_path if your account's answers list them.",
            vendor=VENDOR,
        )
    return list(chosen.values())


def from_connection(conn: Any, settings: TransportSettings, options: CommOptions) -> CommApi:
    """A :class:`CommApi` from an Airflow connection.

    ``password`` = bearer token; extra ``final_statuses`` = statuses to treat as final; extra
    ``send_status_path`` = default of the option. A base URL ending in ``/api`` (how comm.com's docs
    write it) gets ``/v1/sms/campaigns`` appended.
    """
    token = require(conn.password, "password (the comm.com API token)", settings.conn_id, VENDOR)
    extra = connection_extras(conn)
    path = options.send_status_path if options.send_status_path is not None else extra.get("send_status_path")
    if path is not None and (not isinstance(path, str) or not path.strip() or any(ch.isspace() for ch in path)):
        raise InvalidInputError(f"send_status_path must be a dotted path such as 'data.sends', not {path!r:.60}.")
    statuses = STATUS_MAP.extended(final_status_entries(extra.get("final_statuses"), settings.conn_id)).extended(options.status_map)
    campaigns_path = CAMPAIGNS_PATH.removeprefix("/api") if settings.base_url.endswith("/api") else CAMPAIGNS_PATH
    return CommApi(token, statuses, (path,) if path else SEND_LIST_PATHS, campaigns_path)


SPEC = VendorSpec(KEY, VENDOR, DEFAULT_HOST, CommSend, CommOptions, from_connection, selection=selection)


# -- the fire drill: its first list page and the facts of docs/vendor-contracts.md it probes ------------------------

DRILL_STATUSES = ("pending", "scheduled", "in_progress", "stopped", "completed", "cancelled", "failed")
DRILL_DATE = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"
UNAUTHENTICATED = {"message": "Unauthenticated."}
NOT_OBSERVABLE = "comm.com lists no sends, so no answer shows how a campaign's status follows them"


def drill_list_request(ctx: DrillContext) -> ApiRequest[Page]:
    """The drill's first list page: the first page of campaigns."""
    api: CommApi = ctx.api
    return api.list_request(1)


def drill_ref(ctx: DrillContext, campaign_id: str) -> CommSend:
    """A listed campaign as a send of itself: the client reads a send's status from its campaign's resource (no send is named here)."""
    return send(campaign_id, campaign_id)


DRILL_FACTS = (
    named("comm.errors.bodies", 'a wrong token gets 401 {"message": "Unauthenticated."}', variants.unauthenticated(401, UNAUTHENTICATED)),
    named(
        "comm.status.values",
        "statuses are pending, scheduled, in_progress, stopped, completed, cancelled, failed",
        probes.statuses_within(DRILL_STATUSES),
    ),
    named("comm.stop.refusal_422", "stopping a final send is 422", why_not=NEEDS_A_STOP),
    named("comm.status.reason", "status_reason and timestamps over a send's life", why_not=NEEDS_A_STOP),
    named("comm.campaign.timestamps", "campaigns carry created_at and updated_at", probes.rows_carry("created_at", "updated_at")),
    named("comm.campaign.id_name", "listed campaigns carry id and name", probes.rows_carry("id", "name")),
    named("comm.campaign.status_rule", "a campaign is in_progress while any send runs", why_not=NOT_OBSERVABLE),
    named(
        "comm.list.paging",
        "the list pages like Laravel: links.next, meta.last_page, meta.total",
        probes.paging_keys("links.next", "meta.last_page", "meta.current_page", "meta.total"),
    ),
    named(
        "comm.errors.timestamps_429",
        "timestamps are ISO 8601 with microseconds and Z",
        probes.timestamps_match("created_at", DRILL_DATE, "ISO 8601 with microseconds and Z"),
    ),
    named("comm.order.progress", "in_progress sends now, scheduled/pending start soon, start_timestamp is epoch seconds", why_not=MEANING),
)
