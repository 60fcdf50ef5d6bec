"""Stop BSG SMS and RCS campaigns."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow_provider_campaigns.operators.base import CampaignStopOperator
from airflow_provider_campaigns.task_params import Templated

if TYPE_CHECKING:
    from airflow_provider_campaigns.hooks.bsg import BsgHook


class BsgStopCampaignOperator(CampaignStopOperator):
    """Stop BSG campaigns: ``PATCH`` (SMS) or ``PUT`` (RCS) ``/api/campaigns/{id}/stop``.

    A campaign BSG reports as already stopped or done (its 422 "Invalid campaign status") counts as
    ``already_final``. Returns the one result shape (see :mod:`airflow_provider_campaigns.engine.results`).

    :param campaign_id: the campaign to stop (integer; templated).
    :param campaign_ids: several campaigns to stop in one task (templated).
    :param channel: ``sms`` or ``rcs`` (templated); decides the stop method, and what ``all_active`` lists.
    :param all_active: stop every campaign of the channel BSG lists that is not final. BSG lists at most
        3 months per request, so every 3-month window from ``lookback_months`` ago to 30 days ahead is listed.
    :param name_contains: with ``all_active``: only campaigns whose name contains this text
        (case-insensitive; filtered here, BSG's search has no name field; templated).
    :param date_from: with ``all_active``: list campaigns created from this date (``yyyy-mm-dd`` or ISO; templated).
    :param date_to: with ``all_active``: ... up to this date (default: 30 days ahead; templated).
    :param lookback_months: with ``all_active`` and no ``date_from``: how far back to list (default 12).
    :param bsg_conn_id: the ``bsg`` connection (templated).
    """

    def __init__(
        self,
        *,
        campaign_id: Templated[int | str | None] = None,
        campaign_ids: Templated[Sequence[int | str] | None] = None,
        channel: Templated[str] = "sms",
        all_active: bool = False,
        name_contains: Templated[str | None] = None,
        date_from: Templated[str | None] = None,
        date_to: Templated[str | None] = None,
        lookback_months: int = 12,
        bsg_conn_id: Templated[str] = "bsg_default",
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
        self.lookback_months = lookback_months
        self.bsg_conn_id = bsg_conn_id

    @cached_property
    def hook(self) -> BsgHook:
        """The BSG hook, sized for the batch."""
        from airflow_provider_campaigns.hooks.bsg import BsgHook

        return BsgHook(self.bsg_conn_id, self.request_timeout, self.max_concurrency, self.status_map)
