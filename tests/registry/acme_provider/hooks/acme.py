"""The Acme hook: a thin Airflow class over the facts module."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from acme_provider.vendors import acme
from airflow_provider_campaigns.core.clock import SYSTEM_CLOCK, Clock
from airflow_provider_campaigns.hooks.base import CampaignHook
from airflow_provider_campaigns.protocol.selection import active_matching
from airflow_provider_campaigns.vendors.base import ApiOptions


class AcmeHook(CampaignHook[acme.AcmeCampaign]):
    """Talks to Acme with the connection's password as bearer key."""

    conn_name_attr = "acme_conn_id"
    default_conn_name = "acme_default"
    conn_type = "acme"
    hook_name = "Acme (SMS)"
    spec = acme.SPEC

    def __init__(
        self,
        acme_conn_id: str = default_conn_name,
        request_timeout: float | Sequence[float] | None = None,
        pool_size: int = 10,
        status_map: Mapping[str, str] | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        super().__init__(acme_conn_id, request_timeout, pool_size, ApiOptions(status_map), clock)

    def check_credentials(self) -> None:
        """One list page."""
        self.send(cast(acme.AcmeApi, self.api).list_request(1))

    def listed(self, chosen: Any, deadline: float | None = None) -> list[acme.AcmeCampaign]:
        """Every running campaign."""
        listed = self.run(acme.list_flow(cast(acme.AcmeApi, self.api), self.budget(deadline)))
        return [acme.AcmeCampaign(status.campaign_id) for status in active_matching(listed, None)]
