"""Hook for the Kore.ai Campaign Management API (SMS campaigns)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from airflow_provider_campaigns.core.clock import SYSTEM_CLOCK, Clock
from airflow_provider_campaigns.hooks.base import CampaignHook
from airflow_provider_campaigns.protocol.flows import StopOutcome
from airflow_provider_campaigns.status import CampaignStatus
from airflow_provider_campaigns.vendors import kore


class KoreHook(CampaignHook[kore.KoreCampaign]):
    """Talks to Kore.ai: mints an HS256 JWT with the Client Secret (``appId`` = Client ID), caches
    it until shortly before it expires (5 min), mints a new one once on a 401, and sends it in the
    ``auth`` header with ``accountid`` and ``iid`` (the stream id).

    :param kore_conn_id: connection id (type ``kore``): ``host`` = environment URL (default
        ``https://platform.kore.ai``), ``login`` = Client ID, ``password`` = Client Secret, extras
        ``account_id`` (required), ``stream_id`` (default stream), ``stop_path`` / ``status_path``
        (path templates with ``{stream_id}`` and ``{campaign_id}``).
    :param stream_id: default bot / stream id (``st-...``) for this hook; wins over extra ``stream_id``.
    :param request_timeout: seconds (or ``(connect, read)``) per request; overrides extra ``timeout``.
    :param pool_size: pooled connections and the most requests in flight at once.
    :param status_map: extra ``{vendor status: normalized state}`` entries.
    """

    conn_name_attr = "kore_conn_id"
    default_conn_name = "kore_default"
    conn_type = "kore"
    hook_name = "Kore.ai (SMS campaigns)"
    spec = kore.SPEC

    def __init__(
        self,
        kore_conn_id: str = default_conn_name,
        stream_id: str | None = None,
        request_timeout: float | Sequence[float] | None = None,
        pool_size: int = 10,
        status_map: Mapping[str, str] | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        super().__init__(kore_conn_id, request_timeout, pool_size, kore.KoreOptions(status_map, stream_id), clock)
        self.kore_conn_id = kore_conn_id

    @property
    def kore_api(self) -> kore.KoreApi:
        """The Kore.ai API description (built from the connection; no I/O)."""
        return cast(kore.KoreApi, self.api)

    def stream(self, stream_id: str | None = None) -> str:
        """The given stream id (validated), else the hook's or connection's default; neither fails naming both."""
        return kore.resolve_stream("KoreHook", stream_id, self.kore_api.default_stream)

    def check_ready(self) -> None:
        """A stream must be known (the hook's or the connection's ``stream_id``): else fail, before any request."""
        self.stream()

    def check_credentials(self) -> None:
        """One page of one campaign from ``getAllCampaignDetails``: proves the JWT, account and stream."""
        self.send(self.kore_api.credentials_request(self.stream()))

    def stop_campaign(
        self, campaign_id: str, stream_id: str | None = None, campaign_type: str = "sms", fail_if_already_final: bool = False
    ) -> StopOutcome:
        """``POST .../{stream}/campaign//trigger/{id}?trigger=stop``; already stopped/completed → ``already_final``."""
        (ref,) = self.selection("KoreHook", campaign_id=campaign_id, stream_id=stream_id, campaign_type=campaign_type).refs
        return self.stop(ref, fail_if_already_final)

    def get_campaign_status(self, campaign_id: str, stream_id: str | None = None) -> CampaignStatus:
        """``POST .../{stream}/campaign/{id}/status?view=status``."""
        (ref,) = self.selection("KoreHook", campaign_id=campaign_id, stream_id=stream_id).refs
        return self.status(ref)

    def list_campaigns(self, statuses: Sequence[str] | None = None, campaign_type: str = "sms") -> list[CampaignStatus]:
        """Every campaign of the hook's stream, paging through ``POST .../campaign/getAllCampaignDetails``.

        :param statuses: only these (Kore.ai filters the list): normalized states (``active`` = every Kore.ai
            status normalized to it) and/or Kore.ai spellings (``Active``, ``Paused``), case-insensitively.
            For what a kill switch would stop, use :meth:`list_not_final`.
        """
        kind = kore.validate_campaign_type(campaign_type)
        wanted = kore.status_spellings(self.vendor_statuses(_texts(statuses))) if statuses is not None else None
        return self.run(kore.list_flow(self.kore_api, self.stream(), wanted, self.budget(), kind))

    def selection_context(self) -> dict[str, Any]:
        """The hook's (or connection's) stream, the default of :func:`~airflow_provider_campaigns.vendors.kore.selection`."""
        return {"default_stream": lambda: self.kore_api.default_stream}

    def list_for_order(self, refs: Sequence[kore.KoreCampaign], deadline: float | None, max_pages: int) -> dict[str, CampaignStatus]:
        """The list of each stream of ``refs``, asked for the statuses that are not final (what a stop can change)."""
        wanted = {ref.label for ref in refs}
        extra = [str(raw) for raw in (self.options.status_map or {})]
        statuses = kore.active_statuses(self.kore_api.statuses, extra)
        found: dict[str, CampaignStatus] = {}
        for stream, kind in sorted({(ref.stream_id, ref.campaign_type) for ref in refs}):
            listed = self.run(kore.list_flow(self.kore_api, stream, statuses, self.budget(deadline), kind, max_pages))
            found.update({status.campaign_id: status for status in listed if status.campaign_id in wanted})
        return found

    def listed(self, chosen: kore.KoreSelection, deadline: float | None = None) -> list[kore.KoreCampaign]:
        """The stream's campaigns that are not final and whose name matches (``status_map`` additions listed too)."""
        extra = [str(raw) for raw in (self.options.status_map or {})]
        return self.run(kore.select_flow(self.kore_api, chosen, self.budget(deadline), extra, self.listed_statuses))


def _texts(values: Sequence[str]) -> list[str]:
    from airflow_provider_campaigns.exceptions import InvalidInputError

    if isinstance(values, str) or not all(isinstance(value, str) and value.strip() for value in values):
        raise InvalidInputError(f"statuses must be a list of Kore.ai statuses such as ['Active', 'Paused'], not {values!r:.80}.")
    return list(values)
