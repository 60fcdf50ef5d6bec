"""What the sync and the async transport share: headers, answers, tokens, the concurrency limit and the pace.

A transport performs the actions of :mod:`.flow`; this base holds everything that does not depend
on the HTTP library, so the worker (``requests``) and the triggerer (``httpx``) cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_provider_campaigns.core.clock import SYSTEM_CLOCK, Clock
from airflow_provider_campaigns.core.flow import Authenticator, Budget, Send, TransportFailure
from airflow_provider_campaigns.core.limits import AdaptiveLimit
from airflow_provider_campaigns.core.pace import Pace, pace_for
from airflow_provider_campaigns.core.retry import parse_retry_after
from airflow_provider_campaigns.core.settings import TransportSettings
from airflow_provider_campaigns.core.tokens import TokenSlot
from airflow_provider_campaigns.core.wire import ApiRequest, Reply
from airflow_provider_campaigns.version import __version__

USER_AGENT = f"airflow-provider-campaigns/{__version__}"
DEFAULT_HEADERS = {"User-Agent": USER_AGENT, "Accept": "application/json"}


class TransportCore:
    """The I/O-free half of a transport.

    :param limit: the adaptive concurrency limit its requests share (``None``: unlimited).
    """

    def __init__(self, settings: TransportSettings, auth: Authenticator, clock: Clock = SYSTEM_CLOCK, limit: AdaptiveLimit | None = None):
        self.settings = settings
        self.auth = auth
        self.clock = clock
        self.limit = limit
        self._tokens = TokenSlot(clock)
        rate = settings.requests_per_second
        #: when each request may go: shared by every transport of the same credentials in this process
        self.pace: Pace = pace_for(settings.pace_scope, rate, clock) if settings.pace_scope else Pace(rate, clock)

    @property
    def token_refreshes(self) -> int:
        """How many tokens this transport obtained (logins or mints)."""
        return self._tokens.refreshes

    def budget(self, deadline: float | None = None) -> Budget:
        """The connection's retry policy on this transport's clock, ending at ``deadline`` (monotonic) if given."""
        return Budget(self.settings.retry, self.clock, deadline)

    def url(self, request: ApiRequest[Any]) -> str:
        """The absolute URL of a request (query parameters travel separately)."""
        return self.settings.base_url + request.path

    def headers(self, action: Send) -> dict[str, str]:
        """The request's own headers plus the credentials for its token."""
        request = action.request
        headers = {"Content-Type": "application/json"} if request.json is not None else {}
        headers.update(request.headers)
        if action.token is not None:
            headers.update(self.auth.headers(action.token))
        return headers

    def reply(self, request: ApiRequest[Any], status: int, headers: Mapping[str, str], content: bytes) -> Reply:
        """The received answer, with lower-case header names; its status steers the rate limit."""
        lowered = {key.lower(): value for key, value in headers.items()}
        retry_after = parse_retry_after(lowered.get("retry-after"))
        if self.limit is not None:
            self.limit.record(status == 429, retry_after)
        self.pace.record(status == 429, retry_after)
        return Reply(self.settings.vendor, request, status, lowered, content, self.settings.conn_id)

    def paced_out(self) -> TransportFailure:
        """The failure of an attempt the vendor's pace leaves no slot for before the call's deadline (nothing was sent)."""
        return TransportFailure("paced", f"no request slot before the deadline at the vendor's pace ({self.pace.describe()})", sent=False)

    def timeout_failure(self) -> TransportFailure:
        """The failure of an attempt that got no answer within the connect + read timeout."""
        return TransportFailure("timeout", f"no answer within the timeout {self.settings.timeout} s (connect, read)")
