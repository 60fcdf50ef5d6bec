"""Wait until a BSG campaign is final."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_campaigns.sensors.base import CampaignStatusSensor

if TYPE_CHECKING:
    from airflow_provider_campaigns.hooks.base import CampaignHook
    from airflow_provider_campaigns.vendors.base import CampaignRef


class BsgCampaignStatusSensor(CampaignStatusSensor):
    """Wait until a BSG campaign is ``stopped`` or ``done`` (``GET /api/campaigns/{id}``).

    ``spam`` (failed moderation) is final but not a target state by default, so it fails the task.

    :param campaign_id: the campaign (integer; templated).
    :param bsg_conn_id: the ``bsg`` connection.
    """

    template_fields: Sequence[str] = ("campaign_id", "bsg_conn_id")
    hook_path = "airflow_provider_campaigns.hooks.bsg.BsgHook"
    conn_id_field = "bsg_conn_id"

    def __init__(self, *, campaign_id: int | str, bsg_conn_id: str = "bsg_default", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.campaign_id = campaign_id
        self.bsg_conn_id = bsg_conn_id

    def validate(self) -> None:
        """The id must be a positive integer."""
        from airflow_provider_campaigns.vendors.bsg import validate_campaign_id

        validate_campaign_id(self.campaign_id)

    def campaign_refs(self, hook: CampaignHook) -> list[CampaignRef]:
        """The one campaign."""
        from airflow_provider_campaigns.vendors.bsg import campaign_ref

        return [campaign_ref(self.campaign_id)]
