"""Stop comm.com SMS campaign sends."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_campaigns.exceptions import InvalidInputError
from airflow_provider_campaigns.hooks.comm import CommHook
from airflow_provider_campaigns.operators.base import CampaignStopOperator

if TYPE_CHECKING:
    from airflow_provider_campaigns.hooks.base import CampaignHook
    from airflow_provider_campaigns.vendors.base import CampaignRef


class CommStopCampaignOperator(CampaignStopOperator):
    """Stop one or many comm.com campaign sends: ``POST /api/v1/sms/campaigns/{campaign}/stop/{campaignSend}``.

    Both ids are UUIDs, checked before anything is sent. comm.com documents neither its statuses
    nor its errors: a refusal (4xx other than 401/403/404/429) is followed by a status read, and a
    send that is final counts as ``already_final``. The status read is campaign-level when the
    campaign answer does not list the send (see :mod:`airflow_provider_campaigns.vendors.comm`).
    Returns ``{vendor, campaign_id: "<campaign>/<send>", outcome, state, vendor_status, timestamps}``
    for one send, or ``{vendor, campaigns, totals, failed_ids}`` for several.

    :param campaign_id: the campaign UUID (templated); with ``campaign_send_id``.
    :param campaign_send_id: the send UUID (templated).
    :param campaign_sends: several sends: ``(campaign_id, campaign_send_id)`` pairs or dicts with
        those keys (templated); instead of the two ids.
    :param comm_conn_id: the ``comm`` connection.
    :param send_status_path: dotted path to the list of sends in the campaign answer (``data.sends``).
    """

    template_fields: Sequence[str] = ("campaign_id", "campaign_send_id", "campaign_sends", "comm_conn_id")
    hook_class = CommHook
    conn_id_field = "comm_conn_id"

    def __init__(
        self,
        *,
        campaign_id: str | None = None,
        campaign_send_id: str | None = None,
        campaign_sends: Sequence[Any] | str | None = None,
        comm_conn_id: str = CommHook.default_conn_name,
        send_status_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.campaign_id = campaign_id
        self.campaign_send_id = campaign_send_id
        self.campaign_sends = campaign_sends
        self.comm_conn_id = comm_conn_id
        self.send_status_path = send_status_path

    @property
    def single(self) -> bool:
        """One send named with ``campaign_id`` and ``campaign_send_id``."""
        return self.campaign_sends is None

    def hook_options(self) -> dict[str, Any]:
        """``send_status_path`` for the status reads."""
        return {"send_status_path": self.send_status_path}

    def campaign_refs(self, hook: CampaignHook) -> list[CampaignRef]:
        """Validate the ids before anything is sent."""
        from airflow_provider_campaigns.vendors.comm import campaign_ref, campaign_sends_refs

        pair_given = self.campaign_id is not None or self.campaign_send_id is not None
        if pair_given == (self.campaign_sends is not None):
            raise InvalidInputError(
                "CommStopCampaignOperator: give either campaign_id with campaign_send_id, or campaign_sends (not both, not neither)."
            )
        if self.campaign_sends is not None:
            return campaign_sends_refs(self.campaign_sends)
        return [campaign_ref(self.campaign_id, self.campaign_send_id)]
