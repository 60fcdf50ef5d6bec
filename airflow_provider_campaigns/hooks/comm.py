"""Hook for comm.com SMS campaigns (one bearer token, stop a campaign send, campaign reads)."""

from __future__ import annotations

from typing import Any, cast

from airflow_provider_campaigns.exceptions import CampaignNotFoundError
from airflow_provider_campaigns.hooks.base import CampaignHook
from airflow_provider_campaigns.status import CampaignStatus
from airflow_provider_campaigns.vendors.base import CampaignRef, StopOutcome
from airflow_provider_campaigns.vendors.comm import PAGE_SIZE, CommApi, campaign_ref, label, list_flow
from airflow_provider_campaigns.vendors.comm_listing import ListedSend, campaigns_to_read, sends_request


class CommHook(CampaignHook):
    """Talks to comm.com with the connection's ``password`` as ``Authorization: Bearer`` token.

    A 401 is final (a static token has nothing to refresh). comm.com documents no status read for
    a send: :meth:`get_campaign_send` reads ``GET /api/v1/sms/campaigns/{campaign}`` and falls back
    to the campaign's status when the answer does not list the send (see
    :mod:`airflow_provider_campaigns.vendors.comm`).

    :param comm_conn_id: connection id (type ``comm``); ``host`` optional, default ``https://api.comm.com``
        (paths ``/api/v1/sms/campaigns/...`` are appended to it; to a host ending in ``/api``, as the
        docs write the base URL, ``/v1/sms/campaigns/...``).
    :param send_status_path: dotted path to the list of sends in the campaign answer (``data.sends``).
    """

    conn_name_attr = "comm_conn_id"
    default_conn_name = "comm_default"
    conn_type = "comm"
    hook_name = "comm.com (SMS)"
    vendor_key = "comm"

    def __init__(self, comm_conn_id: str = default_conn_name, send_status_path: str | None = None, **kwargs: Any) -> None:
        if send_status_path is not None:
            kwargs["send_status_path"] = send_status_path
        super().__init__(conn_id=comm_conn_id, **kwargs)
        self.comm_conn_id = comm_conn_id

    @property
    def comm_api(self) -> CommApi:
        """The comm.com API description."""
        return cast(CommApi, self.api)

    def check_credentials(self) -> None:
        """``GET /api/v1/sms/campaigns?per_page=1``."""
        self.send(self.comm_api.credentials_request())

    def stop_campaign_send(self, campaign_id: str, campaign_send_id: str, fail_if_already_final: bool = False) -> StopOutcome:
        """``POST /api/v1/sms/campaigns/{campaign}/stop/{campaignSend}``; already final → ``already_final``."""
        return self.stop(campaign_ref(campaign_id, campaign_send_id), fail_if_already_final)

    def get_campaign_send(self, campaign_id: str, campaign_send_id: str) -> CampaignStatus:
        """The send's status as far as ``GET /api/v1/sms/campaigns/{campaign}`` tells it."""
        return self.status(campaign_ref(campaign_id, campaign_send_id))

    def list_campaigns(self, per_page: int = PAGE_SIZE, max_pages: int = 1000) -> list[CampaignStatus]:
        """Every campaign with its campaign-level status, paging through ``GET /api/v1/sms/campaigns``."""
        return self.run(list_flow(self.comm_api, self.settings.retry, per_page, max_pages))

    def list_active_sends(self, name_contains: str | None = None, per_page: int = PAGE_SIZE, max_pages: int = 1000) -> list[CampaignRef]:
        """The sends to stop to stop "every active campaign": ``(campaign_id, campaign_send_id)`` refs.

        Lists the campaigns (``GET /api/v1/sms/campaigns``, every page), keeps those that are not
        final and whose name contains ``name_contains`` (case-insensitive), reads each of them
        (``GET /api/v1/sms/campaigns/{campaign}``, up to ``pool_size`` at once) and keeps its sends
        that are not final, each once.

        **Limit**: comm.com does not document that the campaign answer lists its sends. A campaign
        whose answer carries no list of sends (``data.sends``, ``data.campaign_sends``,
        ``data.sms_campaign_sends`` or ``send_status_path``) cannot be stopped by selection: it is
        skipped with one WARNING naming it (stop its sends by id instead). A campaign that
        disappeared between the list and its read (404) is skipped with a WARNING too.
        """
        campaigns = campaigns_to_read(self.list_campaigns(per_page, max_pages), name_contains)
        if not campaigns:
            return []
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=max(1, min(self.pool_size, len(campaigns)))) as pool:
            answers = list(pool.map(self._sends_of, campaigns))
        refs: dict[str, CampaignRef] = {}
        for campaign, sends in zip(campaigns, answers, strict=True):
            if sends is None:
                self.log.warning(
                    "%s campaign %s (%r, %s): its answer carries no list of sends (%s), so it cannot be stopped by selection; "
                    "stop its sends with campaign_sends, or set send_status_path to where the answer lists them.",
                    self.vendor_name,
                    campaign.campaign_id,
                    campaign.name,
                    campaign.vendor_status,
                    ", ".join(self.comm_api.send_list_paths),
                )
                continue
            for send in sends:
                if not send.status.is_final:
                    refs.setdefault(label(send.ref), send.ref)
        return list(refs.values())

    def _sends_of(self, campaign: CampaignStatus) -> list[ListedSend] | None:
        try:
            return self.send(sends_request(self.comm_api, campaign.campaign_id))
        except CampaignNotFoundError:
            self.log.warning("%s campaign %s was listed but is gone (404); skipping it.", self.vendor_name, campaign.campaign_id)
            return []
