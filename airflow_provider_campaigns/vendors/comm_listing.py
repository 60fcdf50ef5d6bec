"""comm.com selection ("stop every active campaign"): which campaign *sends* are still running.

comm.com stops a campaign **send** (``POST /api/v1/sms/campaigns/{campaign}/stop/{campaignSend}``),
but its list (``GET /api/v1/sms/campaigns``) names **campaigns**. Selection therefore takes the
listed campaigns that are not final (and whose name matches), reads each one
(``GET /api/v1/sms/campaigns/{campaign}``) and keeps its sends that are not final.

**Limit of comm.com's documentation**: it does not say that the campaign answer lists the
campaign's sends. They are looked for where the status read looks (``data.sends``,
``data.campaign_sends``, ``data.sms_campaign_sends``, or the ``send_status_path`` option). A
campaign whose answer carries no such list cannot be stopped by selection: :func:`sends_request`
reads it as ``None`` and the hook skips it with a WARNING naming it.

Pure: requests and parsers only, like every vendor module.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from airflow_provider_campaigns.core.errors import expect_ok
from airflow_provider_campaigns.core.wire import ApiRequest, Reply, field_path, path_param
from airflow_provider_campaigns.exceptions import InvalidInputError
from airflow_provider_campaigns.status import CampaignStatus
from airflow_provider_campaigns.vendors.base import CampaignRef
from airflow_provider_campaigns.vendors.comm import VENDOR, CommApi, campaign_ref, label, send_status, validate_uuid

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ListedSend:
    """One send found in a campaign answer: its reference (both UUIDs) and its own status."""

    ref: CampaignRef
    status: CampaignStatus


def name_matches(name: str | None, name_contains: str | None) -> bool:
    """Whether ``name`` contains ``name_contains`` (case-insensitive); no filter matches everything."""
    return not name_contains or name_contains.casefold() in (name or "").casefold()


def campaigns_to_read(campaigns: Iterable[CampaignStatus], name_contains: str | None = None) -> list[CampaignStatus]:
    """The listed campaigns worth reading for sends: not final, name matching, once each, in list order.

    A listed campaign whose id is not a UUID cannot be addressed by a stop: it is skipped with a WARNING.
    """
    chosen: dict[str, CampaignStatus] = {}
    for campaign in campaigns:
        if campaign.is_final or not name_matches(campaign.name, name_contains):
            continue
        try:
            campaign_id = validate_uuid(campaign.campaign_id, "listed campaign id")
        except InvalidInputError:
            log.warning("%s listed a campaign whose id %r is not a UUID: it cannot be stopped by selection.", VENDOR, campaign.campaign_id)
            continue
        chosen.setdefault(campaign_id, replace(campaign, campaign_id=campaign_id))
    return list(chosen.values())


def sends_request(api: CommApi, campaign_id: str) -> ApiRequest[list[ListedSend] | None]:
    """``GET /api/v1/sms/campaigns/{campaign}``, read as the campaign's sends, each with its own status.

    The answer reads as ``None`` when it carries no list of sends (see the module docstring).
    """
    return ApiRequest(
        "GET",
        f"{api.campaigns_path}/{path_param(campaign_id)}",
        lambda reply: parse_sends(api, expect_ok(reply), campaign_id),
        action="sends read",
        campaign_id=campaign_id,
    )


def parse_sends(api: CommApi, reply: Reply, campaign_id: str) -> list[ListedSend] | None:
    """The sends under the API's send list paths (deduplicated by id), or ``None`` when there is no such list.

    A send without a UUID ``id`` cannot be stopped: it is skipped with a WARNING.
    """
    body = reply.json_object()
    if not isinstance(body.get("data"), dict):
        raise reply.format_error("no 'data' object in the campaign answer")
    lists = [found for path in api.send_list_paths if isinstance(found := field_path(body, path), list)]
    if not lists:
        return None
    sends: dict[str, ListedSend] = {}
    for item in (item for found in lists for item in found):
        send: dict[str, Any] = item if isinstance(item, dict) else {}
        try:
            ref = campaign_ref(campaign_id, send.get("id"))
        except InvalidInputError:
            log.warning("%s campaign %s lists a send whose id %r is not a UUID: it cannot be stopped.", VENDOR, campaign_id, send.get("id"))
            continue
        name = label(ref)
        sends.setdefault(name, ListedSend(ref, api.status_of(name, send_status(send), send)))
    return list(sends.values())


__all__ = ["ListedSend", "campaigns_to_read", "name_matches", "parse_sends", "sends_request"]
