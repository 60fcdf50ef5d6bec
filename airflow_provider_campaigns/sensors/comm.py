"""Wait until comm.com campaign sends are final."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow_provider_campaigns.sensors.base import CampaignStatusSensor
from airflow_provider_campaigns.task_params import Templated

if TYPE_CHECKING:
    from airflow_provider_campaigns.hooks.comm import CommHook


class CommCampaignStatusSensor(CampaignStatusSensor):
    """Wait until comm.com campaign sends are final, polling ``GET /api/v1/sms/campaigns/{campaign}``.

    comm.com documents no status read for a send and no status values. The sensor takes the send's own
    entry when the campaign answer lists sends (``data.sends``, ``data.campaign_sends``,
    ``data.sms_campaign_sends`` or ``send_status_path``), else the campaign's documented
    ``data.meta.multistep_status.status`` (with one WARNING: exact only while the campaign has this one
    send running). Unknown statuses are never final: extend the mapping with ``status_map`` or the
    connection extra ``final_statuses``.

    :param campaign_id: the campaign UUID, with ``campaign_send_id``; or a ``"<campaign>/<send>"`` id alone (templated).
    :param campaign_send_id: the send UUID (templated).
    :param campaign_sends: several sends (``"<campaign>/<send>"`` ids, pairs or dicts; templated).
    :param comm_conn_id: the ``comm`` connection (templated).
    :param send_status_path: dotted path to a list of sends in the campaign answer (``data.sends``).
    """

    def __init__(
        self,
        *,
        campaign_id: Templated[str | None] = None,
        campaign_send_id: Templated[str | None] = None,
        campaign_sends: Templated[Sequence[Any] | str | None] = None,
        comm_conn_id: Templated[str] = "comm_default",
        send_status_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.campaign_id = campaign_id
        self.campaign_send_id = campaign_send_id
        self.campaign_sends = campaign_sends
        self.comm_conn_id = comm_conn_id
        self.send_status_path = send_status_path

    @cached_property
    def hook(self) -> CommHook:
        """The comm.com hook."""
        from airflow_provider_campaigns.hooks.comm import CommHook

        return CommHook(self.comm_conn_id, self.send_status_path, self.request_timeout, status_map=self.status_map)
