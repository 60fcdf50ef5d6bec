"""Stop BSG SMS and RCS campaigns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_campaigns.exceptions import InvalidInputError
from airflow_provider_campaigns.operators.base import CampaignStopOperator

if TYPE_CHECKING:
    from airflow_provider_campaigns.hooks.base import CampaignHook
    from airflow_provider_campaigns.vendors.base import CampaignRef


class BsgStopCampaignOperator(CampaignStopOperator):
    """Stop one or many BSG campaigns: ``PATCH`` (SMS) or ``PUT`` (RCS) ``/api/campaigns/{id}/stop``.

    A campaign BSG reports as already stopped/done (its 422 "Invalid campaign status") counts as
    ``already_final``. Returns ``{vendor, campaign_id, outcome, state, vendor_status, ...}`` for one
    campaign, or ``{vendor, campaigns, totals, failed_ids}`` for several.

    :param campaign_id: the campaign to stop (integer; templated).
    :param campaign_ids: several campaigns to stop in one task (templated).
    :param channel: ``sms`` or ``rcs``.
    :param all_active: stop every campaign BSG lists that is not final (optionally filtered).
    :param name_contains: with ``all_active``: only campaigns whose name contains this text.
    :param date_from: with ``all_active``: BSG ``filter[from]`` (``yyyy-mm-dd``).
    :param date_to: with ``all_active``: BSG ``filter[to]``.
    :param bsg_conn_id: the ``bsg`` connection.
    """

    template_fields: Sequence[str] = ("campaign_id", "campaign_ids", "channel", "bsg_conn_id", "name_contains", "date_from", "date_to")
    hook_path = "airflow_provider_campaigns.hooks.bsg.BsgHook"
    conn_id_field = "bsg_conn_id"

    def __init__(
        self,
        *,
        campaign_id: int | str | None = None,
        campaign_ids: Sequence[int | str] | None = None,
        channel: str = "sms",
        all_active: bool = False,
        name_contains: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        bsg_conn_id: str = "bsg_default",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.campaign_id = campaign_id
        self.campaign_ids = campaign_ids
        self.channel = channel
        self.all_active = all_active
        self.name_contains = name_contains
        self.date_from = date_from
        self.date_to = date_to
        self.bsg_conn_id = bsg_conn_id

    @property
    def single(self) -> bool:
        """One campaign named with ``campaign_id``."""
        return self.campaign_id is not None

    @property
    def selects(self) -> bool:
        """``all_active=True`` lists BSG's campaigns."""
        return bool(self.all_active)

    def campaign_refs(self, hook: CampaignHook) -> list[CampaignRef]:
        """Validate ids and channel before anything is sent."""
        from airflow_provider_campaigns.vendors.bsg import campaign_ref, validate_channel

        channel = validate_channel(self.channel)
        given = [self.campaign_id is not None, self.campaign_ids is not None, bool(self.all_active)]
        if sum(given) != 1:
            raise InvalidInputError("BsgStopCampaignOperator: give exactly one of campaign_id, campaign_ids or all_active=True.")
        if self.campaign_id is not None:
            return [campaign_ref(self.campaign_id, channel)]
        if self.campaign_ids is not None:
            return _many(self.campaign_ids, channel)
        return []

    def select_refs(self, hook: CampaignHook) -> list[CampaignRef]:
        """Every non-final campaign of the channel, by BSG's list (and the optional filters)."""
        from airflow_provider_campaigns.hooks.bsg import BsgHook

        assert isinstance(hook, BsgHook)
        channel = self.channel.strip().lower()
        listed = hook.list_campaigns(
            campaign_type=channel,
            date_from=self.date_from,
            date_to=self.date_to,
            search_field="name" if self.name_contains else None,
            search_value=self.name_contains,
        )
        needle = (self.name_contains or "").casefold()
        return [
            {"campaign_id": status.campaign_id, "channel": channel}
            for status in listed
            if not status.is_final and needle in (status.name or "").casefold()
        ]


def _many(values: Any, channel: str) -> list[CampaignRef]:
    from airflow_provider_campaigns.vendors.bsg import campaign_ref

    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise InvalidInputError(f"campaign_ids must be a list of BSG campaign ids, not {type(values).__name__}.")
    if not values:
        raise InvalidInputError("campaign_ids is empty: name at least one campaign.")
    refs = [campaign_ref(value, channel, f"campaign_ids[{index}]") for index, value in enumerate(values)]
    return list({ref["campaign_id"]: ref for ref in refs}.values())
