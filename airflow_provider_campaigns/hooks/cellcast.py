"""Hook for Cellcast (SMS and MMS messages)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, cast

from airflow_provider_campaigns.core.clock import SYSTEM_CLOCK, Clock
from airflow_provider_campaigns.hooks.base import CampaignHook
from airflow_provider_campaigns.protocol.flows import StopOutcome
from airflow_provider_campaigns.status import CampaignStatus
from airflow_provider_campaigns.vendors import cellcast
from airflow_provider_campaigns.vendors.base import ApiOptions


class CellcastHook(CampaignHook[cellcast.CellcastMessage]):
    """Talks to Cellcast with a static API key (connection ``password``, sent as ``Authorization: Bearer``).

    A Cellcast campaign is one message id per recipient: the hook cancels, reads and lists messages.

    :param cellcast_conn_id: connection id (type ``cellcast``); ``host`` optional, default ``https://api.cellcast.com``.
    :param request_timeout: seconds (or ``(connect, read)``) per request; overrides extra ``timeout``.
    :param pool_size: pooled connections and the most requests in flight at once.
    :param status_map: extra ``{vendor status: normalized state}`` entries.
    """

    conn_name_attr = "cellcast_conn_id"
    default_conn_name = "cellcast_default"
    conn_type = "cellcast"
    hook_name = "Cellcast (SMS, MMS)"
    spec = cellcast.SPEC

    def __init__(
        self,
        cellcast_conn_id: str = default_conn_name,
        request_timeout: float | Sequence[float] | None = None,
        pool_size: int = 10,
        status_map: Mapping[str, str] | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        super().__init__(cellcast_conn_id, request_timeout, pool_size, ApiOptions(status_map), clock)
        self.cellcast_conn_id = cellcast_conn_id

    @property
    def cellcast_api(self) -> cellcast.CellcastApi:
        """The Cellcast API description."""
        return cast(cellcast.CellcastApi, self.api)

    def check_credentials(self) -> None:
        """``GET /api/v1/user/token/verify`` with the API key."""
        self.send(self.cellcast_api.verify_request())

    def cancel_message(self, message_id: str, message_type: str = "sms", fail_if_already_final: bool = False) -> StopOutcome:
        """Cancel one scheduled message; a message already sent/delivered/canceled → ``already_final``."""
        return self.stop(cellcast.message(message_id, message_type), fail_if_already_final)

    def get_message(self, message_id: str) -> CampaignStatus:
        """``GET /api/v2/report/message/{id}``."""
        return self.status(cellcast.message(message_id))

    def list_messages(
        self,
        custom_string: str | None = None,
        message_type: str | None = "sms",
        date_from: str | None = None,
        date_to: str | None = None,
        status: str | None = None,
    ) -> list[CampaignStatus]:
        """Every message matching the filters, paging through ``GET /api/v2/report/message``.

        :param custom_string: the campaign's ``customString``.
        :param message_type: ``sms`` or ``mms`` (``campType``); ``None`` lists both.
        :param date_from: ``fromDate`` (``yyyy-mm-dd``).
        :param date_to: ``toDate`` (``yyyy-mm-dd``).
        :param status: a documented Cellcast status (``queued``, ``sent``...); selecting pending messages
            by one status spelling misses others, so selection never uses it.
        """
        filters = cellcast.list_filters(custom_string, message_type, date_from, date_to, status)
        return self.run(cellcast.list_flow(self.cellcast_api, filters, self.budget()))

    #: Cellcast's "all active" is every message of a ``customString`` (``list_not_final(custom_string=...)``)
    not_final_selection: ClassVar[dict[str, Any]] = {}

    def listed(self, chosen: cellcast.CellcastSelection, deadline: float | None = None) -> list[cellcast.CellcastMessage]:
        """Every message of the selection's ``customString`` that is not final."""
        return self.run(cellcast.select_flow(self.cellcast_api, chosen, self.budget(deadline), self.listed_statuses))
