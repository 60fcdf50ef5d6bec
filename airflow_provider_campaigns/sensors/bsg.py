"""Wait until BSG campaigns are final."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow_provider_campaigns.sensors.base import CampaignStatusSensor
from airflow_provider_campaigns.task_params import Templated

if TYPE_CHECKING:
    from airflow_provider_campaigns.hooks.bsg import BsgHook


class BsgCampaignStatusSensor(CampaignStatusSensor):
    """Wait until BSG campaigns are ``stopped`` or ``done`` (``GET /api/campaigns/{id}`` each).

    ``spam`` (failed moderation) is final but not a target state by default, so it fails the task.

    :param campaign_id: the campaign (integer; templated).
    :param campaign_ids: several campaigns (templated); the sensor succeeds when all are final.
    :param bsg_conn_id: the ``bsg`` connection (templated).
    """

    def __init__(
        self,
        *,
        campaign_id: Templated[int | str | None] = None,
        campaign_ids: Templated[Sequence[int | str] | None] = None,
        bsg_conn_id: Templated[str] = "bsg_default",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.campaign_id = campaign_id
        self.campaign_ids = campaign_ids
        self.bsg_conn_id = bsg_conn_id

    @cached_property
    def hook(self) -> BsgHook:
        """The BSG hook (one login for every poke of this try)."""
        from airflow_provider_campaigns.hooks.bsg import BsgHook

        return BsgHook(self.bsg_conn_id, self.request_timeout, status_map=self.status_map)
