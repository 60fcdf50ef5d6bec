"""HTTP plumbing: the threaded server, mounting, fault application, request log."""

from __future__ import annotations

import contextlib
import selectors
import socket
import socketserver
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from . import control, drift
from .fake_vendor import FakeVendor, phrase
from .faults import MAINTENANCE_BODY, MALFORMED_BODY, Fault, FaultBook
from .http_types import JSON_TYPE, SimRequest, SimResponse, dumps, json_response, parse_json
from .rate_limits import RateLimits, retry_after_header
from .state import Store

LOG_LIMIT = 100_000
HOST = "127.0.0.1"


class App:
    """Everything behind the socket: vendors, store, faults, latency and the log."""

    def __init__(self, store: Store, vendors: dict[str, FakeVendor], latency: float = 0.0, seed: int | None = None) -> None:
        """Wire the vendors (mounted at ``/<name>``) to one fault book and one log."""
        self.store = store
        self.vendors = vendors
        self.latency = latency
        self.faults = FaultBook(seed)
        self.rate_limits = RateLimits(store.clock.monotonic)
        self.on_outage: Callable[[float, socket.socket | None], None] | None = None
        self._log: deque[dict[str, Any]] = deque(maxlen=LOG_LIMIT)
        self._log_lock = threading.Lock()

    def vendor(self, name: str) -> FakeVendor:
        """The vendor called ``name`` (``ValueError`` when unknown)."""
        try:
            return self.vendors[name]
        except KeyError:
            raise ValueError(f"unknown vendor {name!r}; expected one of {', '.join(self.vendors)}") from None

    def requests(self, vendor: str | None = None) -> list[dict[str, Any]]:
        """Logged requests, oldest first (unknown mounts are logged with ``vendor`` ``None``)."""
        with self._log_lock:
            return [dict(e) for e in self._log if vendor is None or e["vendor"] == vendor]

    def clear_log(self) -> None:
        """Forget the logged requests."""
        with self._log_lock:
            self._log.clear()

    def dispatch(self, method: str, target: str, headers: dict[str, str], body: bytes) -> SimResponse:
        """Answer one request: control API, a vendor (with faults), or 404."""
        path, _, query_string = target.partition("?")
        query = {k: v[-1] for k, v in parse_qs(query_string, keep_blank_values=True).items()}
        mount = path.split("/", 2)[1] if path.startswith("/") else ""
        rel = path[len(mount) + 1 :] or "/"
        req = SimRequest(method, rel, path, query, headers, body, parse_json(body))
        if mount == "_sim":
            return self._guard(lambda: control.handle(self, req))
        api = self.vendors.get(mount)
        fault = None
        refused = None
        if api is None:
            mounts = ", ".join(f"/{name}" for name in self.vendors)
            hint = f"vendors are mounted at {mounts}; control at /_sim"
            resp = json_response(404, {"message": "Not found", "hint": hint})
            req = SimRequest(method, path, path, query, headers, body, req.json)
        else:
            if self.latency > 0:
                time.sleep(self.latency)
            refused = self.rate_limits.take(mount)
            if refused is not None:
                limit, wait = refused
                resp = api.rate_limited(retry_after_header(limit.retry_after or api.rate_limit_retry_after, wait))
            else:
                fault = self.faults.take(mount, method, rel, path)
                resp = self._guard(lambda: drift.apply(api.drift_shape, api.config.drift.get(mount), req, self._answer(api, req, fault)))
        entry = {
            "vendor": None if api is None else mount,
            "method": method,
            "path": req.path,
            "raw_path": path,
            "query": query,
            "headers": headers,
            "json": req.json,
            "status": None if resp.drop else resp.status,
            "fault": "rate_limit" if refused is not None else None if fault is None else fault.kind,
            "time": self.store.clock.time(),
        }
        with self._log_lock:
            self._log.append(entry)
        return resp

    @staticmethod
    def _guard(produce: Callable[[], SimResponse]) -> SimResponse:
        try:
            return produce()
        except Exception:  # noqa: BLE001 - a simulator bug must answer, not hang the client
            traceback.print_exc(file=sys.stderr)
            return json_response(500, {"message": "Server Error"})

    @staticmethod
    def _answer(api: FakeVendor, req: SimRequest, fault: Fault | None) -> SimResponse:
        if fault is None:
            return api.handle(req)
        kind, params = fault.kind, fault.params
        if kind == "slow":
            time.sleep(params["delay"])
            return api.handle(req)
        if kind == "expire_token":
            return api.expire_token(req)
        if fault.when == "after":
            api.handle(req)
        if kind == "drop":
            return SimResponse(drop=True)
        if kind == "malformed":
            return SimResponse(200, MALFORMED_BODY)
        if kind == "empty":
            return SimResponse(200, b"")
        if kind == "content_type":
            return SimResponse(200, MAINTENANCE_BODY, "text/html")
        return status_fault(api, params)


def status_fault(api: FakeVendor, params: dict[str, Any]) -> SimResponse:
    """The answer of a ``status`` fault (custom or vendor-default body, ``Retry-After``)."""
    status = int(params["status"])
    if "body" in params:
        body = params["body"]
        if isinstance(body, bytes):
            raw = body
        elif isinstance(body, str):
            raw = body.encode()
        else:
            raw = dumps(body)
        guessed = JSON_TYPE if not isinstance(body, (str, bytes)) or parse_json(raw) is not None else "text/plain"
        resp = SimResponse(status, raw, params.get("content_type", guessed))
    else:
        resp = api.error_response(status)
    if params.get("retry_after") is not None:
        resp.headers["Retry-After"] = str(params["retry_after"])
    return resp


class SimServer(ThreadingHTTPServer):
    """A threaded HTTP/1.1 server on 127.0.0.1 that tracks its open connections."""

    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    timeout = 0.0

    def __init__(self, port: int, app: App) -> None:
        """Bind to ``127.0.0.1:port`` (0 = any free port)."""
        self.app = app
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        self._wake_r, self._wake_w = socket.socketpair()
        super().__init__((HOST, port), _Handler)

    def serve(self) -> None:
        """Accept connections until :meth:`wake` is called (no polling delay on stop)."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while True:
                for key, _ in selector.select():
                    if key.fileobj is self._wake_r:
                        return
                    self.handle_request()

    def wake(self) -> None:
        """Make :meth:`serve` return."""
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")

    def server_close(self) -> None:
        """Close the listening socket and the wake-up pair."""
        super().server_close()
        self._wake_r.close()
        self._wake_w.close()

    def server_bind(self) -> None:
        """Bind without the reverse DNS lookup ``HTTPServer`` does."""
        socketserver.TCPServer.server_bind(self)
        self.server_name = HOST
        self.server_port = int(self.server_address[1])

    def track(self, conn: socket.socket, alive: bool) -> None:
        """Remember (or forget) an open client connection."""
        with self._conns_lock:
            if alive:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)

    @property
    def port(self) -> int:
        """The bound TCP port."""
        return int(self.server_address[1])

    def close_connections(self, spare: socket.socket | None = None) -> None:
        """Shut every open client connection (idle keep-alive ones included) but ``spare``."""
        with self._conns_lock:
            conns = [conn for conn in self._conns if conn is not spare]
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    """Reads one request, hands it to :class:`App`, writes the answer in one send."""

    protocol_version = "HTTP/1.1"
    server_version = "campaign-simulator/1.0"
    timeout = 120.0
    server: SimServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet; requests are logged by :class:`App`."""

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError("negative Content-Length")
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            self._write(json_response(400, {"message": "Bad request body"}))
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        self._write(self.server.app.dispatch(self.command, self.path, headers, body))

    def _write(self, resp: SimResponse) -> None:
        if resp.outage is not None and self.server.app.on_outage is not None:
            self.server.app.on_outage(resp.outage, self.connection)
            self.close_connection = True
        if resp.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        lines = [
            f"HTTP/1.1 {resp.status} {phrase(resp.status)}",
            f"Server: {self.server_version}",
            f"Date: {self.date_time_string()}",
            f"Content-Length: {len(resp.body)}",
        ]
        if resp.content_type:
            lines.append(f"Content-Type: {resp.content_type}")
        lines.extend(f"{name}: {value}" for name, value in resp.headers.items())
        if self.close_connection:
            lines.append("Connection: close")
        elif self.request_version == "HTTP/1.0":
            lines.append("Connection: keep-alive")
        with contextlib.suppress(OSError):
            self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + resp.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve
