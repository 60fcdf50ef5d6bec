"""The one wait: read every status, judge, sleep, until all are final or the deadline passes.

:func:`wait_flow` is sans-I/O, like the request flows: it yields :class:`ReadStatuses` (answered
with the statuses, or with the transient error the reads ended in) and
:class:`~airflow_provider_campaigns.core.flow.Sleep`, and returns a :class:`WaitOutcome`. The
worker's poll (:func:`run_wait`), a sensor's poke and the check before deferring
(:func:`first_check`) and the trigger (its own async driver) all drive this same flow.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from airflow_provider_campaigns.core.clock import Clock
from airflow_provider_campaigns.core.flow import Sleep, drive
from airflow_provider_campaigns.core.logs import Logger
from airflow_provider_campaigns.exceptions import CampaignProviderError, InvalidInputError, PermanentError, TransientError
from airflow_provider_campaigns.status import CampaignState, CampaignStatus, parse_states

log = logging.getLogger(__name__)

#: progress is logged at most this often (and on the first round), whatever the poll interval
PROGRESS_EVERY = 60.0


@dataclass(frozen=True)
class ReadStatuses:
    """Read every watched campaign's status; answer with the list, or with the :class:`TransientError` the reads ended in."""


@dataclass(frozen=True)
class WaitOutcome:
    """How a wait ended: ``success``, ``failure`` (a campaign ended in a state not accepted) or ``timeout``."""

    status: Literal["success", "failure", "timeout"]
    message: str
    statuses: list[CampaignStatus] = field(default_factory=list)


WaitFlow = Generator["ReadStatuses | Sleep", Any, WaitOutcome]


def wait_flow(
    what: str,
    targets: frozenset[CampaignState],
    poll_interval: float,
    deadline: float,
    clock: Clock,
    logger: Logger = log,
) -> WaitFlow:
    """Wait until every campaign is final (or in a target state), or ``deadline`` (wall clock) passes.

    ``what`` names the campaigns in progress lines ("BSG: 3 campaigns"); progress ("2 of 5 final,
    waiting on ...") is logged on the first round and then at most every :data:`PROGRESS_EVERY`.
    """
    last = "no status read yet"
    seen: str | None = None  # the last round's verdict
    logged_at: float | None = None
    statuses: list[CampaignStatus] = []
    while True:
        answer = yield ReadStatuses()
        if isinstance(answer, CampaignProviderError):
            last = str(answer) if seen is None else f"{seen}; the read after it: {answer}"
            logger.warning("%s: status read failed; reading again in %g s: %s", what, poll_interval, answer)
        else:
            statuses = list(answer)
            verdict = judge(statuses, targets)
            if verdict.done:
                return WaitOutcome("success" if verdict.accepted else "failure", verdict.message, statuses)
            last = seen = verdict.message
            now = clock.monotonic()
            if logged_at is None or now - logged_at >= PROGRESS_EVERY:
                logged_at = now
                left = max(0.0, deadline - clock.time())
                logger.info("%s: %s (next read in %g s, %.0f s left before the timeout).", what, verdict.message, poll_interval, left)
        remaining = deadline - clock.time()
        if remaining <= 0:
            return WaitOutcome("timeout", f"{what}: not final by the deadline (timeout); last seen: {last}", statuses)
        yield Sleep(min(poll_interval, remaining))


def _answer(read: Callable[[], Sequence[CampaignStatus]]) -> Sequence[CampaignStatus] | TransientError:
    try:
        return read()
    except PermanentError:
        raise
    except TransientError as error:
        return error


def run_wait(flow: WaitFlow, read: Callable[[], Sequence[CampaignStatus]], clock: Clock) -> WaitOutcome:
    """Drive a wait in the worker: read with ``read``, sleep on ``clock``."""

    def perform(action: ReadStatuses | Sleep) -> Any:
        if isinstance(action, ReadStatuses):
            return _answer(read)
        clock.sleep(action.seconds)
        return None

    return drive(flow, perform)


def first_check(flow: WaitFlow, read: Callable[[], Sequence[CampaignStatus]]) -> tuple[WaitOutcome | None, list[CampaignStatus]]:
    """One round of a wait (a poke, or the check before deferring): the outcome if it is over, and what was read."""
    action = flow.send(None)
    assert isinstance(action, ReadStatuses)
    answer = _answer(read)
    try:
        flow.send(answer)
    except StopIteration as done:
        outcome: WaitOutcome = done.value
        return outcome, outcome.statuses
    finally:
        flow.close()
    return None, list(answer) if not isinstance(answer, TransientError) else []


DEFAULT_TARGET_STATES = (CampaignState.STOPPED, CampaignState.COMPLETED)


@dataclass(frozen=True)
class Verdict:
    """Whether waiting is over (``done``) and, if so, whether it ended well (``accepted``)."""

    done: bool
    accepted: bool
    message: str


def target_states(values: Iterable[str | CampaignState] | None) -> frozenset[CampaignState]:
    """Validated target states (default: stopped and completed)."""
    states = parse_states(values if values is not None else DEFAULT_TARGET_STATES, "target_states")
    if not states:
        raise InvalidInputError("target_states must name at least one state.")
    return states


def judge(statuses: Sequence[CampaignStatus], targets: frozenset[CampaignState]) -> Verdict:
    """Done when every campaign is in a target state or final; accepted when all are in a target state."""
    pending = [s for s in statuses if s.state not in targets and not s.is_final]
    if pending:
        sample = ", ".join(f"{s.vendor} {s.campaign_id} ({s.vendor_status})" for s in pending[:5])
        return Verdict(
            False,
            False,
            f"{len(statuses) - len(pending)} of {len(statuses)} final, waiting on {sample}{' ...' if len(pending) > 5 else ''}",
        )
    rejected = [s for s in statuses if s.state not in targets]
    if rejected:
        sample = ", ".join(f"{s.vendor} {s.campaign_id} is {s.vendor_status!r} ({s.state.value})" for s in rejected[:10])
        wanted = ", ".join(sorted(t.value for t in targets))
        return Verdict(
            True,
            False,
            f"{len(rejected)} campaign(s) ended in a state not accepted ({wanted}): {sample}. "
            "Check them in the vendor's console, or widen target_states.",
        )
    return Verdict(True, True, f"all {len(statuses)} campaign(s) final: {', '.join(sorted({s.state.value for s in statuses}))}")
