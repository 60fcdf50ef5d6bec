"""Stop comm.com SMS campaign sends."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from airflow_provider_campaigns.exceptions import InvalidInputError
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
    for one send, or ``{vendor, campaigns, totals, failed_ids}`` for several (and for ``all_active``).

    ``all_active=True`` stops every send still running: it lists the campaigns, reads each one that
    is not final (and whose name contains ``name_contains``) and stops its sends that are not final
    (see :meth:`CommHook.list_active_sends`). **Limit**: comm.com does not document that a campaign
    answer lists its sends; a campaign whose answer carries none (``data.sends``,
    ``data.campaign_sends``, ``data.sms_campaign_sends`` or ``send_status_path``) cannot be stopped
    this way: it is skipped with a WARNING naming it. With ``dry_run=True`` the campaigns are
    listed and read, nothing is stopped, and the result's ``would_stop`` names the sends.

    :param campaign_id: the campaign UUID (templated); with ``campaign_send_id``.
    :param campaign_send_id: the send UUID (templated).
    :param campaign_sends: several sends: ``(campaign_id, campaign_send_id)`` pairs or dicts with
        those keys (templated); instead of the two ids.
    :param all_active: stop every send still running at comm.com (optionally filtered by
        ``name_contains``); instead of the ids.
    :param name_contains: with ``all_active``: only campaigns whose name contains this text
        (case-insensitive; templated).
    :param comm_conn_id: the ``comm`` connection.
    :param send_status_path: dotted path to the list of sends in the campaign answer (``data.sends``).
    """

    template_fields: Sequence[str] = ("campaign_id", "campaign_send_id", "campaign_sends", "comm_conn_id", "name_contains")
    hook_path = "airflow_provider_campaigns.hooks.comm.CommHook"
    conn_id_field = "comm_conn_id"

    def __init__(
        self,
        *,
        campaign_id: str | None = None,
        campaign_send_id: str | None = None,
        campaign_sends: Sequence[Any] | str | None = None,
        all_active: bool = False,
        name_contains: str | None = None,
        comm_conn_id: str = "comm_default",
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

    @property
    def single(self) -> bool:
        """One send named with ``campaign_id`` and ``campaign_send_id``."""
        return self.campaign_sends is None and self.all_active is not True

    @property
    def selects(self) -> bool:
        """``all_active=True`` lists comm.com's campaigns and reads their sends."""
        return self.all_active is True

    def hook_options(self) -> dict[str, Any]:
        """``send_status_path`` for the status reads."""
        return {"send_status_path": self.send_status_path}

    def campaign_refs(self, hook: CampaignHook) -> list[CampaignRef]:
        """Validate the ids before anything is sent."""
        from airflow_provider_campaigns.vendors.comm import campaign_ref, campaign_sends_refs

        if not isinstance(self.all_active, bool):
            raise InvalidInputError(f"all_active must be True or False, not {type(self.all_active).__name__} {self.all_active!r:.40}.")
        if self.name_contains is not None and not isinstance(self.name_contains, str):
            raise InvalidInputError(f"name_contains must be text, not {type(self.name_contains).__name__} {self.name_contains!r:.40}.")
        pair_given = self.campaign_id is not None or self.campaign_send_id is not None
        if sum([pair_given, self.campaign_sends is not None, self.all_active]) != 1:
            raise InvalidInputError(
                "CommStopCampaignOperator: give exactly one of campaign_id with campaign_send_id, campaign_sends or all_active=True."
            )
        if self.all_active:
            return []
        if self.campaign_sends is not None:
            return campaign_sends_refs(self.campaign_sends)
        return [campaign_ref(self.campaign_id, self.campaign_send_id)]

    def select_refs(self, hook: CampaignHook) -> list[CampaignRef]:
        """Every send still running in a campaign that is not final (and whose name matches)."""
        from airflow_provider_campaigns.hooks.comm import CommHook

        return cast(CommHook, hook).list_active_sends(name_contains=self.name_contains)
