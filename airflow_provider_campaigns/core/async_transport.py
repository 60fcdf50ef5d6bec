"""The asynchronous transport (``httpx``): performs the actions of :mod:`.flow` inside triggers.

It shares the flows, retry policy and error classification with :mod:`.sync_transport`; only the
I/O differs. Nothing here blocks the event loop.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import ssl
import weakref
from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_campaigns.core.flow import Authenticator, Flow, NeedToken, Send, Sleep, TransportFailure, call
from airflow_provider_campaigns.core.settings import TransportSettings
from airflow_provider_campaigns.core.sync_transport import USER_AGENT
from airflow_provider_campaigns.core.tokens import TokenSlot
from airflow_provider_campaigns.core.wire import ApiRequest, Reply

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")


#: Tokens shared by the transports of one event loop (the triggerer's), per credential scope:
#: a thousand waits on one connection log in once. In memory only, never serialized.
_SHARED_TOKENS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, tuple[TokenSlot, asyncio.Lock]]] = (
    weakref.WeakKeyDictionary()
)


def credential_scope(*parts: object) -> str:
    """An opaque key for "the same credentials at the same place" (a digest: the secret is not kept)."""
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()


class AsyncTransport:
    """Runs flows over one ``httpx.AsyncClient``; use as ``async with AsyncTransport(...)``.

    :param token_scope: share the token with every transport of the same scope in this event loop
        (see :func:`credential_scope`); ``None`` keeps a private token.
    """

    def __init__(self, settings: TransportSettings, auth: Authenticator, token_scope: str | None = None) -> None:
        self.settings = settings
        self.auth = auth
        self._client: httpx.AsyncClient | None = None
        self._token_scope = token_scope
        self._tokens = TokenSlot()
        self._token_lock: asyncio.Lock | None = None

    async def __aenter__(self) -> AsyncTransport:
        import httpx

        connect, read = self.settings.timeout
        self._client = httpx.AsyncClient(
            verify=_ssl_context(self.settings.verify),
            timeout=httpx.Timeout(read, connect=connect),
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def request(self, request: ApiRequest[T]) -> T:
        """Send one request with retries and return its interpreted answer."""
        return await self.run(call(request, self.settings.vendor, self.settings.retry, self.auth.refreshable))

    async def run(self, flow: Flow[T]) -> T:
        """Drive a flow to its result, performing each action it yields."""
        outcome: Any = None
        while True:
            try:
                action = flow.send(outcome)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            if isinstance(action, Send):
                outcome = await self._send(action)
            elif isinstance(action, NeedToken):
                outcome = await self._token(action.stale)
            elif isinstance(action, Sleep):
                await asyncio.sleep(action.seconds)
                outcome = None

    async def _token(self, stale: str | None) -> str:
        if self._token_lock is None:
            if self._token_scope is None:
                self._token_lock = asyncio.Lock()
            else:
                shared = _SHARED_TOKENS.setdefault(asyncio.get_running_loop(), {})
                self._tokens, self._token_lock = shared.setdefault(self._token_scope, (TokenSlot(), asyncio.Lock()))
        async with self._token_lock:
            if self._tokens.needs_refresh(stale):
                return self._tokens.store(await self.run(self.auth.token_flow()))
            assert self._tokens.token is not None
            return self._tokens.token.value

    async def _send(self, action: Send) -> Reply | TransportFailure:
        import httpx

        if self._client is None:
            raise RuntimeError("AsyncTransport must be used as an async context manager")
        request = action.request
        headers = {"Content-Type": "application/json"} if request.json is not None else {}
        headers.update(request.headers)
        if action.token is not None:
            headers.update(self.auth.headers(action.token))
        limit = sum(self.settings.timeout)
        try:
            response = await asyncio.wait_for(
                self._client.request(
                    request.method,
                    self.settings.base_url + request.path,
                    params=dict(request.params) or None,
                    json=request.json,
                    headers=headers,
                ),
                timeout=limit,
            )
            content = response.content
        except (TimeoutError, httpx.TimeoutException):
            return TransportFailure("timeout", f"no answer within the timeout {self.settings.timeout} s (connect, read)")
        except httpx.TransportError as error:
            if _caused_by_tls(error):
                return TransportFailure("tls", "TLS verification failed; check the host and extra 'ca_bundle'", retryable=False)
            return TransportFailure("connection", f"connection failed ({type(error).__name__})")
        except httpx.HTTPError as error:  # e.g. an undecodable body: as in the sync transport, retried then classified
            return TransportFailure("transport", f"request failed ({type(error).__name__})")
        return Reply(
            vendor=self.settings.vendor,
            request=request,
            status=response.status_code,
            headers={key.lower(): value for key, value in response.headers.items()},
            content=content,
        )


@functools.lru_cache(maxsize=8)
def _ssl_context(verify: bool | str) -> ssl.SSLContext:
    """One verifying SSL context per CA source, shared by every trigger of the process (built once, off the hot path)."""
    import certifi

    return ssl.create_default_context(cafile=verify if isinstance(verify, str) else certifi.where())


def _caused_by_tls(error: BaseException) -> bool:
    """Whether a TLS failure is anywhere in the chain (httpx wraps httpcore, which wraps ``ssl``)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
