"""Hook for BSG One-API (SMS and RCS campaigns)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from airflow_provider_campaigns.hooks.base import CampaignHook
from airflow_provider_campaigns.status import CampaignStatus
from airflow_provider_campaigns.vendors.base import StopOutcome
from airflow_provider_campaigns.vendors.bsg import BsgApi, campaign_ref, list_flow


class BsgHook(CampaignHook):
    """Talks to BSG: logs in once with the API key (connection ``password``), caches the JWT,
    logs in again once on a 401.

    :param bsg_conn_id: connection id (type ``bsg``); ``host`` optional, default ``https://one-api.bsg.world``.
    """

    conn_name_attr = "bsg_conn_id"
    default_conn_name = "bsg_default"
    conn_type = "bsg"
    hook_name = "BSG (SMS, RCS campaigns)"
    vendor_key = "bsg"

    def __init__(self, bsg_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(conn_id=bsg_conn_id, **kwargs)
        self.bsg_conn_id = bsg_conn_id

    @property
    def bsg_api(self) -> BsgApi:
        """The BSG API description."""
        return cast(BsgApi, self.api)

    def login(self) -> str:
        """Obtain (or reuse) the JWT; returns it (already registered with the secrets masker)."""
        from airflow_provider_campaigns.core.flow import NeedToken

        def flow() -> Any:
            return (yield NeedToken())

        return cast(str, self.run(flow()))

    def check_credentials(self) -> None:
        """A real login with the API key."""
        self.transport.run(self.bsg_api.auth.token_flow())

    def stop_campaign(self, campaign_id: int | str, channel: str = "sms", fail_if_already_final: bool = False) -> StopOutcome:
        """``PATCH`` (sms) / ``PUT`` (rcs) ``/api/campaigns/{id}/stop``; already final → ``already_final``."""
        return self.stop(campaign_ref(campaign_id, channel), fail_if_already_final)

    def get_campaign(self, campaign_id: int | str) -> CampaignStatus:
        """``GET /api/campaigns/{id}``."""
        return self.status(campaign_ref(campaign_id))

    def list_campaigns(
        self,
        campaign_type: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        search_field: str | None = None,
        search_value: str | None = None,
        extra_filters: Mapping[str, str] | None = None,
    ) -> list[CampaignStatus]:
        """Every campaign matching BSG's list filters, paging through ``GET /api/campaigns``."""
        filters = {
            key: value
            for key, value in {
                "filter[type]": campaign_type,
                "filter[from]": date_from,
                "filter[to]": date_to,
                "search[field]": search_field,
                "search[value]": search_value,
            }.items()
            if value
        }
        filters.update(extra_filters or {})
        return self.run(list_flow(self.bsg_api, filters, self.settings.retry))
