"""Cancel scheduled Cellcast SMS and MMS messages (a Cellcast campaign is one message per recipient)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_campaigns.operators.base import CampaignStopOperator

if TYPE_CHECKING:
    from airflow_provider_campaigns.hooks.base import CampaignHook
    from airflow_provider_campaigns.vendors.base import CampaignRef

SCHEDULED = "scheduled"


class CellcastStopCampaignOperator(CampaignStopOperator):
    """Cancel Cellcast messages: ``POST /api/v1/gateway/cancelScheduleQuickMessage`` per message id.

    A message Cellcast reports as already sent, delivered or canceled counts as ``already_final``.
    Every id is attempted; the task fails at the end naming the ids that failed. Returns (and, on
    failure, pushes to XCom key ``stop_result``) ``{vendor, campaigns, totals, failed_ids}``, even
    for one id.

    :param message_ids: one message id (24 hex digits) or a list of them (templated).
    :param message_type: ``sms`` or ``mms`` (templated).
    :param custom_string: also cancel every still-scheduled message of the campaign with this
        ``customString`` (listed with ``status=scheduled``; templated). Unites with ``message_ids``.
    :param cellcast_conn_id: the ``cellcast`` connection (templated).
    """

    template_fields: Sequence[str] = ("message_ids", "message_type", "custom_string", "cellcast_conn_id")
    hook_path = "airflow_provider_campaigns.hooks.cellcast.CellcastHook"
    conn_id_field = "cellcast_conn_id"

    def __init__(
        self,
        *,
        message_ids: str | Sequence[str] | None = None,
        message_type: str = "sms",
        cellcast_conn_id: str = "cellcast_default",
        custom_string: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.message_ids = message_ids
        self.message_type = message_type
        self.cellcast_conn_id = cellcast_conn_id
        self.custom_string = custom_string

    @property
    def single(self) -> bool:
        """Never: the result is always the batch dict, even for one id."""
        return False

    @property
    def selects(self) -> bool:
        """``custom_string`` lists the campaign's still-scheduled messages."""
        return self.custom_string is not None

    def campaign_refs(self, hook: CampaignHook) -> list[CampaignRef]:
        """Validate ids, message type and ``custom_string`` before anything is sent."""
        from airflow_provider_campaigns.vendors.cellcast import validate_selection

        refs, _, _ = validate_selection(self.message_ids, self.custom_string, self.message_type, type(self).__name__)
        return list(refs)

    def select_refs(self, hook: CampaignHook) -> list[CampaignRef]:
        """Every message with ``custom_string`` that Cellcast lists as still scheduled."""
        from airflow_provider_campaigns.hooks.cellcast import CellcastHook
        from airflow_provider_campaigns.vendors.cellcast import validate_selection

        assert isinstance(hook, CellcastHook)
        _, custom_string, kind = validate_selection(None, self.custom_string, self.message_type, type(self).__name__)
        listed = hook.list_messages(custom_string=custom_string, status=SCHEDULED, message_type=kind)
        scheduled = [status for status in listed if (status.vendor_status or "").strip().casefold() == SCHEDULED]
        if len(scheduled) < len(listed):
            self.log.warning("Cellcast listed %d message(s) that are not scheduled; skipping them.", len(listed) - len(scheduled))
        return [{"campaign_id": status.campaign_id, "message_type": kind} for status in scheduled]
