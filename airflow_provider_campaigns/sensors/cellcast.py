"""Wait until Cellcast messages are final."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow_provider_campaigns.sensors.base import CampaignStatusSensor
from airflow_provider_campaigns.task_params import Templated

if TYPE_CHECKING:
    from airflow_provider_campaigns.engine.stop_batch import Part
    from airflow_provider_campaigns.hooks.cellcast import CellcastHook
    from airflow_provider_campaigns.vendors.base import Ref


class CellcastCampaignStatusSensor(CampaignStatusSensor):
    """Wait until every message is final (``GET /api/v2/report/message/{id}`` per message).

    Succeeds when all are canceled, sent, delivered or received (by default); fails with
    ``AirflowFailException`` when one ends ``failed``, ``blocked``, ``rejected`` or ``expired``.

    :param message_ids: one message id (24 hex digits) or a list of them (templated).
    :param custom_string: also watch every message listed with this ``customString``, whatever its
        status when the sensor starts (templated): a message that had already ``failed`` fails the
        sensor too, so widen ``target_states`` (e.g. add ``failed``) to accept such campaigns. At least
        one of ``message_ids`` and ``custom_string``.
    :param message_type: ``sms`` or ``mms``: the type listed with ``custom_string`` (templated).
    :param cellcast_conn_id: the ``cellcast`` connection (templated).
    """

    def __init__(
        self,
        *,
        message_ids: Templated[str | Sequence[str] | None] = None,
        custom_string: Templated[str | None] = None,
        message_type: Templated[str] = "sms",
        cellcast_conn_id: Templated[str] = "cellcast_default",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.message_ids = message_ids
        self.custom_string = custom_string
        self.message_type = message_type
        self.cellcast_conn_id = cellcast_conn_id

    @cached_property
    def hook(self) -> CellcastHook:
        """The Cellcast hook."""
        from airflow_provider_campaigns.hooks.cellcast import CellcastHook

        return CellcastHook(self.cellcast_conn_id, self.request_timeout, status_map=self.status_map)

    def _groups(self) -> list[tuple[Part, list[Ref]]]:
        """The named messages plus every message listed with ``custom_string`` (any status); a ``custom_string`` naming none fails."""
        from airflow_provider_campaigns.engine.stop_batch import Part
        from airflow_provider_campaigns.exceptions import CampaignNotFoundError
        from airflow_provider_campaigns.vendors.cellcast import CellcastMessage

        hook = self.hook
        chosen = hook.selection(type(self).__name__, **self.selection_params())
        refs = list(chosen.refs)
        if chosen.custom_string is not None:
            listed = hook.list_messages(custom_string=chosen.custom_string, message_type=chosen.message_type)
            refs += [CellcastMessage(status.campaign_id, chosen.message_type) for status in listed]
            if not refs:
                raise CampaignNotFoundError(
                    f"Cellcast lists no {chosen.message_type} message with customString {chosen.custom_string!r}: "
                    "check custom_string and message_type.",
                    vendor="Cellcast",
                )
        return [(Part(hook, chosen), list({ref.label: ref for ref in refs}.values()))]
