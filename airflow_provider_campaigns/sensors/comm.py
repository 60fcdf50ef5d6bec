"""Wait until a comm.com campaign send is final."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_campaigns.sensors.base import CampaignStatusSensor

if TYPE_CHECKING:
    from airflow_provider_campaigns.hooks.base import CampaignHook
    from airflow_provider_campaigns.vendors.base import CampaignRef


class CommCampaignStatusSensor(CampaignStatusSensor):
    """Wait until a comm.com campaign send is final, polling ``GET /api/v1/sms/campaigns/{campaign}``.

    comm.com documents no status read for a send and no status values. The sensor looks for the
    send (by id) in the campaign answer's ``data.sends``, ``data.campaign_sends`` or
    ``data.sms_campaign_sends`` (or ``send_status_path``); when the answer lists no such send it
    judges by the campaign-level ``data.status`` and logs one WARNING, which is only right when the
    campaign has this one send. Unknown statuses are never final: extend the mapping with
    ``status_map`` or the connection extra ``final_statuses`` if the sensor waits for a status the
    provider does not know.

    :param campaign_id: the campaign UUID (templated).
    :param campaign_send_id: the send UUID (templated).
    :param comm_conn_id: the ``comm`` connection.
    :param send_status_path: dotted path to the list of sends in the campaign answer (``data.sends``).
    """

    template_fields: Sequence[str] = ("campaign_id", "campaign_send_id", "comm_conn_id")
    hook_path = "airflow_provider_campaigns.hooks.comm.CommHook"
    conn_id_field = "comm_conn_id"

    def __init__(
        self,
        *,
        campaign_id: str,
        campaign_send_id: str,
        comm_conn_id: str = "comm_default",
        send_status_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.campaign_id = campaign_id
        self.campaign_send_id = campaign_send_id
        self.comm_conn_id = comm_conn_id
        self.send_status_path = send_status_path

    def validate(self) -> None:
        """Both ids must be UUIDs."""
        self.campaign_refs(None)

    def hook_options(self) -> dict[str, Any]:
        """``send_status_path`` for the status reads."""
        return {"send_status_path": self.send_status_path}

    def campaign_refs(self, hook: CampaignHook | None) -> list[CampaignRef]:
        """The one send."""
        from airflow_provider_campaigns.vendors.comm import campaign_ref

        return [campaign_ref(self.campaign_id, self.campaign_send_id)]
