"""Each attempt is bounded in total time, not only per chunk: a vendor that drips its answer cannot hang a task."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import respx

from airflow_provider_campaigns.core.async_transport import CONNECTIONS, AsyncTransport
from airflow_provider_campaigns.core.bearer_auth import StaticBearerAuth
from airflow_provider_campaigns.core.retry import RetryPolicy
from airflow_provider_campaigns.core.settings import TransportSettings
from airflow_provider_campaigns.core.sync_transport import SyncTransport
from airflow_provider_campaigns.core.wire import ApiRequest
from airflow_provider_campaigns.exceptions import TransientError


@pytest.fixture
def dripping_server() -> Iterator[str]:
    """Answers headers at once, then one body byte every 0.1 s for 10 s (each read is 'on time')."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n")
                for _ in range(100):
                    if stop.is_set():
                        break
                    try:
                        conn.sendall(b" ")
                    except OSError:
                        break
                    time.sleep(0.1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(2)
    server.close()


def settings(base_url: str) -> TransportSettings:
    return TransportSettings("X", "c", base_url, (0.5, 0.5), RetryPolicy(max_retries=0), True)


def request() -> ApiRequest[object]:
    return ApiRequest("GET", "/slow", lambda reply: reply.json(), action="status read", campaign_id="1")


def test_sync_attempt_is_bounded_against_a_slow_drip(dripping_server):
    transport = SyncTransport(settings(dripping_server), StaticBearerAuth("X", "limits-test-token-0123456789"))
    started = time.monotonic()
    with pytest.raises(TransientError, match="longer than 1 s"):
        transport.request(request())
    assert time.monotonic() - started < 3


def test_async_attempt_is_bounded_against_a_slow_drip(dripping_server):
    async def go() -> None:
        async with AsyncTransport(settings(dripping_server), StaticBearerAuth("X", "limits-test-token-0123456789")) as transport:
            await transport.request(request())

    started = time.monotonic()
    with pytest.raises(TransientError, match="timeout"):
        asyncio.run(go())
    assert time.monotonic() - started < 3


def test_async_undecodable_body_is_classified_like_the_sync_path():
    async def go() -> None:
        async with AsyncTransport(settings("https://vendor.test"), StaticBearerAuth("X", "limits-test-token-0123456789")) as transport:
            await transport.request(request())

    with respx.mock:
        respx.get("https://vendor.test/slow").mock(
            return_value=httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(b"not gzip"))
        )
        with pytest.raises(TransientError, match="DecodingError"):
            asyncio.run(go())


def test_async_redirects_are_never_followed():
    async def go() -> object:
        async with AsyncTransport(settings("https://vendor.test"), StaticBearerAuth("X", "limits-test-token-0123456789")) as transport:
            return await transport.request(request())

    with respx.mock:
        respx.get("https://vendor.test/slow").mock(return_value=httpx.Response(302, headers={"Location": "https://elsewhere.test/x"}))
        elsewhere = respx.get("https://elsewhere.test/x").mock(return_value=httpx.Response(200, json={}))
        with pytest.raises(Exception, match="302"):
            asyncio.run(go())
        assert not elsewhere.called


def test_one_async_transport_sends_at_most_its_connections_at_once():
    """Thousands of calls on one transport wait their turn in it, not in httpcore's pool (which rescans its whole queue
    on every answer: a 10,000-campaign poll round blocked the event loop for a minute)."""
    in_flight = peak = 0

    async def answer(_request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1
        return httpx.Response(200, json={})

    async def go() -> None:
        async with AsyncTransport(settings("https://vendor.test"), StaticBearerAuth("X", "limits-test-token-0123456789")) as transport:
            await asyncio.gather(*(transport.request(request()) for _ in range(10 * CONNECTIONS)))

    with respx.mock:
        route = respx.get("https://vendor.test/slow").mock(side_effect=answer)
        asyncio.run(asyncio.wait_for(go(), 30))
    assert route.call_count == 10 * CONNECTIONS and CONNECTIONS // 2 <= peak <= CONNECTIONS, "before: all at once"
