"""Vendor calls as sans-I/O generators, so the sync hook and the async trigger share one logic.

A *flow* yields actions (:class:`Send`, :class:`Sleep`, :class:`NeedToken`) and receives their
outcomes; a transport performs them. :func:`call` is the single place where retries, back-off,
``Retry-After``, one fresh token on a 401 and answer interpretation happen.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, Union

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


@dataclass(frozen=True)
class Send:
    """Send ``request`` with ``token`` (when authenticated); outcome: :class:`Reply` or :class:`TransportFailure`."""

    request: ApiRequest[Any]
    token: str | None


@dataclass(frozen=True)
class Sleep:
    """Wait before retrying; ``shared`` asks every concurrent call of the transport to wait too (429)."""

    seconds: float
    shared: bool = False


@dataclass(frozen=True)
class NeedToken:
    """Ask for the current token; ``stale`` is a token the vendor just refused (refresh unless done)."""

    stale: str | None = None


Action = Union[Send, Sleep, NeedToken]
Outcome = Union[Reply, TransportFailure, str, None]
Flow = Generator[Action, Any, T]


class Authenticator(Protocol):
    """How a vendor authenticates: obtaining a token and presenting it."""

    vendor: str
    #: whether a 401 is worth one fresh token and one retry
    refreshable: bool

    def token_flow(self) -> Flow[Token]:
        """Obtain a fresh token (may send a login request, may mint one locally)."""
        ...

    def headers(self, token: str) -> dict[str, str]:
        """The headers that carry ``token`` on a request."""
        ...


def call(request: ApiRequest[T], vendor: str, policy: RetryPolicy, refreshable: bool) -> Flow[T]:
    """Send one request with the shared retry policy and return its interpreted answer."""
    started = time.monotonic()
    retries = 0
    refreshed = False
    # an earlier attempt may have been applied although its answer was lost (no answer, or a 5xx)
    maybe_applied = False
    token: str | None = (yield NeedToken()) if request.authenticated else None
    while True:
        outcome = yield Send(request, token)
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
        delay, why_not = policy.next_delay(retries, retry_after, policy.total_timeout - (time.monotonic() - started))
        if delay is None:
            raise TransientError(
                _failure_text(vendor, request, f"{reason}; {why_not}") + " The vendor may be degraded: retry the task later.",
                vendor=vendor,
                campaign_id=request.campaign_id,
                http_status=None if isinstance(outcome, TransportFailure) else outcome.status,
            )
        retries += 1
        maybe_applied = maybe_applied or isinstance(outcome, TransportFailure) or outcome.status != 429
        log.warning("%s %s: %s; retry %d/%d in %.2f s.", vendor, request.describe(), reason, retries, policy.max_retries, delay)
        yield Sleep(delay, shared=isinstance(outcome, Reply) and outcome.status == 429)


def _failure_text(vendor: str, request: ApiRequest[Any], detail: str) -> str:
    target = f" of campaign {request.campaign_id}" if request.campaign_id is not None else ""
    return f"{vendor} {request.action}{target} failed ({request.describe()}): {detail}."
