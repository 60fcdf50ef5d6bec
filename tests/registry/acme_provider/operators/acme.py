"""Stop Acme campaigns: a thin Airflow class."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from airflow_provider_campaigns.operators.base import CampaignStopOperator
from airflow_provider_campaigns.task_params import Templated


class AcmeStopCampaignOperator(CampaignStopOperator):
    """Stop Acme campaigns by id, or every running one."""

    def __init__(
        self, *, campaign_ids: Templated[Any] = None, all_active: bool = False, acme_conn_id: Templated[str] = "acme_default", **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.campaign_ids = campaign_ids
        self.all_active = all_active
        self.acme_conn_id = acme_conn_id

    @cached_property
    def hook(self) -> Any:
        """The Acme hook."""
        from acme_provider.hooks.acme import AcmeHook

        return AcmeHook(self.acme_conn_id, self.request_timeout, self.max_concurrency, self.status_map)
