"""Wait until Cellcast messages (one campaign = one message per recipient) are final."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_campaigns.sensors.base import CampaignStatusSensor

if TYPE_CHECKING:
    from airflow_provider_campaigns.hooks.base import CampaignHook
    from airflow_provider_campaigns.vendors.base import CampaignRef


class CellcastCampaignStatusSensor(CampaignStatusSensor):
    """Wait until every message is final (``GET /api/v2/report/message/{id}`` per message).

    Succeeds when all are canceled, sent, delivered or received (by default); fails with
    ``AirflowFailException`` when one ends ``failed``, ``blocked``, ``rejected`` or ``expired``.

    :param message_ids: one message id (24 hex digits) or a list of them (templated).
    :param custom_string: also watch every message (any status) with this ``customString``
        (templated); at least one of ``message_ids`` and ``custom_string`` is required.
    :param message_type: ``sms`` or ``mms``: the type listed with ``custom_string`` (templated).
    :param cellcast_conn_id: the ``cellcast`` connection (templated).
    """

    template_fields: Sequence[str] = ("message_ids", "custom_string", "message_type", "cellcast_conn_id")
    hook_path = "airflow_provider_campaigns.hooks.cellcast.CellcastHook"
    conn_id_field = "cellcast_conn_id"

    def __init__(
        self,
        *,
        message_ids: str | Sequence[str] | None = None,
        custom_string: str | None = None,
        message_type: str = "sms",
        cellcast_conn_id: str = "cellcast_default",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.message_ids = message_ids
        self.custom_string = custom_string
        self.message_type = message_type
        self.cellcast_conn_id = cellcast_conn_id

    def validate(self) -> None:
        """Ids, message type and ``custom_string`` are checked before any request."""
        from airflow_provider_campaigns.vendors.cellcast import validate_selection

        validate_selection(self.message_ids, self.custom_string, self.message_type, type(self).__name__)

    def campaign_refs(self, hook: CampaignHook) -> list[CampaignRef]:
        """The named messages plus every message listed with ``custom_string``."""
        from airflow_provider_campaigns.exceptions import CampaignNotFoundError
        from airflow_provider_campaigns.hooks.cellcast import CellcastHook
        from airflow_provider_campaigns.vendors.cellcast import VENDOR, validate_selection

        assert isinstance(hook, CellcastHook)
        refs, custom_string, kind = validate_selection(self.message_ids, self.custom_string, self.message_type, type(self).__name__)
        if custom_string is not None:
            listed = hook.list_messages(custom_string=custom_string, message_type=kind)
            refs += [{"campaign_id": status.campaign_id, "message_type": kind} for status in listed]
            if not refs:
                raise CampaignNotFoundError(
                    f"{VENDOR} lists no {kind} message with customString {custom_string!r}: check custom_string and message_type.",
                    vendor=VENDOR,
                )
        return list({ref["campaign_id"]: ref for ref in refs}.values())
