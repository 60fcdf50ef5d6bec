"""The synchronous transport (``requests``): performs the actions of :mod:`.flow` for hooks."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_campaigns import __version__
from airflow_provider_campaigns.core.flow import Authenticator, Flow, NeedToken, Send, Sleep, TransportFailure, call
from airflow_provider_campaigns.core.settings import TransportSettings
from airflow_provider_campaigns.core.tokens import TokenSlot
from airflow_provider_campaigns.core.wire import ApiRequest, Reply

if TYPE_CHECKING:
    import requests

T = TypeVar("T")
USER_AGENT = f"airflow-provider-campaigns/{__version__}"


class SharedBackoff:
    """A pause every concurrent call honours: one 429 slows the whole batch, not one thread."""

    def __init__(self) -> None:
        self._until = 0.0
        self._lock = threading.Lock()

    def pause(self, seconds: float) -> None:
        """Ask every sender to wait ``seconds`` from now."""
        with self._lock:
            self._until = max(self._until, time.monotonic() + seconds)

    def wait(self) -> None:
        """Block until the shared pause (if any) is over."""
        while (remaining := self._until - time.monotonic()) > 0:
            time.sleep(remaining)


class SyncTransport:
    """Runs flows over one pooled, thread-safe ``requests.Session``.

    :param pool_size: connections kept open to the vendor (match the batch concurrency).
    """

    def __init__(self, settings: TransportSettings, auth: Authenticator, pool_size: int = 10) -> None:
        import requests
        from requests.adapters import HTTPAdapter

        self.settings = settings
        self.auth = auth
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(1, pool_size), max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.verify = settings.verify
        self.session.trust_env = False
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        self._tokens = TokenSlot()
        self._token_lock = threading.Lock()
        self.backoff = SharedBackoff()

    @property
    def token_refreshes(self) -> int:
        """How many tokens this transport obtained (logins or mints)."""
        return self._tokens.refreshes

    def request(self, request: ApiRequest[T]) -> T:
        """Send one request with retries and return its interpreted answer."""
        return self.run(call(request, self.settings.vendor, self.settings.retry, self.auth.refreshable))

    def run(self, flow: Flow[T]) -> T:
        """Drive a flow to its result, performing each action it yields."""
        outcome: Any = None
        while True:
            try:
                action = flow.send(outcome)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            if isinstance(action, Send):
                outcome = self._send(action)
            elif isinstance(action, NeedToken):
                outcome = self._token(action.stale)
            elif isinstance(action, Sleep):
                if action.shared:
                    self.backoff.pause(action.seconds)
                time.sleep(action.seconds)
                outcome = None

    def close(self) -> None:
        """Close pooled connections."""
        self.session.close()

    def _token(self, stale: str | None) -> str:
        with self._token_lock:
            if self._tokens.needs_refresh(stale):
                return self._tokens.store(self.run(self.auth.token_flow()))
            assert self._tokens.token is not None
            return self._tokens.token.value

    def _send(self, action: Send) -> Reply | TransportFailure:
        import requests

        request = action.request
        headers = {"Content-Type": "application/json"} if request.json is not None else {}
        headers.update(request.headers)
        if action.token is not None:
            headers.update(self.auth.headers(action.token))
        self.backoff.wait()
        limit = sum(self.settings.timeout)
        try:
            response = self.session.request(
                request.method,
                self.settings.base_url + request.path,
                params=dict(request.params) or None,
                json=request.json,
                headers=headers,
                timeout=self.settings.timeout,
                allow_redirects=False,
                stream=True,
            )
            content = _read_within(response, time.monotonic() + limit)
            if content is None:
                return TransportFailure("timeout", f"the answer took longer than {limit:g} s (connect + read timeout) to arrive")
        except requests.exceptions.SSLError as error:
            detail = f"TLS verification failed ({type(error).__name__}); check the host and extra 'ca_bundle'"
            return TransportFailure("tls", detail, retryable=False)
        except requests.exceptions.Timeout:
            return TransportFailure("timeout", f"no answer within the timeout {self.settings.timeout} s (connect, read)")
        except requests.exceptions.ConnectionError as error:
            return TransportFailure("connection", f"connection failed ({_reason(error)})")
        except requests.exceptions.RequestException as error:
            return TransportFailure("transport", f"request failed ({type(error).__name__})")
        return Reply(
            vendor=self.settings.vendor,
            request=request,
            status=response.status_code,
            headers={key.lower(): value for key, value in response.headers.items()},
            content=content,
        )


def _read_within(response: requests.Response, deadline: float) -> bytes | None:
    """The whole body, or ``None`` if it is still arriving at ``deadline``.

    The read timeout bounds each chunk, not the answer: a slow drip would otherwise never end.
    """
    chunks = []
    try:
        while chunk := response.raw.read1(65536, decode_content=True):
            chunks.append(chunk)
            if time.monotonic() > deadline:
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
