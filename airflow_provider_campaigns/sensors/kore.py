"""Wait until Kore.ai campaigns are final."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow_provider_campaigns.sensors.base import CampaignStatusSensor
from airflow_provider_campaigns.task_params import Templated

if TYPE_CHECKING:
    from airflow_provider_campaigns.hooks.kore import KoreHook


class KoreCampaignStatusSensor(CampaignStatusSensor):
    """Wait until Kore.ai campaigns are ``Stopped`` or ``Completed``
    (``POST .../{streamId}/campaign/{campaignId}/status?accountId=...&view=status`` each).

    :param campaign_id: the campaign (templated).
    :param campaign_ids: several campaigns of the same stream (templated).
    :param stream_id: bot / stream id (``st-...``); default: the connection's extra ``stream_id`` (templated).
    :param kore_conn_id: the ``kore`` connection (templated).
    """

    def __init__(
        self,
        *,
        campaign_id: Templated[str | None] = None,
        campaign_ids: Templated[Sequence[str] | None] = None,
        stream_id: Templated[str | None] = None,
        kore_conn_id: Templated[str] = "kore_default",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.campaign_id = campaign_id
        self.campaign_ids = campaign_ids
        self.stream_id = stream_id
        self.kore_conn_id = kore_conn_id

    @cached_property
    def hook(self) -> KoreHook:
        """The Kore.ai hook (the sensor's ``stream_id`` becomes its default stream)."""
        from airflow_provider_campaigns.hooks.kore import KoreHook

        return KoreHook(self.kore_conn_id, self.stream_id, self.request_timeout, status_map=self.status_map)
