"""The listening side of the simulator: start, stop, and outage windows that keep the state."""

from __future__ import annotations

import socket
import sys
import threading
import time

from .server import App, SimServer

REBIND_ATTEMPTS = 20
REBIND_PAUSE = 0.05


class Listener:
    """Owns the server socket and its accept thread for one :class:`App`.

    An outage closes the listening socket and every open connection (clients get
    "connection refused", keep-alive connections are cut), then listens again on the
    same port; the :class:`App` (campaigns, faults, log) is untouched.
    """

    def __init__(self, app: App, port: int = 0) -> None:
        """Nothing listens until :meth:`start`; ``port`` 0 picks a free one."""
        self.app = app
        self._port = port
        self._lock = threading.RLock()
        self._server: SimServer | None = None
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None
        self._generation = 0

    @property
    def port(self) -> int | None:
        """The bound port, also during an outage (``None`` before the first start)."""
        return self._port or None

    @property
    def listening(self) -> bool:
        """Whether connections are accepted now."""
        return self._server is not None

    @property
    def in_outage(self) -> bool:
        """Whether an outage window is running."""
        return self._timer is not None

    def start(self) -> None:
        """Listen (idempotent; ends an outage early)."""
        with self._lock:
            self._cancel_timer()
            if self._server is None:
                self._listen()

    def stop(self) -> None:
        """Stop listening for good (idempotent; cancels a pending outage end)."""
        with self._lock:
            self._generation += 1
            self._cancel_timer()
            self._close()

    def outage(self, seconds: float, spare: socket.socket | None = None) -> None:
        """Refuse connections for ``seconds`` (returns at once), then listen again on the same port.

        ``spare`` is a connection left open (the one answering a control request for this outage).
        """
        if isinstance(seconds, bool) or not 0 <= seconds < float("inf"):
            raise ValueError(f"seconds must be a number >= 0, not {seconds!r}")
        with self._lock:
            if self._server is None and self._timer is None:
                raise RuntimeError("the simulator is not running; call start() first")
            self._cancel_timer()
            self._close(spare)
            generation = self._generation
            self._timer = threading.Timer(seconds, self._end_outage, args=(generation,))
            self._timer.daemon = True
            self._timer.start()

    def end_outage(self) -> None:
        """Listen again now, if an outage is running."""
        with self._lock:
            if self._timer is not None:
                self.start()

    def _end_outage(self, generation: int) -> None:
        with self._lock:
            if generation != self._generation or self._timer is None:
                return
            self._timer = None
            try:
                self._listen()
            except OSError as exc:
                print(f"campaign simulator: cannot listen again on port {self._port}: {exc}", file=sys.stderr)

    def _cancel_timer(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()

    def _listen(self) -> None:
        server = self._bind()
        self._port = server.port
        self._thread = threading.Thread(target=server.serve, name="campaign-simulator", daemon=True)
        self._server = server
        self._thread.start()

    def _bind(self) -> SimServer:
        """A server on the known port; a port freed a moment ago may need a few tries."""
        for attempt in range(REBIND_ATTEMPTS):
            try:
                return SimServer(self._port, self.app)
            except OSError:
                if not self._port or attempt == REBIND_ATTEMPTS - 1:
                    raise
                time.sleep(REBIND_PAUSE)
        raise AssertionError("unreachable")

    def _close(self, spare: socket.socket | None = None) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.wake()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        server.server_close()
        server.close_connections(spare)
