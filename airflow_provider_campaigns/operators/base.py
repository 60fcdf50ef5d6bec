"""What every stop operator (and the kill switch) shares: validate, stop in the worker, report, optionally wait."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Mapping, Sequence
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.providers.common.compat.sdk import BaseOperator, conf

from airflow_provider_campaigns.exceptions import InvalidInputError, PermanentError, TransientError
from airflow_provider_campaigns.task_params import VendorParams

if TYPE_CHECKING:
    from airflow_provider_campaigns.engine.stop_batch import Part
    from airflow_provider_campaigns.engine.task_wait import Waiting
    from airflow_provider_campaigns.hooks.base import CampaignHook

#: Task retries that come back in seconds, not Airflow's default 5 minutes: a retried stop resumes
#: where the failed try left off, so retrying early costs little and silences campaigns sooner.
FAST_RETRIES: dict[str, Any] = {"retries": 3, "retry_delay": timedelta(seconds=5), "max_retry_delay": timedelta(minutes=1)}


def fast_retry_defaults(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` with :data:`FAST_RETRIES` (and doubling delays) where neither the task nor ``default_args`` set them."""
    from airflow import __version__

    given = {**FAST_RETRIES, "retry_exponential_backoff": True if __version__.startswith("2.") else 2.0}
    default_args = kwargs.get("default_args") or {}  # the DAG's, task group's and task's, merged by Airflow
    for key, value in given.items():
        if key not in default_args:
            kwargs.setdefault(key, value)
    return kwargs


def keep_fast_retries_when_mapped(partial_kwargs: dict[str, Any], given: Mapping[str, Any]) -> None:
    """Put :data:`FAST_RETRIES` into a mapped task's ``partial()`` arguments, as :func:`fast_retry_defaults` does for a plain task.

    Airflow's ``partial()`` fills every argument nobody gave with ``BaseOperator``'s defaults
    (``retries=0``, 300 s, no back-off), never with what an operator's ``__init__`` sets. A key set by
    the task, its ``default_args``, the DAG's or the task group's ``default_args`` is kept, exactly
    as for a plain task.
    """
    dag, group = partial_kwargs.get("dag"), partial_kwargs.get("task_group")
    explicit = {
        *given,
        *(given.get("default_args") or {}),
        *(getattr(dag, "default_args", None) or {}),
        *(getattr(group, "default_args", None) or {}),
    }
    for key, value in fast_retry_defaults({}).items():
        if key not in explicit:
            partial_kwargs[key] = value


_LIBRARIES = frozenset({"airflow", "airflow_provider_campaigns"})


def warn_at_dag_file(message: str) -> None:
    """Warn with the location of the DAG file that built the task (Airflow wraps operator
    constructors, so a fixed ``stacklevel`` lands inside Airflow or this package).
    """
    frame = sys._getframe(1)
    while frame.f_back is not None and str(frame.f_globals.get("__name__", "")).split(".")[0] in _LIBRARIES:
        frame = frame.f_back
    warnings.warn_explicit(
        message,
        UserWarning,
        frame.f_code.co_filename,
        frame.f_lineno,
        module=str(frame.f_globals.get("__name__", "")),
        registry=frame.f_globals.setdefault("__warningregistry__", {}),
        module_globals=frame.f_globals,
    )


def stop_failure_kwargs(failure: Exception) -> dict[str, Any]:
    """The stop's failure as deferral kwargs (its message names campaigns and vendors, never a secret)."""
    return {"message": str(failure), "permanent": isinstance(failure, PermanentError)}


def stop_failure_from(kwargs: Mapping[str, Any] | None) -> Exception | None:
    """The stop's failure again, after the deferral (see :func:`stop_failure_kwargs`)."""
    if not kwargs:
        return None
    return (PermanentError if kwargs.get("permanent") else TransientError)(str(kwargs.get("message") or "the stop failed"))


def check_positive(**values: Any) -> None:
    """Every value is a positive number of seconds (named in the error)."""
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise InvalidInputError(f"{name} must be a positive number of seconds, not {value!r}.")


class _PartialKeepingRetries:
    """``Op.partial`` of a stop operator: Airflow's, then :func:`keep_fast_retries_when_mapped` (on a task object: Airflow's refusal)."""

    def __get__(self, obj: Any, cls: type[Any]) -> Any:
        airflow_partial = super(StopTaskOperator, obj if obj is not None else cls).partial  # type: ignore[misc]
        if obj is not None:
            return airflow_partial

        def partial(**kwargs: Any) -> Any:
            built = airflow_partial(**kwargs)
            keep_fast_retries_when_mapped(built.kwargs, kwargs)
            return built

        return partial


class StopTaskOperator(BaseOperator):
    """Base of every stop operator and of the kill switch: the shared parameters and the stop → report → wait flow.

    :param fail_if_already_final: fail instead of reporting ``already_final`` when a campaign was
        already stopped or done before this task.
    :param request_timeout: seconds (or ``[connect, read]``) per request; overrides the connections'.
    :param max_concurrency: stop requests in flight at once per vendor connection (lowered while the
        vendor answers 429, raised again when it stops).
    :param dry_run: read and report what would be stopped (``would_stop``), stop nothing.
    :param stop_timeout: seconds the stop may take in all, honoured within one request timeout: transient
        trouble (timeouts, refused connections, 429, 5xx) is retried until then, and only then is a campaign
        given up. Default: no fixed budget: campaigns are given up only when none has been stopped for
        two minutes (``stop_budget.NO_PROGRESS_TIMEOUT``), or at the task's ``execution_timeout`` — at a
        vendor's pace a large batch takes minutes, and every campaign is stopped while stops succeed.
    :param wait_for_completion: after stopping, wait until every campaign is final.
    :param poll_interval: seconds between status reads while waiting.
    :param timeout: seconds to wait at most (``wait_for_completion`` only).
    :param deferrable: wait in the triggerer instead of holding a worker slot (``wait_for_completion`` only;
        default: ``[operators] default_deferrable``).
    :param order: ``"loudest_first"`` (default): at each vendor connection, stop first what is sending now (the
        largest remaining audience first where the vendor reports it), then what starts soonest, then the rest;
        named campaigns that would take more than 5 s at the connection's pace are listed once to learn that.
        ``"as_given"``: stop them in the order they were named or listed, with no list read for the order.
        Validated before any request (templated on the kill switch).

    Unless set (on the task or in ``default_args``), ``retries`` is 3 and ``retry_delay`` 5 s, doubling
    up to a minute: a retry resumes where the failed try stopped. The same holds for mapped tasks
    (``Op.partial(...).expand(...)``): each map index retries on its own.
    """

    ui_color = "#f4a3a3"

    partial = _PartialKeepingRetries()  # type: ignore[assignment]

    def __init__(
        self,
        *,
        fail_if_already_final: bool = False,
        request_timeout: float | Sequence[float] | None = None,
        max_concurrency: int = 32,
        dry_run: bool = False,
        stop_timeout: float | None = None,
        wait_for_completion: bool = False,
        poll_interval: float = 30.0,
        timeout: float = 3600.0,
        deferrable: bool | None = None,
        order: str = "loudest_first",
        **kwargs: Any,
    ) -> None:
        super().__init__(**fast_retry_defaults(kwargs))
        deferrable_asked = bool(deferrable)
        if deferrable is None:
            deferrable = conf.getboolean("operators", "default_deferrable", fallback=False)
        if not isinstance(max_concurrency, int) or isinstance(max_concurrency, bool) or not 1 <= max_concurrency <= 256:
            raise InvalidInputError(f"max_concurrency must be an integer from 1 to 256, not {max_concurrency!r}.")
        check_positive(poll_interval=poll_interval, timeout=timeout, **({} if stop_timeout is None else {"stop_timeout": stop_timeout}))
        if not (isinstance(order, str) and "{{" in order):  # a template is checked once rendered, before any request
            from airflow_provider_campaigns.engine.loudest_first import check_order

            check_order(order)
        if deferrable_asked and not wait_for_completion and not dry_run:
            warn_at_dag_file(
                f"{type(self).__name__} {kwargs.get('task_id')!r}: deferrable=True has no effect without wait_for_completion=True "
                "(the stop itself always runs in the worker)."
            )
        self.fail_if_already_final = fail_if_already_final
        self.request_timeout = request_timeout
        self.max_concurrency = max_concurrency
        self.list_only = dry_run  # BaseOperator already has a dry_run() method
        self.stop_timeout = stop_timeout
        self.wait_for_completion = wait_for_completion
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.deferrable = deferrable
        self.order = order

    def parts(self) -> list[Part]:
        """What to act on, validated before any request (connections may be read)."""
        raise NotImplementedError

    def waiting(self) -> Waiting:
        """How to wait after the stop: until stopped or completed."""
        from airflow_provider_campaigns.engine.task_wait import Waiting
        from airflow_provider_campaigns.engine.wait import target_states

        return Waiting(target_states(None), self.poll_interval, self.timeout, self.deferrable)

    def execute(self, context: Any) -> dict[str, Any]:
        """Validate everything, stop (or read) every campaign, report, then wait if asked."""
        from airflow_provider_campaigns.core.clock import SYSTEM_CLOCK
        from airflow_provider_campaigns.engine.eta import plan_eta
        from airflow_provider_campaigns.engine.journal import journal_for, kept_for_retries, last_try
        from airflow_provider_campaigns.engine.loudest_first import check_order
        from airflow_provider_campaigns.engine.results import FAILED, result
        from airflow_provider_campaigns.engine.stop_batch import stop_parts
        from airflow_provider_campaigns.engine.stop_budget import StopBudget
        from airflow_provider_campaigns.engine.task_output import log_table, push_result

        order = check_order(self.order)
        parts = self.parts()
        for part in parts:
            _ = part.hook.api  # every connection read and checked before any request is sent
        clock = parts[0].hook.clock if parts else None
        try:
            with kept_for_retries(None if self.list_only else journal_for(context), context) as journal:
                budget = StopBudget.for_task(clock or SYSTEM_CLOCK, self.stop_timeout, self.execution_timeout)
                report = stop_parts(parts, budget, self.list_only, self.fail_if_already_final, journal, self.log, order)
                eta = plan_eta(report.etas, (clock or SYSTEM_CLOCK).time()) if self.list_only else None
                value = result(report.entries, self.list_only, report.failed_targets, eta)
                log_table(self.log, value)
                failure = report.failure(dry_run=self.list_only)
                final = failure is None or isinstance(failure, PermanentError) or last_try(context)
                waits = self.wait_for_completion and not self.list_only and any(e["outcome"] != FAILED for e in report.entries)
                if failure is not None and not (final and waits):
                    # a retry comes soon and resumes (its wait covers every campaign): fail now, not after a wind-down
                    push_result(context, value)
                    raise failure
                if waits:
                    # no retry will come: wait for the campaigns that were stopped, so the report carries their final states
                    value = self._wait(context, parts, report.entries, value, failure)
                return value
        finally:
            for part in parts:
                part.hook.close()

    def _wait(
        self, context: Any, parts: list[Part], entries: list[Any], value: dict[str, Any], failure: Exception | None
    ) -> dict[str, Any]:
        from airflow_provider_campaigns.engine.results import WAIT_KEY, with_entries
        from airflow_provider_campaigns.engine.task_output import log_table_if_changed, push_result
        from airflow_provider_campaigns.engine.task_wait import (
            apply_statuses,
            defer_timeout,
            reader,
            round_time,
            statuses_of,
            watched,
        )
        from airflow_provider_campaigns.engine.wait import first_check, run_wait, wait_flow
        from airflow_provider_campaigns.engine.wait_payload import trigger_kwargs
        from airflow_provider_campaigns.triggers.status import CampaignStatusTrigger

        waiting = self.waiting()
        groups = watched(parts, entries)
        clock = parts[0].hook.clock
        read = reader(groups, round_time(parts, waiting.poll_interval, self.deferrable))
        flow = wait_flow(
            f"{len(entries)} campaign(s)", waiting.targets, waiting.poll_interval, clock.time() + waiting.timeout, clock, self.log
        )
        if self.deferrable:
            outcome, seen = first_check(flow, read)
            if outcome is None:
                # kept for execute_complete under its own key: campaigns_result exists only when the task failed
                push_result(context, with_entries(value, apply_statuses(entries, statuses_of(groups, seen))) if seen else value, WAIT_KEY)
                self.defer(
                    trigger=CampaignStatusTrigger(**trigger_kwargs(groups, waiting, clock.time())),
                    method_name="execute_complete",
                    kwargs={"stop_failure": stop_failure_kwargs(failure)} if failure is not None else None,
                    timeout=defer_timeout(parts, waiting),
                )
        else:
            outcome = run_wait(flow, read, clock)
        assert outcome is not None
        before = value
        value = with_entries(value, apply_statuses(entries, statuses_of(groups, outcome.statuses)))
        self.log.info("The wait is over: %s", outcome.message)
        log_table_if_changed(self.log, before, value)
        return self._after_wait(outcome, value, context, failure)

    @staticmethod
    def _after_wait(outcome: Any, value: dict[str, Any], context: Any, failure: Exception | None) -> dict[str, Any]:
        """The result after a wait, or the stop's own failure (which wins over the wait's)."""
        from airflow_provider_campaigns.engine.task_output import push_result
        from airflow_provider_campaigns.engine.task_wait import outcome_result

        if failure is not None:
            push_result(context, value)
            raise failure
        return outcome_result(outcome, value, context, sensor=False)

    def execute_complete(self, context: Any, event: Mapping[str, Any], stop_failure: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Resume after the trigger: the stop's result with the final states, or the matching error."""
        from airflow_provider_campaigns.engine.journal import journal_for, kept_for_retries
        from airflow_provider_campaigns.engine.results import WAIT_KEY, with_entries
        from airflow_provider_campaigns.engine.task_output import log_table_if_changed, pull_own, push_result
        from airflow_provider_campaigns.engine.task_wait import apply_statuses

        stored = pull_own(context, WAIT_KEY) or {"campaigns": []}
        push_result(context, None, WAIT_KEY)  # emptied: the outcome below is the return value, or campaigns_result
        value = with_entries(stored, apply_statuses(stored["campaigns"], event.get("statuses") or []))
        self.log.info("The wait is over: %s", event.get("message"))
        log_table_if_changed(self.log, stored, value)
        with kept_for_retries(journal_for(context), context):
            return self._after_wait(event, value, context, stop_failure_from(stop_failure))


class CampaignStopOperator(VendorParams, StopTaskOperator):
    """Base of ``<Vendor>StopCampaignOperator``: one vendor connection, its selection parameters and its hook.

    A vendor's operator declares its parameters once, as typed keywords of its ``__init__`` (``Templated[...]``
    for the templated ones); ``template_fields`` and ``selection_params`` derive from them
    (``airflow_provider_campaigns.task_params``).

    :param status_map: extra ``{vendor status: normalized state}`` entries.
    """

    def __init__(self, *, status_map: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.status_map = status_map

    @cached_property
    def hook(self) -> CampaignHook[Any]:
        """The vendor hook, sized for the batch (imported when the task runs, not when the DAG is parsed)."""
        raise NotImplementedError

    def parts(self) -> list[Part]:
        """One part: this operator's vendor connection and its validated selection."""
        from airflow_provider_campaigns.engine.stop_batch import Part

        params = self.selection_params()
        asked = {key: value for key, value in params.items() if value is not None}
        return [Part(self.hook, self.hook.selection(type(self).__name__, **params), target=type(self).__name__, asked=asked)]
