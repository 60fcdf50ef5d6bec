"""What every status sensor shares: poke mode, or one check then deferral to the status trigger."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.providers.common.compat.sdk import BaseSensorOperator, PokeReturnValue, conf

if TYPE_CHECKING:
    from airflow_provider_campaigns.hooks.base import CampaignHook
    from airflow_provider_campaigns.vendors.base import CampaignRef


class CampaignStatusSensor(BaseSensorOperator):
    """Base of ``<Vendor>CampaignStatusSensor``: waits until every campaign is final.

    Succeeds when all reach ``target_states`` (default ``stopped`` and ``completed``); fails with
    ``AirflowFailException`` when one ends in another final state (for example ``failed``).

    :param target_states: normalized states that count as success.
    :param request_timeout: seconds (or ``[connect, read]``) per request.
    :param deferrable: check once, then wait in the triggerer (``poke_interval`` between reads,
        ``timeout`` as the deadline).
    :param status_map: extra ``{vendor status: normalized state}`` entries.
    """

    #: ``module.Class`` of the vendor hook, imported only when the task runs (DAG parsing stays cheap)
    hook_path: ClassVar[str]
    conn_id_field: ClassVar[str]
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

    def campaign_refs(self, hook: CampaignHook) -> list[CampaignRef]:
        """Validated references from the (rendered) parameters (may list, e.g. Cellcast)."""
        raise NotImplementedError

    def validate(self) -> None:
        """Check the rendered parameters before any request (vendor sensors extend it)."""

    def hook_options(self) -> dict[str, Any]:
        """Vendor-specific hook keyword arguments."""
        return {}

    def make_hook(self) -> CampaignHook:
        """The vendor hook."""
        from airflow_provider_campaigns.hooks import load_hook_class

        hook: CampaignHook = load_hook_class(self.hook_path)(
            getattr(self, self.conn_id_field), request_timeout=self.request_timeout, status_map=self.status_map, **self.hook_options()
        )
        return hook

    def _check(self, tolerate_transient: bool = False) -> tuple[bool, dict[str, Any], CampaignHook, list[CampaignRef]]:
        """Validate, read every status once and judge; with ``tolerate_transient`` a failed read is "not done"."""
        from airflow_provider_campaigns.exceptions import TransientError
        from airflow_provider_campaigns.outcomes import judge, status_result, target_states
        from airflow_provider_campaigns.waiting import raise_if_rejected, read_all

        targets = target_states(self.target_states)
        self.validate()
        hook = self.make_hook()
        try:
            refs = self.campaign_refs(hook)
            try:
                statuses = read_all(hook, refs)
            except TransientError as error:
                if not tolerate_transient:
                    raise
                self.log.warning("Status read failed; waiting on: %s", error)
                return False, {}, hook, refs
            verdict = judge(statuses, targets)
            raise_if_rejected(verdict, hook.vendor_name)
        finally:
            hook.close()
        self.log.info("%s: %s", hook.vendor_name, verdict.message)
        return verdict.done, status_result(statuses), hook, refs

    def poke(self, context: Any) -> PokeReturnValue:
        """Read every status once; done when all are settled. A transient read error is one more poke."""
        done, result, _, _ = self._check(tolerate_transient=True)
        return PokeReturnValue(is_done=done, xcom_value=result if done else None)

    def execute(self, context: Any) -> Any:
        """Poke mode as usual; deferrable: one check in the worker, then the trigger (which retries reads)."""
        if not self.deferrable:
            return super().execute(context)
        from airflow_provider_campaigns.outcomes import target_states
        from airflow_provider_campaigns.waiting import status_trigger

        done, result, hook, refs = self._check(tolerate_transient=True)
        if done:
            return result
        trigger, timeout = status_trigger(hook, refs, target_states(self.target_states), float(self.poke_interval), float(self.timeout))
        self.defer(trigger=trigger, method_name="execute_complete", timeout=timeout)

    def execute_complete(self, context: Any, event: Mapping[str, Any]) -> dict[str, Any]:
        """Resume after the trigger: the same result dict as poke mode, or the matching error."""
        from airflow_provider_campaigns.waiting import result_from_event

        return result_from_event(event)
