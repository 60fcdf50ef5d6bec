"""Wait until a Kore.ai campaign is final."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from airflow_provider_campaigns.sensors.base import CampaignStatusSensor

if TYPE_CHECKING:
    from airflow_provider_campaigns.hooks.base import CampaignHook
    from airflow_provider_campaigns.vendors.base import CampaignRef


class KoreCampaignStatusSensor(CampaignStatusSensor):
    """Wait until a Kore.ai campaign is ``Stopped`` or ``Completed``
    (``POST .../{streamId}/campaign/{campaignId}/status?accountId=...&view=status``).

    :param campaign_id: the campaign (templated).
    :param stream_id: bot / stream id (``st-...``); default: the connection's extra ``stream_id``.
    :param kore_conn_id: the ``kore`` connection.
    """

    template_fields: Sequence[str] = ("campaign_id", "stream_id", "kore_conn_id")
    hook_path = "airflow_provider_campaigns.hooks.kore.KoreHook"
    conn_id_field = "kore_conn_id"

    def __init__(
        self, *, campaign_id: str, stream_id: str | None = None, kore_conn_id: str = "kore_default", **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.campaign_id = campaign_id
        self.stream_id = stream_id
        self.kore_conn_id = kore_conn_id

    def validate(self) -> None:
        """The campaign id (and the stream id, when given) must be safe path tokens."""
        from airflow_provider_campaigns.vendors.kore import validate_id

        validate_id(self.campaign_id)
        if self.stream_id is not None:
            validate_id(self.stream_id, "stream_id", "stream id")

    def hook_options(self) -> dict[str, Any]:
        """The sensor's ``stream_id`` (when given) becomes the hook's default stream."""
        return {"stream_id": self.stream_id} if self.stream_id is not None else {}

    def campaign_refs(self, hook: CampaignHook) -> list[CampaignRef]:
        """The one campaign, with its stream resolved (sensor parameter, else connection extra)."""
        from airflow_provider_campaigns.hooks.kore import KoreHook

        return [cast(KoreHook, hook).kore_api.campaign_ref(self.campaign_id)]
