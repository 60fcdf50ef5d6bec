"""The synchronous transport (``requests``): performs the actions of :mod:`.flow` for hooks."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_campaigns.core.clock import SYSTEM_CLOCK, Clock
from airflow_provider_campaigns.core.flow import Authenticator, Flow, NeedToken, Send, Sleep, TransportFailure, call, drive
from airflow_provider_campaigns.core.limits import AdaptiveLimit, SyncGate
from airflow_provider_campaigns.core.settings import TransportSettings
from airflow_provider_campaigns.core.transport import DEFAULT_HEADERS, TransportCore
from airflow_provider_campaigns.core.wire import ApiRequest, Reply

if TYPE_CHECKING:
    import requests

T = TypeVar("T")


class SyncTransport(TransportCore):
    """Runs flows over one pooled, thread-safe ``requests.Session``.

    :param pool_size: connections kept open to the vendor; also the most requests in flight at once,
        lowered adaptively while the vendor answers 429s.
    """

    def __init__(self, settings: TransportSettings, auth: Authenticator, pool_size: int = 10, clock: Clock = SYSTEM_CLOCK) -> None:
        import requests
        from requests.adapters import HTTPAdapter

        super().__init__(settings, auth, clock, AdaptiveLimit(pool_size, clock=clock))
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(1, pool_size), max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.verify = settings.verify
        self.session.trust_env = False
        self.session.headers.update(DEFAULT_HEADERS)
        self._token_lock = threading.Lock()
        self._count_lock = threading.Lock()
        #: requests sent (attempts that reached the wire or failed on it) and the seconds they took, in all
        self.requests_sent = 0
        self.request_seconds = 0.0
        assert self.limit is not None
        self._gate = SyncGate(self.limit)

    def request(self, request: ApiRequest[T], deadline: float | None = None) -> T:
        """Send one request with retries (until ``deadline``, monotonic, if given) and return its interpreted answer."""
        return self.run(call(request, self.settings.vendor, self.budget(deadline), self.auth.refreshable))

    def run(self, flow: Flow[T]) -> T:
        """Drive a flow to its result, performing each action it yields."""
        return drive(flow, self.perform)

    def perform(self, action: Any) -> Any:
        """One action of a flow: a paced, gated send; a token; a sleep."""
        if isinstance(action, Send):
            if not self.pace.wait_sync(action.deadline):
                return self.paced_out()
            with self._gate.slot():
                started = self.clock.monotonic()
                outcome = self._send(action)
                self._count(self.clock.monotonic() - started)
            return outcome
        if isinstance(action, NeedToken):
            return self._token(action.stale)
        if isinstance(action, Sleep):
            self.clock.sleep(action.seconds)
        return None

    def _count(self, seconds: float) -> None:
        with self._count_lock:
            self.requests_sent += 1
            self.request_seconds += seconds

    def close(self) -> None:
        """Close pooled connections."""
        self.session.close()

    def _token(self, stale: str | None) -> str:
        with self._token_lock:
            if self._tokens.needs_refresh(stale):
                return self._tokens.store(self.run(self.auth.token_flow(self.budget())))
            assert self._tokens.token is not None
            return self._tokens.token.value

    def _send(self, action: Send) -> Reply | TransportFailure:
        import requests

        request = action.request
        limit = sum(self.settings.timeout)
        try:
            response = self.session.send(self._prepared(action), timeout=self.settings.timeout, allow_redirects=False, stream=True)
            content = _read_within(response, self.clock.monotonic() + limit, self.clock)
            if content is None:
                return TransportFailure("timeout", f"the answer took longer than {limit:g} s (connect + read timeout) to arrive")
        except requests.exceptions.SSLError as error:
            detail = f"TLS verification failed ({type(error).__name__}); check the host and extra 'ca_bundle'"
            return TransportFailure("tls", detail, retryable=False)
        except requests.exceptions.Timeout:
            return self.timeout_failure()
        except requests.exceptions.ConnectionError as error:
            return TransportFailure("connection", f"connection failed ({_reason(error)})")
        except requests.exceptions.RequestException as error:
            return TransportFailure("transport", f"request failed ({type(error).__name__})")
        return self.reply(request, response.status_code, response.headers, content)

    def _prepared(self, action: Send) -> requests.PreparedRequest:
        """The request ready for the wire: what ``Session.request`` would build from this session (its headers,
        cookies and verification; no proxies or netrc, ``trust_env`` is off), without merging settings per request.

        Merging costs ~0.2 ms of CPU a request with ``requests`` 2.34 on Python 3.11 (each merge checks runtime
        protocols), about a sixth of a stop's client CPU.
        """
        import requests

        request = action.request
        prepared = requests.PreparedRequest()
        prepared.prepare(
            method=request.method,
            url=self.url(request),
            headers={**self.session.headers, **self.headers(action)},
            params=dict(request.params) or None,
            json=request.json,
            cookies=self.session.cookies,
        )
        return prepared


def _read_within(response: requests.Response, deadline: float, clock: Clock) -> bytes | None:
    """The whole body, or ``None`` if it is still arriving at ``deadline``.

    The read timeout bounds each chunk, not the answer: a slow drip would otherwise never end.
    """
    chunks = []
    try:
        while chunk := response.raw.read1(65536, decode_content=True):
            chunks.append(chunk)
            if clock.monotonic() > deadline:
                return None
        return b"".join(chunks)
    finally:
        response.close()


def _reason(error: BaseException) -> str:
    """The innermost cause's class name: informative, and never carries a URL or header."""
    inner = error
    for _ in range(10):
        reason = getattr(inner, "reason", None)
        nested = inner.__cause__ or (reason if isinstance(reason, BaseException) else None)
        if nested is None and inner.args and isinstance(inner.args[0], BaseException):
            nested = inner.args[0]
        if nested is None:
            break
        inner = nested
    return type(inner).__name__
