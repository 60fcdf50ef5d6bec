"""Acme's API contract (a vendor that exists only in this test tree): bearer key, stop, status read, paged list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from airflow_provider_campaigns.core.bearer_auth import StaticBearerAuth
from airflow_provider_campaigns.core.errors import expect_ok
from airflow_provider_campaigns.core.settings import require
from airflow_provider_campaigns.core.wire import ApiRequest, Reply, path_param
from airflow_provider_campaigns.exceptions import InvalidInputError, StopRejectedError
from airflow_provider_campaigns.protocol.flows import Page, paged_flow
from airflow_provider_campaigns.protocol.selection import exactly_one, id_list
from airflow_provider_campaigns.status import CampaignState, CampaignStatus, StatusMap
from airflow_provider_campaigns.vendors.base import ApiOptions, Ref, VendorApi, VendorSpec

VENDOR = "Acme"
KEY = "acme"
DEFAULT_HOST = "https://api.acme.test"
STARTED_AT_FIELDS = ("started",)
FINISHED_AT_FIELDS = ("ended",)
STATUS_MAP = StatusMap(
    VENDOR, {"running": CampaignState.ACTIVE, "halted": CampaignState.STOPPED, "done": CampaignState.COMPLETED}
)


@dataclass(frozen=True)
class AcmeCampaign(Ref):
    """One Acme campaign: a short id such as ``ac-1``."""

    campaign_id: str

    label_keys = ("campaign_id",)

    @classmethod
    def validated(cls, campaign_id: Any) -> AcmeCampaign:
        """The reference from a raw id."""
        return campaign(campaign_id, "campaign_id")


@dataclass(frozen=True)
class AcmeSelection:
    """Named campaigns, or every running one."""

    refs: tuple[AcmeCampaign, ...]
    all_active: bool = False


def campaign(value: Any, parameter: str) -> AcmeCampaign:
    """A validated Acme id (``ac-`` and digits)."""
    if not isinstance(value, str) or not value.startswith("ac-") or not value[3:].isdigit():
        raise InvalidInputError(f"{parameter}: an Acme id looks like 'ac-1', not {value!r:.40}.")
    return AcmeCampaign(value)


def selection(owner: str, campaign_ids: Any = None, all_active: Any = False) -> AcmeSelection:
    """Validate what a task names at Acme (no request)."""
    exactly_one(owner, campaign_ids=campaign_ids is not None, all_active=all_active is True)
    if campaign_ids is not None:
        return AcmeSelection(tuple(id_list(campaign_ids, "campaign_ids", campaign)))
    return AcmeSelection((), True)


class AcmeApi(VendorApi[AcmeCampaign]):
    """``POST /campaigns/{id}/stop``, ``GET /campaigns/{id}``, ``GET /campaigns?page=N`` (``{"items", "more"}``)."""

    vendor = VENDOR
    started_at_fields = STARTED_AT_FIELDS
    finished_at_fields = FINISHED_AT_FIELDS

    def __init__(self, key: str, statuses: StatusMap) -> None:
        self.auth = StaticBearerAuth(VENDOR, key)
        self.statuses = statuses

    def _read(self, reply: Reply, campaign_id: str) -> CampaignStatus:
        body = expect_ok(reply).json_object()
        return self.status_of(campaign_id, body.get("state"), body, reply, ("started", "ended"))

    def stop_request(self, ref: AcmeCampaign) -> ApiRequest[CampaignStatus]:
        """The stop; 409 means the state forbids it."""

        def interpret(reply: Reply) -> CampaignStatus:
            if reply.status == 409:
                raise StopRejectedError("Acme refused the stop", vendor=VENDOR, campaign_id=ref.label, http_status=409)
            return self._read(reply, ref.label)

        path = f"/campaigns/{path_param(ref.campaign_id)}/stop"
        return ApiRequest("POST", path, interpret, action="stop", campaign_id=ref.label, retry_unreadable=False, doc="Acme stop")

    def status_request(self, ref: AcmeCampaign) -> ApiRequest[CampaignStatus]:
        """The status read."""
        path = f"/campaigns/{path_param(ref.campaign_id)}"
        return ApiRequest("GET", path, lambda reply: self._read(reply, ref.label), action="status read", campaign_id=ref.label)

    def list_request(self, page: int) -> ApiRequest[Page]:
        """One page of the list."""

        def interpret(reply: Reply) -> Page:
            body = expect_ok(reply).json_object()
            if not isinstance(body.get("items"), list) or not isinstance(body.get("more"), bool):
                raise reply.contract_error("no 'items' list or 'more' flag in the campaign list")
            return Page([self.status_of(item["id"], item.get("state"), item, reply) for item in body["items"]], body["more"])

        return ApiRequest("GET", "/campaigns", interpret, action="campaign list", params={"page": str(page)})


def from_connection(conn: Any, settings: Any, options: ApiOptions) -> AcmeApi:
    """``password`` is the bearer key."""
    key = require(conn.password, "password (the Acme key)", settings.conn_id, VENDOR)
    return AcmeApi(key, STATUS_MAP.extended(options.status_map))


def list_flow(api: AcmeApi, budget: Any) -> Any:
    """Every campaign, page by page."""
    return paged_flow(api, lambda index, _: api.list_request(index + 1), budget, 100)


SPEC = VendorSpec(KEY, VENDOR, DEFAULT_HOST, AcmeCampaign, ApiOptions, from_connection, selection=selection)
