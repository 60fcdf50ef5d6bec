"""Stop comm.com SMS campaign sends."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow_provider_campaigns.operators.base import CampaignStopOperator
from airflow_provider_campaigns.task_params import Templated

if TYPE_CHECKING:
    from airflow_provider_campaigns.hooks.comm import CommHook


class CommStopCampaignOperator(CampaignStopOperator):
    """Stop comm.com campaign sends: ``POST /api/v1/sms/campaigns/{campaign}/stop/{campaignSend}``.

    Both ids are UUIDs, checked before anything is sent. comm.com documents neither its statuses
    nor its errors: a refusal (4xx other than 401/403/404/429) is followed by a status read, and a
    send that is final counts as ``already_final``. Returns the one result shape (campaign ids are
    ``"<campaign>/<send>"``, accepted as input too).

    ``all_active=True`` lists the campaigns, reads each one that is not final (and whose name contains
    ``name_contains``) and stops its running sends. comm.com's documented campaign answer does not list
    a campaign's sends: when it does not, the task fails naming those campaigns — pass their sends as
    ``campaign_sends`` instead (see ``docs/vendor-contracts.md``).

    :param campaign_id: the campaign UUID, with ``campaign_send_id``; or a ``"<campaign>/<send>"`` id alone (templated).
    :param campaign_send_id: the send UUID (templated).
    :param campaign_sends: several sends: ``"<campaign>/<send>"`` ids, ``(campaign_id, campaign_send_id)``
        pairs or dicts with those keys (templated).
    :param all_active: stop every running send of every campaign that is not final.
    :param name_contains: with ``all_active``: only campaigns whose name contains this text (case-insensitive; templated).
    :param comm_conn_id: the ``comm`` connection (templated).
    :param send_status_path: dotted path to a list of sends in the campaign answer (``data.sends``), if your account's has one.
    """

    def __init__(
        self,
        *,
        campaign_id: Templated[str | None] = None,
        campaign_send_id: Templated[str | None] = None,
        campaign_sends: Templated[Sequence[Any] | str | None] = None,
        all_active: bool = False,
        name_contains: Templated[str | None] = None,
        comm_conn_id: Templated[str] = "comm_default",
        send_status_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.campaign_id = campaign_id
        self.campaign_send_id = campaign_send_id
        self.campaign_sends = campaign_sends
        self.all_active = all_active
        self.name_contains = name_contains
        self.comm_conn_id = comm_conn_id
        self.send_status_path = send_status_path

    @cached_property
    def hook(self) -> CommHook:
        """The comm.com hook, sized for the batch."""
        from airflow_provider_campaigns.hooks.comm import CommHook

        return CommHook(self.comm_conn_id, self.send_status_path, self.request_timeout, self.max_concurrency, self.status_map)
