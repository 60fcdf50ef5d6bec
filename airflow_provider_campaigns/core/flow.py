"""Vendor calls as sans-I/O generators, so the sync hook and the async trigger share one logic.

A *flow* yields actions (:class:`Send`, :class:`Sleep`, :class:`NeedToken`) and receives their
outcomes; a transport performs them. :func:`call` is the single place where retries, back-off,
``Retry-After``, one fresh token on a 401 and answer interpretation happen.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, Union

from airflow_provider_campaigns.core.clock import SYSTEM_CLOCK, Clock
from airflow_provider_campaigns.core.retry import RETRYABLE_STATUSES, RetryPolicy, parse_retry_after
from airflow_provider_campaigns.core.wire import ApiRequest, Reply
from airflow_provider_campaigns.exceptions import PermanentError, ResponseFormatError, StopRejectedError, TransientError

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Token:
    """A bearer credential and, when known, the wall-clock time it expires."""

    value: str
    expires_at: float | None = None

    def usable(self, now: float, margin: float = 30.0) -> bool:
        """Whether the token is still good for at least ``margin`` seconds."""
        return self.expires_at is None or now < self.expires_at - margin


@dataclass(frozen=True)
class TransportFailure:
    """A request that got no HTTP answer (timeout, refused or dropped connection, TLS failure)."""

    kind: str
    detail: str
    retryable: bool = True
    #: whether the request went out (a request the vendor's pace held back past the deadline did not)
    sent: bool = True


@dataclass(frozen=True)
class Send:
    """Send ``request`` with ``token`` (when authenticated); outcome: :class:`Reply` or :class:`TransportFailure`.

    ``deadline`` (monotonic): the call's; a request the vendor's pace would send only after it is not sent.
    """

    request: ApiRequest[Any]
    token: str | None
    deadline: float | None = None


@dataclass(frozen=True)
class Sleep:
    """Wait ``seconds`` (before a retry, or between status polls); the sender's concurrency slot is free meanwhile."""

    seconds: float


@dataclass(frozen=True)
class NeedToken:
    """Ask for the current token; ``stale`` is a token the vendor just refused (refresh unless done)."""

    stale: str | None = None


@dataclass(frozen=True)
class Budget:
    """How long calls may keep retrying: the retry policy, the clock, and an optional shared deadline.

    :param deadline: a :meth:`Clock.monotonic` time every call of this budget ends by (a batch's
        stop deadline); ``None``: each call gets ``policy.total_timeout`` from its start.
    """

    policy: RetryPolicy
    clock: Clock = SYSTEM_CLOCK
    deadline: float | None = None

    def deadline_for_call(self) -> float:
        """The deadline of a call starting now."""
        return self.clock.monotonic() + self.policy.total_timeout if self.deadline is None else self.deadline

    def until(self, deadline: float) -> Budget:
        """The same budget ending at ``deadline`` (monotonic)."""
        return Budget(self.policy, self.clock, deadline)


class ResendHeld(TransientError):
    """A request answered with one of its ``confirm_statuses``: not re-sent until the caller checked the state.

    BSG documents its 429 as "Too many duplicate request detected": re-sending the identical stop may keep
    meeting it, and the first one may well have been applied. :attr:`retry_after` is the vendor's
    ``Retry-After`` (seconds) when it sent one.
    """

    retry_after: float | None = None


Action = Union[Send, Sleep, NeedToken]
Outcome = Union[Reply, TransportFailure, str, None]
Flow = Generator[Action, Any, T]


class Authenticator(Protocol):
    """How a vendor authenticates: obtaining a token and presenting it."""

    vendor: str
    #: whether a 401 is worth one fresh token and one retry
    refreshable: bool

    def token_flow(self, budget: Budget) -> Flow[Token]:
        """Obtain a fresh token (may send a login request within ``budget``, may mint one locally)."""
        ...

    def headers(self, token: str) -> dict[str, str]:
        """The headers that carry ``token`` on a request."""
        ...


def call(request: ApiRequest[T], vendor: str, budget: Budget, refreshable: bool = False) -> Flow[T]:
    """Send one request and return its interpreted answer, retrying transient trouble within ``budget``.

    Connection errors, timeouts, 429 and 5xx are retried with back-off (``Retry-After`` honoured)
    until the budget's deadline; a 401 gets one fresh token and one retry (``refreshable``);
    everything else is interpreted by the request.
    """
    policy, clock = budget.policy, budget.clock
    deadline = budget.deadline_for_call()
    retries = 0
    refreshed = False
    # an earlier attempt may have been applied although its answer was lost (no answer, or a 5xx)
    maybe_applied = False
    token: str | None = (yield NeedToken()) if request.authenticated else None
    while True:
        outcome = yield Send(request, token, deadline)
        retry_after: float | None = None
        if isinstance(outcome, TransportFailure):
            if not outcome.retryable:
                raise PermanentError(_failure_text(vendor, request, outcome.detail), vendor=vendor, campaign_id=request.campaign_id)
            reason = outcome.detail
        elif outcome.status == 401 and request.authenticated and refreshable and not refreshed:
            refreshed = True
            log.info("%s refused the token on %s; obtaining a fresh one and retrying once.", vendor, request.describe())
            token = yield NeedToken(stale=token)
            continue
        elif outcome.status in request.confirm_statuses:
            held = ResendHeld(
                _failure_text(
                    vendor, request, f"HTTP {outcome.status}, the vendor's duplicate-request answer; not re-sent before a status read"
                ),
                vendor=vendor,
                campaign_id=request.campaign_id,
                http_status=outcome.status,
            )
            held.retry_after = parse_retry_after(outcome.headers.get("retry-after"))
            held.after_lost_answer = maybe_applied
            raise held
        elif outcome.status in RETRYABLE_STATUSES:
            reason = f"HTTP {outcome.status}"
            retry_after = parse_retry_after(outcome.headers.get("retry-after"))
        else:
            try:
                return request.interpret(outcome)
            except StopRejectedError as refused:
                refused.after_lost_answer = maybe_applied
                raise
            except ResponseFormatError as error:
                if outcome.ok and not request.retry_unreadable:
                    raise
                reason = str(error)
        maybe_applied = maybe_applied or (outcome.sent if isinstance(outcome, TransportFailure) else outcome.status != 429)
        delay, why_not = policy.next_delay(retries, retry_after, deadline - clock.monotonic())
        if delay is None:
            gave_up = TransientError(
                _failure_text(vendor, request, f"{reason}; {why_not}") + " The vendor may be degraded: retry the task later.",
                vendor=vendor,
                campaign_id=request.campaign_id,
                http_status=None if isinstance(outcome, TransportFailure) else outcome.status,
            )
            gave_up.after_lost_answer = maybe_applied
            raise gave_up
        retries += 1
        log.debug("%s %s: %s; retry %d in %.2f s.", vendor, request.describe(), reason, retries, delay)
        yield Sleep(delay)


def _failure_text(vendor: str, request: ApiRequest[Any], detail: str) -> str:
    target = f" of campaign {request.campaign_id}" if request.campaign_id is not None else ""
    return f"{vendor} {request.action}{target} failed ({request.describe()}): {detail}."


# The one driver loop of every sans-I/O flow (request flows and the wait): what performs an action differs
# (a session or an httpx client, a sleep or an asyncio sleep, a status read), the loop does not.
A = TypeVar("A")


def step(flow: Generator[A, Any, T], outcome: Any) -> tuple[bool, Any]:
    """Answer the flow's last action with ``outcome``: ``(True, result)`` once it returns, else ``(False, next action)``."""
    try:
        return False, flow.send(outcome)
    except StopIteration as done:
        return True, done.value


def drive(flow: Generator[A, Any, T], perform: Callable[[A], Any]) -> T:
    """Run ``flow`` to its result, answering each action it yields with ``perform(action)``."""
    finished, value = step(flow, None)
    while not finished:
        finished, value = step(flow, perform(value))
    result: T = value
    return result


async def drive_async(flow: Generator[A, Any, T], perform: Callable[[A], Awaitable[Any]]) -> T:
    """:func:`drive` in an event loop: ``perform`` is awaited."""
    finished, value = step(flow, None)
    while not finished:
        finished, value = step(flow, await perform(value))
    result: T = value
    return result
