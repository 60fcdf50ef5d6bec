"""Hook for comm.com SMS campaigns (one bearer token, stop a campaign send, campaign reads)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar, cast

from airflow_provider_campaigns.core.clock import SYSTEM_CLOCK, Clock
from airflow_provider_campaigns.exceptions import CampaignNotFoundError
from airflow_provider_campaigns.hooks.base import CampaignHook
from airflow_provider_campaigns.protocol.flows import StopOutcome
from airflow_provider_campaigns.protocol.selection import active_matching
from airflow_provider_campaigns.status import CampaignStatus
from airflow_provider_campaigns.vendors import comm


class CommHook(CampaignHook[comm.CommSend]):
    """Talks to comm.com with the connection's ``password`` as ``Authorization: Bearer`` token.

    A 401 is final (a static token has nothing to refresh). comm.com documents no status read for a
    send: :meth:`get_campaign_send` reads ``GET /api/v1/sms/campaigns/{campaign}`` and takes the send's
    own entry when the answer lists sends, else the campaign's ``meta.multistep_status.status``.

    :param comm_conn_id: connection id (type ``comm``); ``host`` optional, default ``https://api.comm.com``
        (a host ending in ``/api``, as the docs write the base URL, works too).
    :param send_status_path: dotted path to a list of sends in the campaign answer (``data.sends``).
    :param request_timeout: seconds (or ``(connect, read)``) per request; overrides extra ``timeout``.
    :param pool_size: pooled connections and the most requests in flight at once.
    :param status_map: extra ``{vendor status: normalized state}`` entries.
    """

    conn_name_attr = "comm_conn_id"
    default_conn_name = "comm_default"
    conn_type = "comm"
    hook_name = "comm.com (SMS)"
    spec = comm.SPEC

    def __init__(
        self,
        comm_conn_id: str = default_conn_name,
        send_status_path: str | None = None,
        request_timeout: float | Sequence[float] | None = None,
        pool_size: int = 10,
        status_map: Mapping[str, str] | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        super().__init__(comm_conn_id, request_timeout, pool_size, comm.CommOptions(status_map, send_status_path), clock)
        self.comm_conn_id = comm_conn_id

    @property
    def comm_api(self) -> comm.CommApi:
        """The comm.com API description."""
        return cast(comm.CommApi, self.api)

    def check_credentials(self) -> None:
        """``GET /api/v1/sms/campaigns?per_page=1``."""
        self.send(self.comm_api.credentials_request())

    def stop_campaign_send(self, campaign_id: str, campaign_send_id: str, fail_if_already_final: bool = False) -> StopOutcome:
        """``POST /api/v1/sms/campaigns/{campaign}/stop/{campaignSend}``; already final → ``already_final``."""
        return self.stop(comm.send(campaign_id, campaign_send_id), fail_if_already_final)

    def get_campaign_send(self, campaign_id: str, campaign_send_id: str) -> CampaignStatus:
        """The send's status as far as ``GET /api/v1/sms/campaigns/{campaign}`` tells it."""
        return self.status(comm.send(campaign_id, campaign_send_id))

    def list_campaigns(self) -> list[CampaignStatus]:
        """Every campaign with its campaign-level status, paging through ``GET /api/v1/sms/campaigns``."""
        return self.run(comm.list_flow(self.comm_api, self.budget()))

    #: the list holds campaigns: a send's own status is not in it (its campaign's activity is)
    order_list_has_status: ClassVar[bool] = False

    def list_for_order(self, refs: Sequence[comm.CommSend], deadline: float | None, max_pages: int) -> dict[str, CampaignStatus]:
        """The campaign list: each send gets its campaign's row (``meta.multistep_status``: contacts left, sent)."""
        campaigns = {status.campaign_id: status for status in self.run(comm.list_flow(self.comm_api, self.budget(deadline), max_pages))}
        return {ref.label: campaigns[ref.campaign_id] for ref in refs if ref.campaign_id in campaigns}

    def listed(self, chosen: comm.CommSelection, deadline: float | None = None) -> list[comm.CommSend]:
        """The running sends of every campaign that is not final and whose name matches.

        Lists the campaigns, reads each chosen one (up to ``pool_size`` at once) and keeps its sends that are
        not final. A campaign whose answer does not list its sends fails the selection, naming it (see
        :func:`~airflow_provider_campaigns.vendors.comm.running_sends`); a campaign that disappeared between
        the list and its read (404) has nothing left to stop.
        """
        campaigns = active_matching(self.list_campaigns(), chosen.name_contains)
        answers = self.map(lambda campaign: self._sends_of(campaign, deadline), campaigns)
        self.listed_statuses.update({status.campaign_id: status for sends in answers if sends for status in sends})
        return comm.running_sends(campaigns, answers)

    def _sends_of(self, campaign: CampaignStatus, deadline: float | None) -> list[CampaignStatus] | None:
        try:
            return self.send(self.comm_api.sends_request(campaign.campaign_id), deadline)
        except CampaignNotFoundError:
            self.log.warning("%s campaign %s was listed but is gone (404): nothing to stop.", self.vendor_name, campaign.campaign_id)
            return []
