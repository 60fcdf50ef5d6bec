"""What every stop operator shares: validate, stop (in the worker), optionally wait, report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.providers.common.compat.sdk import BaseOperator, conf

from airflow_provider_campaigns.exceptions import InvalidInputError, TransientError

if TYPE_CHECKING:
    from airflow_provider_campaigns.hooks.base import CampaignHook
    from airflow_provider_campaigns.vendors.base import CampaignRef

RESULT_KEY = "stop_result"


class CampaignStopOperator(BaseOperator):
    """Base of ``<Vendor>StopCampaignOperator``.

    :param fail_if_already_final: fail instead of succeeding with ``already_final`` when a
        campaign was already stopped or done before this call.
    :param request_timeout: seconds (or ``[connect, read]``) per request; overrides the connection's.
    :param max_concurrency: stops in flight at once when several campaigns are given.
    :param dry_run: list what would be stopped and stop nothing.
    :param wait_for_completion: after stopping, wait until every campaign is final.
    :param poll_interval: seconds between status reads while waiting.
    :param timeout: seconds to wait at most (``wait_for_completion`` only).
    :param deferrable: wait in the triggerer instead of holding a worker slot.
    :param status_map: extra ``{vendor status: normalized state}`` entries.
    """

    #: ``module.Class`` of the vendor hook, imported only when the task runs (DAG parsing stays cheap)
    hook_path: ClassVar[str]
    conn_id_field: ClassVar[str]
    ui_color = "#f4a3a3"

    def __init__(
        self,
        *,
        fail_if_already_final: bool = False,
        request_timeout: float | Sequence[float] | None = None,
        max_concurrency: int = 32,
        dry_run: bool = False,
        wait_for_completion: bool = False,
        poll_interval: float = 30.0,
        timeout: float = 3600.0,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        status_map: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.fail_if_already_final = fail_if_already_final
        self.request_timeout = request_timeout
        self.max_concurrency = max_concurrency
        self.list_only = dry_run  # BaseOperator already has a dry_run() method
        self.wait_for_completion = wait_for_completion
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.deferrable = deferrable
        self.status_map = status_map
        if not isinstance(max_concurrency, int) or isinstance(max_concurrency, bool) or not 1 <= max_concurrency <= 256:
            raise InvalidInputError(f"max_concurrency must be an integer from 1 to 256, not {max_concurrency!r}.")
        for name, value in (("poll_interval", poll_interval), ("timeout", timeout)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise InvalidInputError(f"{name} must be a positive number of seconds, not {value!r}.")

    # -- vendor-specific parts -------------------------------------------------------------
    def campaign_refs(self, hook: CampaignHook) -> list[CampaignRef]:
        """Validated references named explicitly by the (rendered) parameters (may be empty).

        Called before any request; ``hook`` may be used to read the connection (never to send).
        """
        raise NotImplementedError

    @property
    def selects(self) -> bool:
        """Whether the operator also selects campaigns by listing them (see :meth:`select_refs`)."""
        return False

    def select_refs(self, hook: CampaignHook) -> list[CampaignRef]:
        """Selection mode: list the vendor's campaigns matching the operator's filters."""
        raise NotImplementedError

    @property
    def single(self) -> bool:
        """Whether the user named exactly one campaign (the result is then one flat dict)."""
        return False

    # -- shared flow ------------------------------------------------------------------------
    def make_hook(self) -> CampaignHook:
        """The vendor hook, sized for the batch."""
        from airflow_provider_campaigns.hooks import load_hook_class

        hook: CampaignHook = load_hook_class(self.hook_path)(
            getattr(self, self.conn_id_field),
            request_timeout=self.request_timeout,
            pool_size=self.max_concurrency,
            status_map=self.status_map,
            **self.hook_options(),
        )
        return hook

    def hook_options(self) -> dict[str, Any]:
        """Vendor-specific hook keyword arguments."""
        return {}

    def execute(self, context: Any) -> dict[str, Any]:
        """Validate everything, stop every campaign, then wait if asked."""
        from airflow_provider_campaigns.batch import BatchReport, stop_all
        from airflow_provider_campaigns.outcomes import target_states

        targets = target_states(None)
        hook = self.make_hook()
        try:
            refs = self.campaign_refs(hook)
            if self.selects:
                selected = self.select_refs(hook)
                self.log.info("%s: %d campaign(s) selected by listing.", hook.vendor_name, len(selected))
                refs = list({hook.api.label(ref): ref for ref in [*refs, *selected]}.values())
            if not refs:
                self.log.info("%s: nothing to stop.", hook.vendor_name)
                return BatchReport(hook.vendor_name).as_dict()
            if self.list_only:
                labels = [hook.api.label(ref) for ref in refs]
                self.log.info("%s dry run: would stop %d campaign(s): %s", hook.vendor_name, len(labels), ", ".join(labels[:50]))
                return {"vendor": hook.vendor_name, "dry_run": True, "would_stop": labels, "totals": {"requested": len(labels)}}
            report = stop_all(hook, refs, self.fail_if_already_final, self.max_concurrency, self.log)
            result = report.entries[0] if self.single and len(report.entries) == 1 else report.as_dict()
            self._log_report(report.entries)
            failure = report.failure()
            if failure is not None:
                context["ti"].xcom_push(key=RESULT_KEY, value=result)
                raise failure
            if not self.wait_for_completion:
                return result
            return self._wait(context, hook, refs, targets, result)
        finally:
            hook.close()

    def _wait(self, context: Any, hook: CampaignHook, refs: list[CampaignRef], targets: Any, result: dict[str, Any]) -> dict[str, Any]:
        from airflow_provider_campaigns.outcomes import judge
        from airflow_provider_campaigns.waiting import poll_until_settled, raise_if_rejected, read_all, status_trigger

        context["ti"].xcom_push(key=RESULT_KEY, value=result)
        if self.deferrable:
            try:
                verdict = judge(read_all(hook, refs), targets)
            except TransientError as error:  # the trigger retries reads until its deadline
                self.log.warning("Status read failed; deferring anyway: %s", error)
            else:
                raise_if_rejected(verdict, hook.vendor_name)
                if verdict.done:
                    return result
            trigger, timeout = status_trigger(hook, refs, targets, self.poll_interval, self.timeout)
            self.defer(trigger=trigger, method_name="execute_complete", timeout=timeout, kwargs={"stop_result": result})
        poll_until_settled(hook, refs, targets, self.poll_interval, self.timeout)
        return result

    def execute_complete(self, context: Any, event: Mapping[str, Any], stop_result: dict[str, Any] | None = None) -> dict[str, Any]:
        """Resume after the trigger: the stop result, once every campaign is final."""
        from airflow_provider_campaigns.waiting import result_from_event

        result_from_event(event, sensor=False)
        return stop_result or {}

    def _log_report(self, entries: list[dict[str, Any]]) -> None:
        for entry in entries[:200]:
            self.log.info(
                "%-10s %-14s %-12s %s",
                entry["campaign_id"],
                entry["outcome"],
                entry.get("vendor_status") or "",
                entry.get("error", "")[:300],
            )
        if len(entries) > 200:
            self.log.info("... and %d more (all in XCom).", len(entries) - 200)

