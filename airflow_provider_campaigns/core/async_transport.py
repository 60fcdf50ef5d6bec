"""The asynchronous transport (``httpx``): performs the actions of :mod:`.flow` inside triggers.

It shares the flows, retry policy, rate limit and error classification with
:mod:`.sync_transport` (through :class:`~.transport.TransportCore`); only the I/O differs.
Nothing here blocks the event loop.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import ssl
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_campaigns.core.clock import SYSTEM_CLOCK, Clock
from airflow_provider_campaigns.core.flow import Authenticator, Flow, NeedToken, Send, Sleep, TransportFailure, call, drive_async
from airflow_provider_campaigns.core.limits import AdaptiveLimit, AsyncGate
from airflow_provider_campaigns.core.settings import TransportSettings
from airflow_provider_campaigns.core.tokens import TokenSlot
from airflow_provider_campaigns.core.transport import DEFAULT_HEADERS, TransportCore
from airflow_provider_campaigns.core.wire import ApiRequest, Reply

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")

#: requests in flight at once per credential scope in one event loop, lowered (halved per storm of 429s)
#: only while the vendor throttles: the triggerer's waits are reads polled in rounds, and a round of
#: 1,000 waits queued behind a few hundred slots takes 3-4 times as long (benchmarks/waiting.py)
MAX_IN_FLIGHT = 1024
#: requests one transport (one ``httpx`` client) sends at once, and the connections its pool keeps; more wait
#: here, first come first served. httpcore's pool rescans every queued request on each answer (thousands
#: queued there cost minutes of CPU a round, the event loop blocked meanwhile) and every connection twice
#: over (a request costs 1.8 ms of CPU with 8 connections busy, 3.3 ms with 16, 4 ms with 32: measured against
#: the simulator, 2026-12-07). 8 at a vendor's ~0.2 s latency still read 40 statuses a second.
CONNECTIONS = 8


@dataclass
class _Scope:
    """What the transports of one credential scope share in one event loop."""

    tokens: TokenSlot = field(default_factory=TokenSlot)
    token_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    limit: AdaptiveLimit = field(default_factory=lambda: AdaptiveLimit(MAX_IN_FLIGHT))
    gate: AsyncGate | None = None


#: Per event loop (the triggerer's), per credential scope: a thousand waits on one connection log in
#: once and back off together. In memory only, never serialized.
_SCOPES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, _Scope]] = weakref.WeakKeyDictionary()


def credential_scope(*parts: object) -> str:
    """An opaque key for "the same credentials at the same place" (a digest: the secret is not kept)."""
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()


class AsyncTransport(TransportCore):
    """Runs flows over one ``httpx.AsyncClient``; use as ``async with AsyncTransport(...)``.

    :param token_scope: share the token and the rate limit with every transport of the same scope
        in this event loop (see :func:`credential_scope`); ``None`` keeps private ones.
    """

    def __init__(self, settings: TransportSettings, auth: Authenticator, token_scope: str | None = None, clock: Clock = SYSTEM_CLOCK):
        super().__init__(settings, auth, clock)
        self._client: httpx.AsyncClient | None = None
        self._scope_key = token_scope
        self._scope: _Scope | None = None
        self._connections = asyncio.Semaphore(CONNECTIONS)

    async def __aenter__(self) -> AsyncTransport:
        import httpx

        connect, read = self.settings.timeout
        self._client = httpx.AsyncClient(
            verify=_ssl_context(self.settings.verify),
            timeout=httpx.Timeout(read, connect=connect),
            limits=httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS),
            follow_redirects=False,
            trust_env=False,
            headers=DEFAULT_HEADERS,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _shared(self) -> _Scope:
        if self._scope is None:
            if self._scope_key is None:
                self._scope = _Scope(limit=AdaptiveLimit(MAX_IN_FLIGHT, clock=self.clock))
            else:
                scopes = _SCOPES.setdefault(asyncio.get_running_loop(), {})
                self._scope = scopes.setdefault(self._scope_key, _Scope(limit=AdaptiveLimit(MAX_IN_FLIGHT, clock=self.clock)))
            if self._scope.gate is None:
                self._scope.gate = AsyncGate(self._scope.limit)
            self._tokens = self._scope.tokens
            self.limit = self._scope.limit
        return self._scope

    async def request(self, request: ApiRequest[T], deadline: float | None = None) -> T:
        """Send one request with retries (until ``deadline``, monotonic, if given) and return its interpreted answer."""
        return await self.run(call(request, self.settings.vendor, self.budget(deadline), self.auth.refreshable))

    async def run(self, flow: Flow[T]) -> T:
        """Drive a flow to its result, performing each action it yields."""
        scope = self._shared()
        assert scope.gate is not None
        gate = scope.gate

        async def perform(action: Any) -> Any:
            if isinstance(action, Send):
                if not await self.pace.wait_async(action.deadline):
                    return self.paced_out()
                async with self._connections, gate.slot():
                    return await self._send(action)
            if isinstance(action, NeedToken):
                return await self._token(scope, action.stale)
            if isinstance(action, Sleep):
                await self.clock.asleep(action.seconds)
            return None

        return await drive_async(flow, perform)

    async def _token(self, scope: _Scope, stale: str | None) -> str:
        async with scope.token_lock:
            if scope.tokens.needs_refresh(stale):
                return scope.tokens.store(await self.run(self.auth.token_flow(self.budget())))
            assert scope.tokens.token is not None
            return scope.tokens.token.value

    async def _send(self, action: Send) -> Reply | TransportFailure:
        import httpx

        if self._client is None:
            raise RuntimeError("AsyncTransport must be used as an async context manager")
        request = action.request
        try:
            response = await asyncio.wait_for(
                self._client.request(
                    request.method,
                    self.url(request),
                    params=dict(request.params) or None,
                    json=request.json,
                    headers=self.headers(action),
                ),
                timeout=sum(self.settings.timeout),
            )
            content = response.content
        except (TimeoutError, httpx.TimeoutException):
            return self.timeout_failure()
        except httpx.TransportError as error:
            if _caused_by_tls(error):
                return TransportFailure("tls", "TLS verification failed; check the host and extra 'ca_bundle'", retryable=False)
            return TransportFailure("connection", f"connection failed ({type(error).__name__})")
        except httpx.HTTPError as error:  # e.g. an undecodable body: as in the sync transport, retried then classified
            return TransportFailure("transport", f"request failed ({type(error).__name__})")
        return self.reply(request, response.status_code, response.headers, content)


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
