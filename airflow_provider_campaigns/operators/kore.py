"""Stop Kore.ai SMS campaigns."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow_provider_campaigns.operators.base import CampaignStopOperator
from airflow_provider_campaigns.task_params import Templated

if TYPE_CHECKING:
    from airflow_provider_campaigns.hooks.kore import KoreHook


class KoreStopCampaignOperator(CampaignStopOperator):
    """Stop Kore.ai SMS campaigns:
    ``POST {host}/campaign/api/v2/public/{streamId}/campaign//trigger/{campaignId}?accountId=...&campaignType=sms&trigger=stop``
    (the documented path, double slash included, unless the connection overrides ``stop_path``).

    A stop Kore refuses (400/409/422) on a campaign that is already ``Stopped`` or ``Completed``
    counts as ``already_final``. Returns the one result shape (see :mod:`airflow_provider_campaigns.engine.results`).

    ``all_active=True`` lists the stream's campaigns (``POST .../campaign/getAllCampaignDetails``, every
    page until Kore's ``data.hasMore`` is false, cross-checked with ``data.totalResults``, asking for the
    non-final statuses) and stops each one that is not final (judged again here) and whose name contains
    ``name_contains``.

    :param campaign_id: the campaign to stop (templated).
    :param campaign_ids: several campaigns of the same stream to stop in one task (templated).
    :param all_active: stop every campaign of the stream that is not final (instead of ids).
    :param name_contains: with ``all_active``: only campaigns whose name contains this text (case-insensitive; templated).
    :param stream_id: bot / stream id (``st-...``); default: the connection's extra ``stream_id`` (templated).
    :param campaign_type: ``sms`` (the only type Kore documents a stop for; templated).
    :param kore_conn_id: the ``kore`` connection (templated).
    """

    def __init__(
        self,
        *,
        campaign_id: Templated[str | None] = None,
        campaign_ids: Templated[Sequence[str] | None] = None,
        all_active: bool = False,
        name_contains: Templated[str | None] = None,
        stream_id: Templated[str | None] = None,
        campaign_type: Templated[str] = "sms",
        kore_conn_id: Templated[str] = "kore_default",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.campaign_id = campaign_id
        self.campaign_ids = campaign_ids
        self.all_active = all_active
        self.name_contains = name_contains
        self.stream_id = stream_id
        self.campaign_type = campaign_type
        self.kore_conn_id = kore_conn_id

    @cached_property
    def hook(self) -> KoreHook:
        """The Kore.ai hook, sized for the batch (the operator's ``stream_id`` becomes its default stream)."""
        from airflow_provider_campaigns.hooks.kore import KoreHook

        return KoreHook(self.kore_conn_id, self.stream_id, self.request_timeout, self.max_concurrency, self.status_map)
