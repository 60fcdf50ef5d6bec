"""Cancel scheduled Cellcast SMS and MMS messages (a Cellcast campaign is one message per recipient)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow_provider_campaigns.operators.base import CampaignStopOperator
from airflow_provider_campaigns.task_params import Templated

if TYPE_CHECKING:
    from airflow_provider_campaigns.hooks.cellcast import CellcastHook


class CellcastStopCampaignOperator(CampaignStopOperator):
    """Cancel Cellcast messages: ``POST /api/v1/gateway/cancelScheduleQuickMessage`` per message id.

    A message Cellcast reports as already sent, delivered or canceled counts as ``already_final``.
    Returns the one result shape (see :mod:`airflow_provider_campaigns.engine.results`).

    :param message_ids: one message id (24 hex digits) or a list of them (templated).
    :param message_type: ``sms`` or ``mms`` (templated).
    :param custom_string: also cancel every message of the campaign with this ``customString`` that is
        not final, whatever its pending status is spelled (``queued``, ``scheduled``...); templated.
        Unites with ``message_ids``.
    :param cellcast_conn_id: the ``cellcast`` connection (templated).
    """

    def __init__(
        self,
        *,
        message_ids: Templated[str | Sequence[str] | None] = None,
        message_type: Templated[str] = "sms",
        cellcast_conn_id: Templated[str] = "cellcast_default",
        custom_string: Templated[str | None] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.message_ids = message_ids
        self.message_type = message_type
        self.cellcast_conn_id = cellcast_conn_id
        self.custom_string = custom_string

    @cached_property
    def hook(self) -> CellcastHook:
        """The Cellcast hook, sized for the batch."""
        from airflow_provider_campaigns.hooks.cellcast import CellcastHook

        return CellcastHook(self.cellcast_conn_id, self.request_timeout, self.max_concurrency, self.status_map)
