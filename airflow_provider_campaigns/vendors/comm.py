"""comm.com SMS campaigns, as documented: Bearer token, stop one campaign *send*, campaign reads.

Documented (seed ``comm-sms-stop.txt``, ``VENDORS.md``): ``Authorization: Bearer <token>``;
``POST /api/v1/sms/campaigns/{campaign}/stop/{campaignSend}`` with two UUIDs answers
``{"data": SmsCampaignSendResource}`` (``id``, ``status``, ``next_step_timestamp``, ``meta``,
``created_at``, ``updated_at``, ``logs``, ``sms_campaign_id``); ``GET /api/v1/sms/campaigns``
(list) and ``GET /api/v1/sms/campaigns/{campaign}`` (one campaign) exist.

**Undocumented, so chosen here and configurable:**

- *No status enum*: the only example value is ``in_progress``. :data:`DEFAULT_STATUSES` maps the
  values a Laravel-style send plausibly takes; anything else is ``unknown`` (never final, logged
  once). Users extend the map with ``status_map`` and the connection extra ``final_statuses``.
- *No status endpoint for a send*: status reads use the campaign endpoint and look for the send
  (by ``id``) in ``data.sends``, ``data.campaign_sends`` or ``data.sms_campaign_sends`` (or the
  ``send_status_path`` option). When the answer carries no such send, the campaign-level
  ``data.status`` stands in for it, with one WARNING: with several sends per campaign it may not
  be this send's state.
- *No error bodies, codes or rate limits*: ``{"message": ...}`` JSON is expected. On a stop, a 4xx
  other than 401/403/404/429 (400, 409, 422...) is read as "refused because of the send's state":
  the status is read next and a final send counts as ``already_final``.
- *No paging contract* for the list: Laravel's ``page``/``per_page`` and ``meta.last_page`` assumed.
- *Selection* (``all_active``): the running sends are found through campaign reads; see ``comm_listing``.
- *Base URL*: the docs write ``https://api.comm.com/api``; the default host is ``https://api.comm.com``
  and either form works (a base URL ending in ``/api`` is not given a second ``/api``).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Mapping
from typing import Any

from airflow_provider_campaigns.core.errors import describe_failure, expect_ok
from airflow_provider_campaigns.core.flow import Flow
from airflow_provider_campaigns.core.retry import RetryPolicy
from airflow_provider_campaigns.core.settings import TransportSettings, connection_extras, require
from airflow_provider_campaigns.core.wire import ApiRequest, Reply, field_path, path_param
from airflow_provider_campaigns.exceptions import InvalidInputError, StopRejectedError
from airflow_provider_campaigns.status import CampaignState, CampaignStatus, StatusMap
from airflow_provider_campaigns.vendors.base import CampaignRef, StaticBearerAuth, VendorApi, paged_flow

log = logging.getLogger(__name__)

VENDOR = "comm.com"
DEFAULT_HOST = "https://api.comm.com"
CAMPAIGNS_PATH = "/api/v1/sms/campaigns"
PAGE_SIZE = 100
SEND_LIST_PATHS = ("data.sends", "data.campaign_sends", "data.sms_campaign_sends")
TIMESTAMP_FIELDS = ("created_at", "updated_at", "next_step_timestamp")
#: answers to a stop that are not "refused because of state" (429 is retried before it gets here)
NOT_STATE_REFUSALS = frozenset({401, 403, 404, 429})
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

#: comm.com documents no status enum (its one example is ``in_progress``): a justified reading
_STATUSES_BY_STATE = {
    CampaignState.ACTIVE: ("in_progress", "pending", "scheduled", "queued", "sending", "running", "processing"),
    CampaignState.PAUSED: ("paused",),
    CampaignState.STOPPED: ("stopped", "cancelled", "canceled", "halted"),
    CampaignState.COMPLETED: ("completed", "finished", "done", "sent"),
    CampaignState.FAILED: ("failed", "error"),
}
DEFAULT_STATUSES = {raw: state for state, raws in _STATUSES_BY_STATE.items() for raw in raws}
STATUS_MAP = StatusMap(VENDOR, DEFAULT_STATUSES)

#: sends whose missing own status was already reported (once per worker process, not per poke)
_fallback_reported: set[str] = set()


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


def campaign_ref(campaign_id: Any, campaign_send_id: Any, where: str = "") -> dict[str, str]:
    """A validated reference to one campaign send; ``where`` prefixes parameter names in errors."""
    return {
        "campaign_id": validate_uuid(campaign_id, f"{where}campaign_id"),
        "campaign_send_id": validate_uuid(campaign_send_id, f"{where}campaign_send_id"),
    }


def campaign_sends_refs(values: Any, parameter: str = "campaign_sends") -> list[CampaignRef]:
    """Refs from ``[(campaign, send), ...]``, ``[[...]]`` or ``[{"campaign_id", "campaign_send_id"}]``.

    A JSON string of such a list (a template rendered without native objects) is accepted too.
    Duplicates are dropped, order kept.
    """
    if isinstance(values, str):
        try:
            values = json.loads(values)
        except ValueError:
            raise InvalidInputError(f"{parameter}: a string that is not a JSON list of (campaign_id, campaign_send_id) pairs.") from None
    if not isinstance(values, (list, tuple)) or not values:
        raise InvalidInputError(f"{parameter}: a non-empty list of (campaign_id, campaign_send_id) pairs, not {values!r:.80}.")
    refs: dict[str, CampaignRef] = {}
    for index, item in enumerate(values):
        where = f"{parameter}[{index}]."
        if isinstance(item, Mapping):
            missing = [key for key in ("campaign_id", "campaign_send_id") if key not in item]
            if missing:
                raise InvalidInputError(f"{parameter}[{index}]: missing key(s) {', '.join(missing)}.")
            ref = campaign_ref(item["campaign_id"], item["campaign_send_id"], where)
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            ref = campaign_ref(item[0], item[1], where)
        else:
            raise InvalidInputError(f"{parameter}[{index}]: a (campaign_id, campaign_send_id) pair or dict, not {item!r:.80}.")
        refs.setdefault(label(ref), ref)
    return list(refs.values())


def label(ref: CampaignRef) -> str:
    """``{campaign_id}/{campaign_send_id}``: how messages and results name a send."""
    return f"{ref['campaign_id']}/{ref['campaign_send_id']}"


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


class CommApi(VendorApi):
    """comm.com's SMS campaign endpoints (all under ``/api/v1/sms/campaigns``).

    :param send_status_path: dotted path, from the answer's root, to the list of sends in the
        campaign read (for example ``data.sends``); default: try :data:`SEND_LIST_PATHS`.
    :param campaigns_path: path of the campaign collection below the base URL.
    """

    vendor = VENDOR

    def __init__(
        self, token: str, statuses: StatusMap = STATUS_MAP, send_status_path: str | None = None, campaigns_path: str = CAMPAIGNS_PATH
    ) -> None:
        self.auth = StaticBearerAuth(VENDOR, token)
        self.statuses = statuses
        self.send_list_paths = (send_status_path,) if send_status_path else SEND_LIST_PATHS
        self.campaigns_path = campaigns_path

    def label(self, ref: CampaignRef) -> str:
        """``{campaign_id}/{campaign_send_id}``."""
        return label(ref)

    def stop_request(self, ref: CampaignRef) -> ApiRequest[CampaignStatus]:
        """``POST /api/v1/sms/campaigns/{campaign}/stop/{campaignSend}`` (no body)."""
        name = label(ref)

        def interpret(reply: Reply) -> CampaignStatus:
            if 400 <= reply.status < 500 and reply.status not in NOT_STATE_REFUSALS:
                refusal = describe_failure(reply, "refused to stop")
                raise StopRejectedError(refusal, vendor=VENDOR, campaign_id=name, http_status=reply.status)
            data = expect_ok(reply).json_object().get("data")
            if not isinstance(data, dict):
                raise reply.format_error("no 'data' object in the stop answer")
            return self.status_of(name, send_status(data), data)

        path = f"{self.campaigns_path}/{path_param(ref['campaign_id'])}/stop/{path_param(ref['campaign_send_id'])}"
        return ApiRequest("POST", path, interpret, action="stop", campaign_id=name)

    def status_request(self, ref: CampaignRef) -> ApiRequest[CampaignStatus]:
        """``GET /api/v1/sms/campaigns/{campaign}``: the send's status if listed, else the campaign's."""
        name = label(ref)
        return ApiRequest(
            "GET",
            f"{self.campaigns_path}/{path_param(ref['campaign_id'])}",
            lambda reply: self.parse_send_in_campaign(expect_ok(reply), ref),
            action="status read",
            campaign_id=name,
        )

    def list_request(self, page: int, per_page: int = PAGE_SIZE) -> ApiRequest[tuple[list[CampaignStatus], bool]]:
        """One page of ``GET /api/v1/sms/campaigns``; the answer reads as (campaigns, is last page)."""
        params = {"page": str(page), "per_page": str(per_page)}
        return ApiRequest("GET", self.campaigns_path, lambda reply: self.parse_page(reply, per_page), action="campaign list", params=params)

    def credentials_request(self) -> ApiRequest[None]:
        """The cheapest documented authenticated call: one item of the campaign list."""
        return ApiRequest("GET", self.campaigns_path, _accept, action="credentials check", params={"per_page": "1"})

    def parse_send_in_campaign(self, reply: Reply, ref: CampaignRef) -> CampaignStatus:
        """Find the send in the campaign answer; fall back to the campaign's ``status`` (warned once)."""
        name = label(ref)
        body = reply.json_object()
        data = body.get("data")
        if not isinstance(data, dict):
            raise reply.format_error("no 'data' object in the campaign answer")
        send_id = ref["campaign_send_id"].casefold()
        lists = [found for path in self.send_list_paths if isinstance(found := field_path(body, path), list)]
        for send in (item for sends in lists for item in sends if isinstance(item, dict)):
            if str(send.get("id", "")).casefold() == send_id:
                return self.status_of(name, send_status(send), send)
        raw = data.get("status")
        if not isinstance(raw, str):
            raise reply.format_error("neither the send nor a campaign 'status' in the campaign answer")
        if name not in _fallback_reported:
            _fallback_reported.add(name)
            where = "lists other sends, not this one" if lists else f"carries no list of sends ({', '.join(self.send_list_paths)})"
            log.warning(
                "%s: the own status of send %s is not available (the campaign answer %s); judging it by the campaign "
                "status %r. comm.com documents no status read for a send; set send_status_path if the answer lists sends elsewhere.",
                VENDOR,
                name,
                where,
                raw,
            )
        return self.status_of(name, raw, data)

    def parse_page(self, reply: Reply, per_page: int) -> tuple[list[CampaignStatus], bool]:
        """Read ``{"data": [...campaigns...], "meta": {"current_page", "last_page", ...}}``."""
        body = expect_ok(reply).json_object()
        data = body.get("data")
        if not isinstance(data, list):
            raise reply.format_error("no 'data' list in the campaign list")
        campaigns = [self.status_of(str(item.get("id")), item.get("status"), item) for item in data if isinstance(item, dict)]
        meta = body.get("meta")
        current, last = (meta.get("current_page"), meta.get("last_page")) if isinstance(meta, dict) else (None, None)
        on_last_page = isinstance(current, int) and isinstance(last, int) and current >= last
        return campaigns, on_last_page or len(data) < per_page

    def status_of(self, name: str, raw: Any, data: Mapping[str, Any]) -> CampaignStatus:
        """A :class:`CampaignStatus` named ``name`` from a raw status and the object carrying it."""
        campaign_name = data.get("name")
        return CampaignStatus(
            vendor=VENDOR,
            campaign_id=name,
            state=self.statuses.normalize(raw),
            vendor_status=raw if isinstance(raw, str) else None,
            timestamps={key: data[key] for key in TIMESTAMP_FIELDS if isinstance(data.get(key), str)},
            name=campaign_name if isinstance(campaign_name, str) else None,
        )


def send_status(send: Mapping[str, Any]) -> Any:
    """A send's ``status``, else its ``meta.multistep_status.status`` (same example value in the docs)."""
    raw = send.get("status")
    return raw if isinstance(raw, str) else field_path(send, "meta.multistep_status.status")


def _accept(reply: Reply) -> None:
    expect_ok(reply).json_object()


def list_flow(api: CommApi, policy: RetryPolicy, per_page: int = PAGE_SIZE, max_pages: int = 1000) -> Flow[list[CampaignStatus]]:
    """Every campaign (campaign-level status), page by page (1-based ``page``, ``meta.last_page``)."""
    if isinstance(per_page, bool) or not isinstance(per_page, int) or not 1 <= per_page <= PAGE_SIZE:
        raise InvalidInputError(f"per_page must be an integer from 1 to {PAGE_SIZE}, not {per_page!r}.")
    return paged_flow(api, lambda index: api.list_request(index + 1, per_page), policy, max_pages)


def build_api(
    conn: Any, settings: TransportSettings, status_map: Mapping[str, str] | None = None, send_status_path: str | None = None
) -> CommApi:
    """A :class:`CommApi` from an Airflow connection.

    ``password`` = bearer token; extra ``final_statuses`` = comma-separated statuses to treat as
    final; extra ``send_status_path`` = default of the option. ``status_map`` entries win.
    A base URL ending in ``/api`` (how comm.com's docs write it) gets ``/v1/sms/campaigns`` appended.
    """
    token = require(conn.password, "password (the comm.com API token)", settings.conn_id, VENDOR)
    extra = connection_extras(conn)
    path = send_status_path if send_status_path is not None else extra.get("send_status_path")
    if path is not None and (not isinstance(path, str) or not path.strip() or any(ch.isspace() for ch in path)):
        raise InvalidInputError(f"send_status_path must be a dotted path such as 'data.sends', not {path!r:.60}.")
    statuses = STATUS_MAP.extended(final_status_entries(extra.get("final_statuses"), settings.conn_id)).extended(status_map)
    campaigns_path = CAMPAIGNS_PATH.removeprefix("/api") if settings.base_url.endswith("/api") else CAMPAIGNS_PATH
    return CommApi(token, statuses, path, campaigns_path)


__all__ = ["CommApi", "build_api", "campaign_ref", "campaign_sends_refs", "list_flow", "validate_uuid"]
