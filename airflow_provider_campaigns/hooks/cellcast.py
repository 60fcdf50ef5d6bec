"""Hook for Cellcast (SMS and MMS messages)."""

from __future__ import annotations

from typing import Any, cast

from airflow_provider_campaigns.hooks.base import CampaignHook
from airflow_provider_campaigns.status import CampaignStatus
from airflow_provider_campaigns.vendors.base import StopOutcome
from airflow_provider_campaigns.vendors.cellcast import CellcastApi, list_filters, list_flow, message_ref


class CellcastHook(CampaignHook):
    """Talks to Cellcast with a static API key (connection ``password``, sent as ``Authorization: Bearer``).

    A Cellcast campaign is one message id per recipient: the hook cancels, reads and lists messages.

    :param cellcast_conn_id: connection id (type ``cellcast``); ``host`` optional, default ``https://api.cellcast.com``.
    """

    conn_name_attr = "cellcast_conn_id"
    default_conn_name = "cellcast_default"
    conn_type = "cellcast"
    hook_name = "Cellcast (SMS, MMS)"
    vendor_key = "cellcast"

    def __init__(self, cellcast_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(conn_id=cellcast_conn_id, **kwargs)
        self.cellcast_conn_id = cellcast_conn_id

    @property
    def cellcast_api(self) -> CellcastApi:
        """The Cellcast API description."""
        return cast(CellcastApi, self.api)

    def check_credentials(self) -> None:
        """``GET /api/v1/user/token/verify`` with the API key."""
        self.send(self.cellcast_api.verify_request())

    def cancel_message(self, message_id: str, message_type: str = "sms", fail_if_already_final: bool = False) -> StopOutcome:
        """Cancel one scheduled message; a message already sent/delivered/canceled → ``already_final``."""
        return self.stop(message_ref(message_id, message_type), fail_if_already_final)

    def get_message(self, message_id: str) -> CampaignStatus:
        """``GET /api/v2/report/message/{id}``."""
        return self.status(message_ref(message_id))

    def list_messages(
        self,
        custom_string: str | None = None,
        status: str | None = None,
        message_type: str | None = "sms",
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> list[CampaignStatus]:
        """Every message matching the filters, paging through ``GET /api/v2/report/message``.

        :param custom_string: the campaign's ``customString``.
        :param status: a raw Cellcast status such as ``scheduled``.
        :param message_type: ``sms`` or ``mms`` (``campType``); ``None`` lists both.
        :param date_from: ``fromDate`` (``yyyy-mm-dd``).
        :param date_to: ``toDate`` (``yyyy-mm-dd``).
        """
        filters = list_filters(custom_string, status, message_type, date_from, date_to)
        return self.run(list_flow(self.cellcast_api, filters, self.settings.retry))
