"""Stopping (or, in a dry run, reading) many campaigns at one vendor connection in one task.

Every campaign is attempted, through one hook (one login, one session) and up to
``max_concurrency`` requests at once, lowered adaptively while the vendor answers 429. Transient
trouble is retried until the stop's deadline, not for a fixed number of attempts; a campaign is
given up only then, and a last status read decides how it is reported: a campaign the vendor shows
final is never reported ``failed``. With a journal, a retried try resumes what earlier tries did.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airflow_provider_campaigns.core.logs import Logger
from airflow_provider_campaigns.engine.loudest_first import LOUDEST_FIRST
from airflow_provider_campaigns.engine.results import (
    ALREADY_FINAL,
    FAILED,
    OUTCOMES,
    STOPPED,
    WOULD_STOP,
    CampaignEntry,
    FailedTarget,
    entry,
    failed_target,
    stored_entry,
)
from airflow_provider_campaigns.engine.stop_budget import StopBudget
from airflow_provider_campaigns.exceptions import CampaignProviderError, PermanentError, TransientError
from airflow_provider_campaigns.status import CampaignState

if TYPE_CHECKING:
    from airflow_provider_campaigns.engine.journal import Journal
    from airflow_provider_campaigns.hooks.base import CampaignHook
    from airflow_provider_campaigns.vendors.base import Ref

DEFAULT_STOP_TIMEOUT = 300.0
#: progress lines at most this often
PROGRESS_EVERY = 5.0
#: the last status read of a campaign whose stop ran out of time gets this much time of its own
FINAL_READ_TIME = 10.0
#: threads per request slot in a batch: campaigns sleeping before a retry must not leave slots idle
THREADS_PER_SLOT = 4


@dataclass
class Part:
    """One vendor connection's share of a task: its hook and what to act on (a selection, or exact refs)."""

    hook: CampaignHook[Any]
    selection: Any = None
    refs: list[Ref] | None = None
    #: entries reported as they are, without a request (a plan's campaigns that were already final)
    known: list[CampaignEntry] = field(default_factory=list)
    #: campaign labels in the order a plan named them: the part's entries are reported in that order
    order: list[str] = field(default_factory=list)
    #: names a plan knew, for entries whose stop answer carries none (Kore.ai, Cellcast, failures)
    names: dict[str, str] = field(default_factory=dict)
    #: where the task named this part (``targets['kore']``, ``BsgStopCampaignOperator``), for a failed target
    target: str = ""
    #: the selection parameters as given (no secrets): what a failed target asked for
    asked: dict[str, Any] = field(default_factory=dict)
    #: the references the part acted on (selected, or the plan's), kept for the wait that may follow
    acted: list[Ref] = field(default_factory=list)


@dataclass
class Report:
    """Entries (one per campaign, in order), the targets that selected nothing, and the errors behind both."""

    entries: list[CampaignEntry] = field(default_factory=list)
    errors: list[CampaignProviderError] = field(default_factory=list)
    failed_targets: list[FailedTarget] = field(default_factory=list)
    #: a dry run's plan per vendor connection (:func:`~airflow_provider_campaigns.engine.eta.part_eta`)
    etas: list[dict[str, Any]] = field(default_factory=list)

    def extend(self, other: Report) -> None:
        """Add another report's entries, failed targets, errors and plans."""
        self.entries.extend(other.entries)
        self.errors.extend(other.errors)
        self.failed_targets.extend(other.failed_targets)
        self.etas.extend(other.etas)

    def failure(self, dry_run: bool = False) -> CampaignProviderError | None:
        """The error to fail the task with: the one error when only one thing failed, else a summary naming every failure.

        The summary counts failed targets and failed campaigns, one sentence each; it is transient
        (Airflow may retry: stops are idempotent and resume) unless every error is permanent.
        """
        if not self.errors:
            return None
        if len(self.errors) == 1 and len(self.entries) <= 1 and not self.failed_targets:
            return self.errors[0]
        failed = [item for item in self.entries if item["outcome"] == FAILED]
        what = "could not be read" if dry_run else "not stopped"
        sentences = []
        if self.failed_targets:
            sentences.append(f"{len(self.failed_targets)} target(s) could not select their campaigns.")
            sentences += [
                _sentence(f"{target['target']} ({target['vendor']}, connection {target['conn_id']!r}): {target['error']}")
                for target in self.failed_targets
            ]
        if failed:
            names = ", ".join(f"{item['vendor']} {item['campaign_id']}" for item in failed[:20]) + (" ..." if len(failed) > 20 else "")
            sentences.append(f"{len(failed)} of {len(self.entries)} campaign(s) {what}: {names}.")
            first = next((str(error) for error in self.errors if error.campaign_id is not None), None)
            if first:
                sentences.append(_sentence(f"First error: {first}"))
        sentences.append(f"Everything else was {'read' if dry_run else 'attempted'}; see the task log and the result for each.")
        transient = any(not isinstance(error, PermanentError) for error in self.errors)
        return (TransientError if transient else PermanentError)(" ".join(sentences))


def _sentence(text: str) -> str:
    """``text`` ending in a full stop (error messages may or may not end in one)."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


class Progress:
    """Counts outcomes and logs one line at a steady rhythm (never per request)."""

    def __init__(self, hook: CampaignHook[Any], total: int, logger: Logger, verb: str) -> None:
        self._hook = hook
        self._total = total
        self._log = logger
        self._verb = verb
        self._counts = dict.fromkeys(OUTCOMES, 0)
        self._lock = threading.Lock()
        self._started = self._logged = hook.clock.monotonic()

    def count(self, item: CampaignEntry) -> None:
        """Account for one campaign; log a line if one is due."""
        with self._lock:
            self._counts[item["outcome"]] += 1
            now = self._hook.clock.monotonic()
            if now - self._logged < PROGRESS_EVERY:
                return
            self._logged = now
        self.log()

    def log(self) -> None:
        """One line: how many handled, by outcome, the rate, and how the vendor's rate limit is treating us."""
        with self._lock:
            counts = dict(self._counts)
        handled = sum(counts.values())
        elapsed = max(self._hook.clock.monotonic() - self._started, 1e-9)
        outcomes = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts.items() if n)
        line = f"{self._hook.vendor_name} ({self._hook.conn_id}): {self._verb} {handled} of {self._total} campaign(s)"
        line += f" ({outcomes or 'none yet'}), {handled / elapsed:.0f}/s"
        limit = self._hook.transport.limit if "transport" in self._hook._built else None
        if limit is not None and limit.throttled:
            line += f"; {limit.throttled} answer(s) were 429, {limit.limit} of {limit.maximum} requests in flight allowed now"
        self._log.info("%s.", line)


def budget_of(hook: CampaignHook[Any], deadline: float | StopBudget) -> StopBudget:
    """A batch's budget: as given, or a fixed monotonic ``deadline``."""
    return deadline if isinstance(deadline, StopBudget) else StopBudget.fixed(hook.clock, deadline)


def stop_campaigns(
    hook: CampaignHook[Any],
    refs: Sequence[Ref],
    deadline: float | StopBudget,
    fail_if_already_final: bool = False,
    journal: Journal | None = None,
    logger: Logger | None = None,
    order: str = LOUDEST_FIRST,
) -> Report:
    """Stop every campaign in ``refs``, the loudest first (:meth:`CampaignHook.loudest_first`) unless ``order`` is
    :data:`~airflow_provider_campaigns.engine.loudest_first.AS_GIVEN` (then in the order of ``refs``, no list read for
    the order); one entry each, in the order of ``refs``.

    ``deadline`` is monotonic, or a :class:`~airflow_provider_campaigns.engine.stop_budget.StopBudget` that
    gives up only when no campaign has been stopped for a while (or at its cap).
    """
    from airflow_provider_campaigns.engine.journal import Journal

    budget = budget_of(hook, deadline)
    logger = logger or logging.getLogger(__name__)
    group = Journal.group(hook.conn_type, hook.conn_id)
    planned, done = journal.earlier(group) if journal else (set(), {})
    resumed = {ref.label: stored_entry(done[ref.label]) for ref in refs if ref.label in done}
    todo = [ref for ref in refs if ref.label not in resumed]
    if order == LOUDEST_FIRST:
        todo = hook.loudest_first(todo, budget.deadline(), logger)
    if resumed:
        logger.info(
            "%s: %d campaign(s) were handled by an earlier try of this run; not sending their stops again.", hook.vendor_name, len(resumed)
        )
    if journal is not None:
        journal.plan(group, [ref.label for ref in todo])
    progress = Progress(hook, len(refs), logger, "handled")

    def one(ref: Ref) -> tuple[CampaignEntry, CampaignProviderError | None]:
        item, error = _stop_one(hook, ref, budget, fail_if_already_final, ref.label in planned)
        if item["outcome"] != FAILED:
            budget.progressed()
        if journal is not None:
            journal.record(group, item)
        progress.count(item)
        return item, error

    entries: dict[str, CampaignEntry] = dict(resumed)
    errors = []
    for ref, (item, error) in zip(todo, _each(hook, todo, one), strict=True):
        entries[ref.label] = item
        if error is not None:
            errors.append(error)
    if journal is not None:
        journal.flush(force=True)  # every outcome written before the task reports, defers or dies
    progress.log()
    return Report([entries[ref.label] for ref in refs], errors)


def read_campaigns(hook: CampaignHook[Any], refs: Sequence[Ref], deadline: float | StopBudget, logger: Logger | None = None) -> Report:
    """A dry run: report ``would_stop`` (not final) or ``already_final`` for every campaign; nothing is stopped.

    A campaign a list already showed with its status (the selection's listing, or the one list read that orders
    named campaigns slow at the pace) is not read again; the others are read one by one.
    """
    progress = Progress(hook, len(refs), logger or logging.getLogger(__name__), "read")
    budget = budget_of(hook, deadline)
    listed = hook.listed_statuses

    def one(ref: Ref) -> tuple[CampaignEntry, CampaignProviderError | None]:
        error = None
        try:
            status = listed.get(ref.label) or hook.status(ref, budget.deadline())
            budget.progressed()
            item = entry(hook.conn_type, hook.conn_id, ref, ref.label, ALREADY_FINAL if status.is_final else WOULD_STOP, status)
        except CampaignProviderError as failure:
            item, error = entry(hook.conn_type, hook.conn_id, ref, ref.label, FAILED, error=str(failure)), failure
        progress.count(item)
        return item, error

    pairs = _each(hook, refs, one)
    progress.log()
    return Report([item for item, _ in pairs], [error for _, error in pairs if error is not None])


def _each(hook: CampaignHook[Any], refs: Sequence[Ref], one: Any) -> list[Any]:
    """``one`` over every ref, :data:`THREADS_PER_SLOT` threads per request slot (the transport's gate holds the real limit).

    A campaign waiting out a ``Retry-After`` or a back-off sleeps in its thread but frees its request
    slot; the spare threads keep that slot busy with other campaigns meanwhile.
    """
    if len(refs) <= 1:
        return [one(ref) for ref in refs]
    threads = min(hook.pool_size * THREADS_PER_SLOT, len(refs))
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix=f"{hook.conn_type}-stop") as pool:
        return list(pool.map(one, refs))


def _stop_one(
    hook: CampaignHook[Any], ref: Ref, budget: StopBudget, fail_if_already_final: bool, tried_before: bool
) -> tuple[CampaignEntry, CampaignProviderError | None]:
    """One campaign's stop, reported truthfully: a stop an earlier try (or a lost answer) applied counts as ``stopped``.

    Transient trouble is retried until the budget's deadline; when other campaigns were stopped
    meanwhile the deadline has moved on, and so does this campaign's stop.
    """
    vendor, conn_id = hook.conn_type, hook.conn_id
    try:
        while True:
            deadline = budget.deadline()
            try:
                outcome = hook.stop(ref, fail_if_already_final and not tried_before, deadline)
                break
            except TransientError as error:
                tried_before = tried_before or error.after_lost_answer
                if not _deadline_moved_on(hook, budget, deadline):
                    return _after_giving_up(hook, ref, error, tried_before, budget)
    except CampaignProviderError as error:
        return entry(vendor, conn_id, ref, ref.label, FAILED, error=str(error)), error
    except Exception as error:  # noqa: BLE001 - one campaign's surprise must not lose the whole report
        message = f"{hook.vendor_name}: unexpected {type(error).__name__} stopping {ref.label}: {error}"
        return entry(vendor, conn_id, ref, ref.label, FAILED, error=message), TransientError(
            message, vendor=vendor, campaign_id=ref.label
        )
    result = outcome.outcome
    if result == ALREADY_FINAL and tried_before and outcome.status.state is CampaignState.STOPPED:
        result = STOPPED  # an earlier try of this run stopped it (it was on that try's plan)
    return entry(vendor, conn_id, ref, ref.label, result, outcome.status), None


def _deadline_moved_on(hook: CampaignHook[Any], budget: StopBudget, deadline: float) -> bool:
    """Whether a stop that gave up at ``deadline`` may go on: it ran into that deadline, and progress has moved it since.

    A stop that gave up early (``max_retries``, a ``Retry-After`` beyond ``retry_after_max``) does not go on.
    """
    near_its_deadline = hook.clock.monotonic() >= deadline - hook.settings.retry.retry_after_max
    return near_its_deadline and budget.deadline() > deadline and not budget.spent()


def _after_giving_up(
    hook: CampaignHook[Any], ref: Ref, error: TransientError, tried_before: bool, budget: StopBudget
) -> tuple[CampaignEntry, CampaignProviderError | None]:
    """The stop ran out of time: read the campaign once more, so a final campaign is never reported ``failed``.

    Under a cap (``stop_timeout``) the read ends within one request timeout of it.
    """
    vendor, conn_id = hook.conn_type, hook.conn_id
    until = hook.clock.monotonic() + FINAL_READ_TIME
    if budget.cap is not None:
        until = min(until, max(hook.clock.monotonic(), budget.cap) + sum(hook.settings.timeout))
    try:
        status = hook.status(ref, until)
    except CampaignProviderError:
        return entry(vendor, conn_id, ref, ref.label, FAILED, error=str(error)), error
    if not status.is_final:
        return entry(vendor, conn_id, ref, ref.label, FAILED, status, error=str(error)), error
    ours = status.state is CampaignState.STOPPED and (error.after_lost_answer or tried_before)
    return entry(vendor, conn_id, ref, ref.label, STOPPED if ours else ALREADY_FINAL, status), None


def each_part(parts: Sequence[Part], work: Callable[[Part], Any]) -> list[Any]:
    """``work`` on every part, concurrently when there are several (one thread per vendor connection)."""
    if len(parts) <= 1:
        return [work(part) for part in parts]
    with ThreadPoolExecutor(max_workers=len(parts), thread_name_prefix="campaigns-part") as pool:
        return list(pool.map(work, parts))


def _target_failed(part: Part, error: Exception, logger: Logger) -> Report:
    """The report of a target that could not select its campaigns: a failed target, logged, with its error."""
    hook = part.hook
    if not isinstance(error, CampaignProviderError):
        error = TransientError(f"{hook.vendor_name}: unexpected {type(error).__name__} selecting the campaigns of {part.target}: {error}")
    where = part.target or hook.vendor_name
    logger.error("%s (%s, connection %r): could not select the campaigns to stop: %s", where, hook.vendor_name, hook.conn_id, error)
    return Report([], [error], [failed_target(hook.conn_type, hook.conn_id, where, part.asked, str(error))])


def _plan(hook: CampaignHook[Any], refs: Sequence[Ref], deadline: float | StopBudget, logger: Logger, order: str) -> Report:
    """A dry run of one part: its campaigns read (a list read first when named ones are slow at the pace and stopped the
    loudest first), and its ETA.
    """
    from airflow_provider_campaigns.engine.eta import describe_part, part_eta, requests_sent

    if order == LOUDEST_FIRST:
        hook.learn_order(refs, budget_of(hook, deadline).deadline(), logger)
    listing = requests_sent(hook)  # what the stop repeats: the selection's list (or the order's), and a login
    report = read_campaigns(hook, refs, deadline, logger)
    eta = part_eta(hook, report.entries, listing)
    logger.info("Plan: %s.", describe_part(eta))
    report.etas.append(eta)
    return report


def stop_parts(
    parts: Sequence[Part],
    deadline: float | StopBudget,
    dry_run: bool,
    fail_if_already_final: bool,
    journal: Any,
    logger: Logger,
    order: str = LOUDEST_FIRST,
) -> Report:
    """Stop (or read, in a dry run) every part's campaigns in ``order``; listing errors are reported, never silently dropped."""

    def work(part: Part) -> Report:
        report = Report(list(part.known))
        report.extend(act(part))
        if part.order:
            position = {label: index for index, label in enumerate(part.order)}
            report.entries.sort(key=lambda item: position.get(item["campaign_id"], len(position)))
        listed_names = part.hook.listed_names
        for item in report.entries:  # a name the plan or the listing gave, where the stop answer carries none
            item["name"] = item["name"] or part.names.get(item["campaign_id"]) or listed_names.get(item["campaign_id"])
        return report

    def act(part: Part) -> Report:
        hook = part.hook
        try:
            refs = part.refs if part.refs is not None else hook.select(part.selection, budget_of(hook, deadline).deadline())
        except Exception as error:  # noqa: BLE001 - a target that fails is reported, never lost (and the others go on)
            return _target_failed(part, error, logger)
        part.acted = list(refs)
        if not refs:
            if not part.known:
                logger.info("%s (%s): nothing to %s.", hook.vendor_name, hook.conn_id, "read" if dry_run else "stop")
            return Report()
        if dry_run:
            return _plan(hook, refs, deadline, logger, order)
        return stop_campaigns(hook, refs, deadline, fail_if_already_final, journal, logger, order)

    report = Report()
    for part_report in each_part(parts, work):
        report.extend(part_report)
    return report
