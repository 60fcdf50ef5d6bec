"""TLS (verification always on, CA bundle from the connection, plain http only when allowed, a real
handshake failure is permanent) and concurrency (one login / one mint per hook under a burst; a
token refresh under concurrency does not stampede), against loopback servers only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import json
import ssl
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_trigger

VENDORS = ("bsg", "cellcast", "comm", "kore")
HOOK_FIELDS = {"kore": {"login": "cs-client", "extra": {"account_id": "acc-1", "stream_id": "st-1"}}}
FAST = {"backoff_base": 0.0002, "backoff_max": 0.002, "max_retries": 3, "timeout": [1, 2]}
BURST = 32


def hook_class(vendor: str) -> Any:
    from airflow_provider_campaigns.hooks.bsg import BsgHook
    from airflow_provider_campaigns.hooks.cellcast import CellcastHook
    from airflow_provider_campaigns.hooks.comm import CommHook
    from airflow_provider_campaigns.hooks.kore import KoreHook

    return {"bsg": BsgHook, "cellcast": CellcastHook, "comm": CommHook, "kore": KoreHook}[vendor]


def define(monkeypatch: pytest.MonkeyPatch, conn_id: str, vendor: str, host: str, **extra: Any) -> None:
    fields = HOOK_FIELDS.get(vendor, {})
    conn = {"conn_type": vendor, "host": host, "password": "tls-test-secret-0123456789abcdef0123456789", "login": fields.get("login")}
    conn["extra"] = {**fields.get("extra", {}), **FAST, **extra}
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))


def settings_and_auth(vendor: str, conn_id: str) -> tuple[Any, Any]:
    hook = hook_class(vendor)(conn_id)
    return hook.settings, hook.api.auth


def any_ref(vendor: str) -> Any:
    from airflow_provider_campaigns.vendors import bsg, cellcast, comm, kore

    return {
        "bsg": lambda: bsg.campaign(12),
        "cellcast": lambda: cellcast.message("675161d8a000000000000000"),
        "comm": lambda: comm.send("3c90c3cc-0d44-4b50-8888-8dd25736052a", "4d90c3cc-0d44-4b50-8888-8dd25736052b"),
        "kore": lambda: kore.KoreCampaign("cd-1", "st-1"),
    }[vendor]()


# -- certificate verification is always on -----------------------------------------------------
@pytest.mark.parametrize("vendor", VENDORS)
def test_sync_session_verifies_by_default_and_uses_the_ca_bundle(vendor: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    define(monkeypatch, "tls_default", vendor, f"https://{vendor}.invalid")
    bundle = tmp_path / "ca.pem"
    bundle.write_text("placeholder")
    define(monkeypatch, "tls_bundle", vendor, f"https://{vendor}.invalid", ca_bundle=str(bundle))
    define(monkeypatch, "tls_off", vendor, f"https://{vendor}.invalid", verify=False, ssl_verify=False, ca_bundle=str(bundle))
    cls = hook_class(vendor)
    assert cls("tls_default").transport.session.verify is True
    assert cls("tls_bundle").transport.session.verify == str(bundle)
    assert cls("tls_off").transport.session.verify == str(bundle), "no extra turns verification off"
    assert cls("tls_default").transport.session.trust_env is False


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A self-signed certificate for 127.0.0.1 (``cryptography``), as cert/key PEM files."""
    pytest.importorskip("cryptography")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("pki")
    paths = {"cert": folder / "cert.pem", "key": folder / "key.pem"}
    paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return paths


def _ssl_context(transport: Any) -> ssl.SSLContext:
    client = transport._client
    pool = client._transport._pool
    context = getattr(pool, "_ssl_context", None)
    assert isinstance(context, ssl.SSLContext), "httpx keeps its SSL context on the connection pool"
    return context


@pytest.mark.parametrize("vendor", VENDORS)
def test_async_client_verifies_by_default_and_uses_the_ca_bundle(
    vendor: str, monkeypatch: pytest.MonkeyPatch, pki: dict[str, Path]
) -> None:
    from airflow_provider_campaigns.core.async_transport import AsyncTransport

    define(monkeypatch, "tls_default", vendor, f"https://{vendor}.invalid")
    define(monkeypatch, "tls_bundle", vendor, f"https://{vendor}.invalid", ca_bundle=str(pki["cert"]))

    async def contexts() -> tuple[ssl.SSLContext, ssl.SSLContext]:
        async with (
            AsyncTransport(*settings_and_auth(vendor, "tls_default")) as plain,
            AsyncTransport(*settings_and_auth(vendor, "tls_bundle")) as bundled,
        ):
            return _ssl_context(plain), _ssl_context(bundled)

    default, bundled = asyncio.run(contexts())
    for context in (default, bundled):
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname is True
    assert any(cert.get("subject") == ((("commonName", "127.0.0.1"),),) for cert in bundled.get_ca_certs())


# -- plain http needs allow_insecure --------------------------------------------------------------
@pytest.mark.parametrize("flag", [None, False, "false", "no"], ids=["absent", "false", "false-str", "no-str"])
@pytest.mark.parametrize("vendor", VENDORS)
def test_plain_http_is_refused_before_any_request(vendor: str, flag: Any, monkeypatch: pytest.MonkeyPatch, sends: Any, net: Any) -> None:
    from airflow_provider_campaigns.exceptions import InvalidInputError

    sends.clear()
    extra = {} if flag is None else {"allow_insecure": flag}
    define(monkeypatch, "plain_http", vendor, f"http://127.0.0.1:{net.closed_port()}/{vendor}", **extra)
    with pytest.raises(InvalidInputError) as caught:
        hook_class(vendor)("plain_http").status(any_ref(vendor))
    assert "allow_insecure" in str(caught.value) and "http" in str(caught.value)
    payload = run_trigger(vendor, [any_ref(vendor)], "plain_http", deadline_in=5)
    assert payload["status"] == "error" and "allow_insecure" in payload["message"]
    assert sends.count() == 0


@pytest.mark.parametrize("vendor", VENDORS)
def test_plain_http_with_allow_insecure_is_sent(vendor: str, monkeypatch: pytest.MonkeyPatch, sends: Any, net: Any) -> None:
    from airflow_provider_campaigns.exceptions import TransientError

    sends.clear()
    define(monkeypatch, "plain_http_ok", vendor, f"http://127.0.0.1:{net.closed_port()}/{vendor}", allow_insecure="true")
    with pytest.raises(TransientError):
        hook_class(vendor)("plain_http_ok").status(any_ref(vendor))
    assert sends.count() == FAST["max_retries"] + 1


# -- a real TLS handshake against a self-signed loopback server ------------------------------------
class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, body: dict[str, Any]) -> None:
        raw = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer({"bearer": "header.payload.signature"})

    def do_GET(self) -> None:
        self._answer({"data": {"id": 12, "status": "stopped", "name": "tls"}})


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


@pytest.fixture(scope="module")
def tls_server(pki: dict[str, Path]) -> Iterator[str]:
    server = _QuietServer(("127.0.0.1", 0), _Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki["cert"], pki["key"])
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}/bsg"
    server.shutdown()
    server.server_close()


def test_untrusted_certificate_is_a_permanent_error_not_retried(tls_server: str, monkeypatch: pytest.MonkeyPatch, sends: Any) -> None:
    from airflow_provider_campaigns.exceptions import PermanentError

    sends.clear()
    define(monkeypatch, "tls_untrusted", "bsg", tls_server)
    started = time.monotonic()
    with pytest.raises(PermanentError) as caught:
        hook_class("bsg")("tls_untrusted").get_campaign(12)
    assert "TLS" in str(caught.value) and "ca_bundle" in str(caught.value)
    assert sends.count() == 1, "a certificate failure is not retried"
    assert time.monotonic() - started < 2


def test_trusted_with_the_ca_bundle_succeeds(tls_server: str, pki: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    define(monkeypatch, "tls_trusted", "bsg", tls_server, ca_bundle=str(pki["cert"]))
    status = hook_class("bsg")("tls_trusted").get_campaign(12)
    assert status.vendor_status == "stopped"
    payload = run_trigger("bsg", [any_ref("bsg")], "tls_trusted", deadline_in=5)
    assert payload["status"] == "success", payload


def test_untrusted_certificate_ends_the_trigger_at_once(tls_server: str, monkeypatch: pytest.MonkeyPatch, sends: Any) -> None:
    sends.clear()
    define(monkeypatch, "tls_untrusted", "bsg", tls_server)
    started = time.monotonic()
    payload = run_trigger("bsg", [any_ref("bsg")], "tls_untrusted", deadline_in=0.5)
    assert payload["status"] == "error", payload
    assert "TLS" in payload["message"]
    assert sends.count() == 1
    assert time.monotonic() - started < 2


# -- concurrency: one login / one mint per hook, no stampede on refresh ----------------------------
def burst(function: Any, count: int = BURST) -> list[Any]:
    barrier = threading.Barrier(count)

    def one(_: int) -> Any:
        barrier.wait(timeout=10)
        return function()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def bsg_logins(sim: Any) -> int:
    return sum(1 for r in sim.requests("bsg") if r["path"] == "/api/auth/login" and r["status"] == 200)


def kore_jwts(sim: Any) -> set[str]:
    return {r["headers"]["auth"] for r in sim.requests("kore") if r["headers"].get("auth")}


def test_bsg_burst_logs_in_once_and_relogs_in_once(sim: Any) -> None:
    from airflow_provider_campaigns.core.flow import Token

    ids = [sim.add_campaign("bsg", status="sending") for _ in range(4)]
    hook = hook_class("bsg")("rel_bsg", pool_size=BURST)
    results = burst(lambda: hook.get_campaign(ids[threading.get_ident() % 4]))
    assert all(r.vendor_status == "sending" for r in results)
    assert bsg_logins(sim) == 1, "one login for the whole burst"
    # the vendor revokes every JWT in the middle of a burst: every in-flight call sees a 401
    sim.inject("bsg", fault="expire_token", times=1, path=r"/api/campaigns/\d+$")
    burst(lambda: hook.get_campaign(ids[0]))
    assert bsg_logins(sim) == 2, "exactly one re-login, not one per thread"
    assert hook.transport.token_refreshes == 2
    # the cached JWT expires on the client side while 32 calls start
    slot = hook.transport._tokens
    slot.token = Token(slot.token.value, expires_at=time.time())
    burst(lambda: hook.get_campaign(ids[1]))
    assert bsg_logins(sim) == 3, "one login for an expired token, however many callers"
    hook.close()


def test_kore_burst_mints_once_and_remints_once(sim: Any) -> None:
    from airflow_provider_campaigns.core.flow import Token

    stream = sim.credentials.kore_stream_id
    ids = [sim.add_campaign("kore", status="Active") for _ in range(4)]
    hook = hook_class("kore")("rel_kore", pool_size=BURST)
    burst(lambda: hook.get_campaign_status(ids[threading.get_ident() % 4], stream))
    assert len(kore_jwts(sim)) == 1, "one JWT minted for the whole burst"
    sim.inject("kore", fault="expire_token", times=1, path=r"/status$")
    burst(lambda: hook.get_campaign_status(ids[0], stream))
    assert len(kore_jwts(sim)) == 2, "the rejected JWT is re-minted once"
    slot = hook.transport._tokens
    slot.token = Token(slot.token.value, expires_at=time.time())
    burst(lambda: hook.get_campaign_status(ids[1], stream))
    assert len(kore_jwts(sim)) == 3, "one mint for an expiring JWT, however many callers"
    assert hook.transport.token_refreshes == 3
    hook.close()


@pytest.mark.parametrize("vendor", ["bsg", "kore"])
def test_trigger_with_many_campaigns_obtains_one_token(vendor: str, sim: Any, make_ref: Any) -> None:
    status = {"bsg": "stopped", "kore": "Stopped"}[vendor]
    refs = []
    for _ in range(20):
        created = sim.add_campaign(vendor, status=status)
        refs.append(make_ref(vendor, created, sim.credentials.kore_stream_id))
    payload = run_trigger(vendor, refs, f"rel_{vendor}", deadline_in=5)
    assert payload["status"] == "success", payload
    if vendor == "bsg":
        assert bsg_logins(sim) == 1
    else:
        assert len(kore_jwts(sim)) == 1
