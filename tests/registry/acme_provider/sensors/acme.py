"""Wait until Acme campaigns are final: a thin Airflow class."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from airflow_provider_campaigns.sensors.base import CampaignStatusSensor
from airflow_provider_campaigns.task_params import Templated


class AcmeCampaignStatusSensor(CampaignStatusSensor):
    """Wait until Acme campaigns are final."""

    def __init__(self, *, campaign_ids: Templated[Any] = None, acme_conn_id: Templated[str] = "acme_default", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.campaign_ids = campaign_ids
        self.acme_conn_id = acme_conn_id

    @cached_property
    def hook(self) -> Any:
        """The Acme hook."""
        from acme_provider.hooks.acme import AcmeHook

        return AcmeHook(self.acme_conn_id, self.request_timeout, status_map=self.status_map)
