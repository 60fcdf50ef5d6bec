"""What every status sensor shares: poke mode, or one check then deferral to the status trigger."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.providers.common.compat.sdk import BaseSensorOperator, PokeReturnValue, conf

from airflow_provider_campaigns.task_params import VendorParams

if TYPE_CHECKING:
    from airflow_provider_campaigns.engine.stop_batch import Part
    from airflow_provider_campaigns.hooks.base import CampaignHook
    from airflow_provider_campaigns.status import CampaignState, CampaignStatus
    from airflow_provider_campaigns.vendors.base import Ref


class CampaignStatusSensor(VendorParams, BaseSensorOperator):
    """Base of ``<Vendor>CampaignStatusSensor``: waits until every named campaign is final.

    A vendor's sensor declares its parameters once, as typed keywords of its ``__init__`` (``Templated[...]``
    for the templated ones); ``template_fields`` and ``selection_params`` derive from them
    (``airflow_provider_campaigns.task_params``).

    Succeeds when all reach ``target_states`` (default ``stopped`` and ``completed``) and returns the
    one result shape, every entry ``already_final``; fails with ``AirflowFailException`` when one ends
    in another final state (for example ``failed``), its entry ``failed``.

    :param target_states: normalized states that count as success (default ``stopped`` and ``completed``).
    :param request_timeout: seconds (or ``[connect, read]``) per request.
    :param deferrable: check once, then wait in the triggerer (``poke_interval`` between reads,
        ``timeout`` as the deadline).
    :param status_map: extra ``{vendor status: normalized state}`` entries.
    """

    ui_color = "#c8e6f4"

    def __init__(
        self,
        *,
        target_states: Sequence[str] | None = None,
        request_timeout: float | Sequence[float] | None = None,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        status_map: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.target_states = list(target_states) if target_states is not None else None
        self.request_timeout = request_timeout
        self.deferrable = deferrable
        self.status_map = status_map

    @cached_property
    def hook(self) -> CampaignHook[Any]:
        """The vendor hook (kept across pokes: one login, one session)."""
        raise NotImplementedError

    @property
    def targets(self) -> frozenset[CampaignState]:
        """The validated target states."""
        from airflow_provider_campaigns.engine.wait import target_states

        return target_states(self.target_states)

    def _groups(self) -> list[tuple[Part, list[Ref]]]:
        """The campaigns to watch (validated first; a Cellcast ``custom_string`` is listed)."""
        from airflow_provider_campaigns.engine.stop_batch import Part

        targets = self.targets  # checked before any request
        del targets
        hook = self.hook
        part = Part(hook, hook.selection(type(self).__name__, **self.selection_params()))
        return [(part, hook.select(part.selection))]

    def _check(self, context: Any) -> tuple[Any, list[tuple[Part, list[Ref]]], list[CampaignStatus]]:
        from airflow_provider_campaigns.engine.task_wait import reader, round_time
        from airflow_provider_campaigns.engine.wait import first_check, wait_flow

        groups = self._groups()
        hook = self.hook
        flow = wait_flow(
            self._what(groups), self.targets, float(self.poke_interval), self._started(context) + float(self.timeout), hook.clock, self.log
        )
        parts = [part for part, _ in groups]
        outcome, seen = first_check(flow, reader(groups, round_time(parts, float(self.poke_interval), self.deferrable)))
        return outcome, groups, seen

    def _started(self, context: Any) -> float:
        """When the sensor started (its timeout counts from then): the task's start, else the first check here."""
        first: float = self.__dict__.setdefault("_first_check_at", self.hook.clock.time())
        started = getattr(context.get("ti"), "start_date", None)
        return min(first, started.timestamp()) if isinstance(started, datetime) else first

    def _what(self, groups: list[tuple[Part, list[Ref]]]) -> str:
        count = sum(len(refs) for _, refs in groups)
        return f"{self.hook.vendor_name}: {count} campaign(s)"

    def poke(self, context: Any) -> PokeReturnValue:
        """Read every status once; done when all are settled. A transient read error is one more poke."""
        from airflow_provider_campaigns.engine.task_wait import outcome_result, statuses_of

        outcome, groups, _ = self._check(context)
        if outcome is None:
            return PokeReturnValue(is_done=False)
        value = sensor_result(statuses_of(groups, outcome.statuses), self.targets)
        return PokeReturnValue(is_done=True, xcom_value=outcome_result(outcome, value, context, sensor=True))

    def execute(self, context: Any) -> Any:
        """Poke mode as usual; deferrable: one check in the worker, then the trigger (which retries reads)."""
        if not self.deferrable:
            return super().execute(context)
        from airflow_provider_campaigns.engine.task_wait import Waiting, defer_timeout, outcome_result, statuses_of
        from airflow_provider_campaigns.engine.wait_payload import trigger_kwargs
        from airflow_provider_campaigns.triggers.status import CampaignStatusTrigger

        outcome, groups, _ = self._check(context)
        if outcome is not None:
            return outcome_result(outcome, sensor_result(statuses_of(groups, outcome.statuses), self.targets), context, sensor=True)
        waiting = Waiting(self.targets, float(self.poke_interval), float(self.timeout), True)
        parts = [part for part, _ in groups]
        self.defer(
            trigger=CampaignStatusTrigger(**trigger_kwargs(groups, waiting, self.hook.clock.time())),
            method_name="execute_complete",
            timeout=defer_timeout(parts, waiting),
        )

    def execute_complete(self, context: Any, event: Mapping[str, Any]) -> dict[str, Any]:
        """Resume after the trigger: the same result as poke mode, or the matching error."""
        from airflow_provider_campaigns.engine.task_wait import outcome_result

        return outcome_result(event, sensor_result(event.get("statuses") or [], self.targets), context, sensor=True)


def sensor_result(statuses: Sequence[Mapping[str, Any]], targets: frozenset[CampaignState]) -> dict[str, Any]:
    """A sensor's result: ``already_final`` for every campaign in a target state, ``failed`` for one that ended elsewhere."""
    from airflow_provider_campaigns.engine.results import ALREADY_FINAL, FAILED, entry, result
    from airflow_provider_campaigns.registry import vendor as registered
    from airflow_provider_campaigns.status import CampaignStatus

    wanted = sorted(t.value for t in targets)
    entries = []
    for seen in statuses:
        status = CampaignStatus.from_dict(seen)
        accepted = status.state in targets
        error = None if accepted else f"ended {seen['vendor_status']!r} ({seen['state']}), not one of {', '.join(wanted)}"
        outcome = ALREADY_FINAL if accepted else FAILED
        ref = registered(seen["vendor"]).spec().ref.from_dict(seen["ref"]) if seen.get("ref") else {}
        entries.append(entry(seen["vendor"], seen["conn_id"], ref, seen["campaign_id"], outcome, status, error))
    return result(entries)
