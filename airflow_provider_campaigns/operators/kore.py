"""Stop Kore.ai SMS campaigns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from airflow_provider_campaigns.exceptions import InvalidInputError
from airflow_provider_campaigns.operators.base import CampaignStopOperator

if TYPE_CHECKING:
    from airflow_provider_campaigns.hooks.base import CampaignHook
    from airflow_provider_campaigns.vendors.base import CampaignRef


class KoreStopCampaignOperator(CampaignStopOperator):
    """Stop one or many Kore.ai SMS campaigns:
    ``POST {host}/campaign/api/v2/public/{streamId}/campaign//trigger/{campaignId}?accountId=...&campaignType=sms&trigger=stop``
    (the documented path, double slash included, unless the connection overrides ``stop_path``).

    A stop Kore refuses (400/409/422) on a campaign that is already ``Stopped`` or ``Completed``
    counts as ``already_final``. Returns ``{vendor, campaign_id, outcome, state, vendor_status, ...}``
    for one campaign, or ``{vendor, campaigns, totals, failed_ids}`` for several (and for ``all_active``).

    ``all_active=True`` lists the stream's campaigns (``POST .../campaign/getAllCampaignDetails``,
    every page, asking Kore for the non-final statuses only) and stops each one that is not final
    (re-checked here) and whose name contains ``name_contains``. With ``dry_run=True`` it lists and
    stops nothing; the result's ``would_stop`` names the campaigns.

    :param campaign_id: the campaign to stop (templated).
    :param campaign_ids: several campaigns of the same stream to stop in one task (templated).
    :param all_active: stop every campaign of the stream that is not final (instead of ids).
    :param name_contains: with ``all_active``: only campaigns whose name contains this text
        (case-insensitive; templated).
    :param stream_id: bot / stream id (``st-...``); default: the connection's extra ``stream_id``.
    :param campaign_type: ``sms`` (the only type Kore documents a stop for).
    :param kore_conn_id: the ``kore`` connection.
    :param fail_if_already_final: fail instead of reporting ``already_final``.
    """

    template_fields: Sequence[str] = ("campaign_id", "campaign_ids", "stream_id", "campaign_type", "kore_conn_id", "name_contains")
    hook_path = "airflow_provider_campaigns.hooks.kore.KoreHook"
    conn_id_field = "kore_conn_id"

    def __init__(
        self,
        *,
        campaign_id: str | None = None,
        campaign_ids: Sequence[str] | None = None,
        all_active: bool = False,
        name_contains: str | None = None,
        stream_id: str | None = None,
        campaign_type: str = "sms",
        kore_conn_id: str = "kore_default",
        fail_if_already_final: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(fail_if_already_final=fail_if_already_final, **kwargs)
        self.campaign_id = campaign_id
        self.campaign_ids = campaign_ids
        self.all_active = all_active
        self.name_contains = name_contains
        self.stream_id = stream_id
        self.campaign_type = campaign_type
        self.kore_conn_id = kore_conn_id

    @property
    def single(self) -> bool:
        """One campaign named with ``campaign_id``."""
        return self.campaign_id is not None

    @property
    def selects(self) -> bool:
        """``all_active=True`` lists Kore's campaigns."""
        return self.all_active is True

    def hook_options(self) -> dict[str, Any]:
        """The operator's ``stream_id`` (when given) becomes the hook's default stream."""
        return {"stream_id": self.stream_id} if self.stream_id is not None else {}

    def campaign_refs(self, hook: CampaignHook) -> list[CampaignRef]:
        """Validate type, ids, stream and connection before anything is sent; each ref names its stream."""
        from airflow_provider_campaigns.vendors.kore import validate_campaign_type, validate_id

        validate_campaign_type(self.campaign_type)
        if not isinstance(self.all_active, bool):
            raise InvalidInputError(f"all_active must be True or False, not {type(self.all_active).__name__} {self.all_active!r:.40}.")
        if self.name_contains is not None and not isinstance(self.name_contains, str):
            raise InvalidInputError(f"name_contains must be text, not {type(self.name_contains).__name__} {self.name_contains!r:.40}.")
        if sum([self.campaign_id is not None, self.campaign_ids is not None, self.all_active]) != 1:
            raise InvalidInputError("KoreStopCampaignOperator: give exactly one of campaign_id, campaign_ids or all_active=True.")
        if self.all_active:
            from airflow_provider_campaigns.hooks.kore import KoreHook

            cast(KoreHook, hook).kore_api.stream_for()  # the connection and stream are checked before the list is asked for
            return []
        if self.campaign_id is not None:
            named = [(validate_id(self.campaign_id), "campaign_id")]
        else:
            values = self.campaign_ids
            if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
                raise InvalidInputError(f"campaign_ids must be a list of Kore.ai campaign ids, not {type(values).__name__}.")
            if not values:
                raise InvalidInputError("campaign_ids is empty: name at least one campaign.")
            named = [(validate_id(value, f"campaign_ids[{index}]"), f"campaign_ids[{index}]") for index, value in enumerate(values)]
        from airflow_provider_campaigns.hooks.kore import KoreHook

        api = cast(KoreHook, hook).kore_api
        refs = [api.campaign_ref(campaign_id, parameter=parameter) for campaign_id, parameter in named]
        return list({ref["campaign_id"]: ref for ref in refs}.values())

    def select_refs(self, hook: CampaignHook) -> list[CampaignRef]:
        """Every campaign of the stream that is not final (and whose name matches)."""
        from airflow_provider_campaigns.hooks.kore import KoreHook

        return cast(KoreHook, hook).list_active_campaigns(name_contains=self.name_contains, campaign_type=self.campaign_type)
