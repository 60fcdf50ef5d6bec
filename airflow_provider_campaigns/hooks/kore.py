"""Hook for the Kore.ai Campaign Management API (SMS campaigns)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from airflow_provider_campaigns.exceptions import InvalidInputError
from airflow_provider_campaigns.hooks.base import CampaignHook
from airflow_provider_campaigns.status import CampaignStatus
from airflow_provider_campaigns.vendors.base import CampaignRef, StopOutcome
from airflow_provider_campaigns.vendors.kore import KNOWN_STATUSES, KoreApi, list_flow, validate_campaign_type


class KoreHook(CampaignHook):
    """Talks to Kore.ai: mints an HS256 JWT with the Client Secret (``appId`` = Client ID), caches
    it until shortly before it expires (5 min), mints a new one once on a 401, and sends it in the
    ``auth`` header with ``accountid`` and ``iid`` (the stream id).

    :param kore_conn_id: connection id (type ``kore``): ``host`` = environment URL (default
        ``https://platform.kore.ai``), ``login`` = Client ID, ``password`` = Client Secret, extras
        ``account_id`` (required), ``stream_id`` (default stream), ``stop_path`` / ``status_path``
        (path templates with ``{stream_id}`` and ``{campaign_id}``).
    :param stream_id: default bot / stream id (``st-...``) for this hook; wins over extra ``stream_id``.
    """

    conn_name_attr = "kore_conn_id"
    default_conn_name = "kore_default"
    conn_type = "kore"
    hook_name = "Kore.ai (SMS campaigns)"
    vendor_key = "kore"

    def __init__(self, kore_conn_id: str = default_conn_name, stream_id: str | None = None, **kwargs: Any) -> None:
        if stream_id is not None:
            kwargs["stream_id"] = stream_id
        super().__init__(conn_id=kore_conn_id, **kwargs)
        self.kore_conn_id = kore_conn_id

    @property
    def kore_api(self) -> KoreApi:
        """The Kore.ai API description (built from the connection; no I/O)."""
        return cast(KoreApi, self.api)

    def check_credentials(self) -> None:
        """One page of one campaign from ``getAllCampaignDetails``: proves the JWT, account and stream."""
        api = self.kore_api
        self.send(api.list_request(api.stream_for(), limit=1))

    def stop_campaign(
        self, campaign_id: str, stream_id: str | None = None, campaign_type: str = "sms", fail_if_already_final: bool = False
    ) -> StopOutcome:
        """``POST .../{stream}/campaign//trigger/{id}?trigger=stop``; already stopped/completed → ``already_final``."""
        validate_campaign_type(campaign_type)
        return self.stop(self.kore_api.campaign_ref(campaign_id, stream_id), fail_if_already_final)

    def get_campaign_status(self, campaign_id: str, stream_id: str | None = None) -> CampaignStatus:
        """``POST .../{stream}/campaign/{id}/status?view=status``."""
        return self.status(self.kore_api.campaign_ref(campaign_id, stream_id))

    def list_campaigns(self, statuses: Sequence[str] | None = None, campaign_type: str = "sms") -> list[CampaignStatus]:
        """Every campaign of the hook's stream (only those in ``statuses`` when given), paging through
        ``POST .../campaign/getAllCampaignDetails``.
        """
        kind = validate_campaign_type(campaign_type)
        api = self.kore_api
        return self.run(list_flow(api, api.stream_for(), _statuses(statuses), self.settings.retry, kind))

    def active_statuses(self) -> list[str]:
        """The statuses that are not final under the hook's status map: Kore's documented ones
        (``Ready``, ``Preparing``, ``Scheduled``, ``Rescheduled``, ``Active``, ``Paused``) plus
        any non-final entry of ``status_map``.
        """
        api = self.kore_api
        candidates = [*KNOWN_STATUSES, *(str(raw) for raw in (self.status_map or {}))]
        spelled = _statuses([raw for raw in candidates if raw.strip()]) or []
        return list(dict.fromkeys(raw for raw in spelled if not api.statuses.normalize(raw).is_final))

    def list_active_campaigns(self, name_contains: str | None = None, campaign_type: str = "sms") -> list[CampaignRef]:
        """Refs of the stream's campaigns that are not final (and whose name contains ``name_contains``,
        case-insensitive), each once.

        Kore is asked for :meth:`active_statuses` only (``filters.status``), and every listed
        campaign is checked again here, so a vendor that ignores the filter stops nothing final. A
        campaign in a status Kore does not document (and ``status_map`` does not name) is therefore
        not selected. A listed id this provider cannot address safely is skipped with a WARNING.
        """
        api = self.kore_api
        stream = api.stream_for()
        needle = (name_contains or "").casefold()
        refs: dict[str, CampaignRef] = {}
        for campaign in self.list_campaigns(self.active_statuses(), campaign_type):
            if campaign.is_final or needle not in (campaign.name or "").casefold():
                continue
            try:
                ref = api.campaign_ref(campaign.campaign_id, stream, "listed campaign id")
            except InvalidInputError as error:
                self.log.warning("%s: skipping a listed campaign: %s", self.vendor_name, error)
                continue
            refs.setdefault(ref["campaign_id"], ref)
        return list(refs.values())


def _statuses(values: Sequence[str] | None) -> list[str] | None:
    """Status filters in Kore's spelling when known (``active`` → ``Active``); others pass unchanged."""
    if values is None:
        return None
    if isinstance(values, str) or not all(isinstance(value, str) and value.strip() for value in values):
        raise InvalidInputError(f"statuses must be a list of Kore.ai statuses such as ['Active', 'Paused'], not {values!r:.80}.")
    known = {status.casefold(): status for status in KNOWN_STATUSES}
    return [known.get(value.strip().casefold(), value.strip()) for value in values]
