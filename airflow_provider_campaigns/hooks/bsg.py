"""Hook for BSG One-API (SMS and RCS campaigns)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

import pendulum

from airflow_provider_campaigns.core.clock import SYSTEM_CLOCK, Clock
from airflow_provider_campaigns.hooks.base import CampaignHook
from airflow_provider_campaigns.protocol.flows import StopOutcome
from airflow_provider_campaigns.status import CampaignStatus
from airflow_provider_campaigns.vendors import bsg
from airflow_provider_campaigns.vendors.base import ApiOptions


class BsgHook(CampaignHook[bsg.BsgCampaign]):
    """Talks to BSG: logs in once with the API key (connection ``password``), caches the JWT,
    logs in again once on a 401.

    :param bsg_conn_id: connection id (type ``bsg``); ``host`` optional, default ``https://one-api.bsg.world``.
    :param request_timeout: seconds (or ``(connect, read)``) per request; overrides extra ``timeout``.
    :param pool_size: pooled connections and the most requests in flight at once.
    :param status_map: extra ``{vendor status: normalized state}`` entries.
    """

    conn_name_attr = "bsg_conn_id"
    default_conn_name = "bsg_default"
    conn_type = "bsg"
    hook_name = "BSG (SMS, RCS campaigns)"
    spec = bsg.SPEC

    def __init__(
        self,
        bsg_conn_id: str = default_conn_name,
        request_timeout: float | Sequence[float] | None = None,
        pool_size: int = 10,
        status_map: Mapping[str, str] | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        super().__init__(bsg_conn_id, request_timeout, pool_size, ApiOptions(status_map), clock)
        self.bsg_conn_id = bsg_conn_id

    @property
    def bsg_api(self) -> bsg.BsgApi:
        """The BSG API description."""
        return cast(bsg.BsgApi, self.api)

    def login(self) -> str:
        """Obtain (or reuse) the JWT; returns it (already registered with the secrets masker)."""
        from airflow_provider_campaigns.core.flow import NeedToken

        def flow() -> Any:
            return (yield NeedToken())

        return cast(str, self.run(flow()))

    def check_credentials(self) -> None:
        """A real login with the API key."""
        self.run(self.bsg_api.auth.token_flow(self.budget()))

    def stop_campaign(self, campaign_id: int | str, channel: str = "sms", fail_if_already_final: bool = False) -> StopOutcome:
        """``PATCH`` (sms) / ``PUT`` (rcs) ``/api/campaigns/{id}/stop``; already final → ``already_final``."""
        return self.stop(bsg.campaign(campaign_id, channel), fail_if_already_final)

    def get_campaign(self, campaign_id: int | str) -> CampaignStatus:
        """``GET /api/campaigns/{id}``."""
        return self.status(bsg.campaign(campaign_id))

    def list_campaigns(self, campaign_type: str = "sms", date_from: str | None = None, date_to: str | None = None) -> list[CampaignStatus]:
        """Every campaign of a channel created between ``date_from`` and ``date_to`` (default: BSG's own default, the
        3 months up to now), however many 3-month list windows and pages that takes.
        """
        channel = bsg.validate_channel(campaign_type, "campaign_type")
        end = bsg.validate_date(date_to, "date_to") if date_to is not None else self.now()
        start = bsg.validate_date(date_from, "date_from") if date_from is not None else end.subtract(months=bsg.WINDOW_MONTHS)
        return self.run(bsg.list_flow(self.bsg_api, channel, bsg.list_windows(start, end), self.budget()))

    def now(self) -> pendulum.DateTime:
        """The hook clock's time, in UTC."""
        return pendulum.from_timestamp(self.clock.time(), tz="UTC")

    def list_for_order(self, refs: Sequence[bsg.BsgCampaign], deadline: float | None, max_pages: int) -> dict[str, CampaignStatus]:
        """The list of each channel of ``refs`` over the default list windows (``lookback_months`` back, 30 days ahead)."""
        wanted = {ref.label for ref in refs}
        found: dict[str, CampaignStatus] = {}
        for channel in sorted({ref.channel for ref in refs}):
            windows = bsg.selection_windows(bsg.BsgSelection((), True, channel), self.now())
            listed = self.run(bsg.list_flow(self.bsg_api, channel, windows, self.budget(deadline), max_pages))
            found.update({status.campaign_id: status for status in listed if status.campaign_id in wanted})
        return found

    def listed(self, chosen: bsg.BsgSelection, deadline: float | None = None) -> list[bsg.BsgCampaign]:
        """Every active campaign of the selection's channel, over its 3-month windows (name filtered here)."""
        return self.run(bsg.select_flow(self.bsg_api, chosen, self.budget(deadline), self.now(), self.listed_statuses))
