"""Process groups the e2e harness starts, and the guarantee that every one of them is stopped.

Each service runs in its own session (so its process group holds the service and every child it
forks: LocalExecutor task runners, gunicorn/uvicorn workers, Celery pool processes). Every started
group is recorded in a registry file; ``python -m harness.reap`` (run by ``make e2e`` after pytest,
whatever pytest's fate) kills any group still alive. An in-process watchdog ends the session's
processes when the overall budget runs out even if pytest itself hangs in a test.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO


@dataclass
class Service:
    """One started process (the leader of its own process group)."""

    name: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    stop_signal: int = signal.SIGTERM
    started: float = field(default_factory=time.time)
    _log: IO[bytes] | None = None

    @property
    def pid(self) -> int:
        """The leader's pid (also the process group id)."""
        return self.proc.pid

    def alive(self) -> bool:
        """Whether the leader is still running."""
        return self.proc.poll() is None

    def log_text(self) -> str:
        """Everything the process wrote so far."""
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


def _signal_group(pgid: int, sig: int) -> bool:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _group_alive(pgid: int) -> bool:
    return _signal_group(pgid, 0)


class Supervisor:
    """Starts services in their own process groups and stops them all, in reverse order."""

    def __init__(self, log_dir: Path, registry: Path) -> None:
        """Logs go to ``log_dir/<name>.log``; started groups are appended to ``registry`` (JSON lines)."""
        self.log_dir = log_dir
        self.registry = registry
        self.services: list[Service] = []
        self._lock = threading.Lock()
        log_dir.mkdir(parents=True, exist_ok=True)

    def start(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        user: str | None = None,
        stop_signal: int = signal.SIGTERM,
        log_name: str | None = None,
        cleanup: Path | None = None,
    ) -> Service:
        """Start ``argv`` in a new session with stdout and stderr appended to its log file.

        ``cleanup`` names a directory the reaper removes if it finds the service still running.
        """
        log_path = self.log_dir / f"{log_name or name}.log"
        log = log_path.open("ab")
        if user is not None:
            with contextlib.suppress(OSError):
                os.chown(log_path, *_ids(user))
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
            user=user,
            group=user,
            extra_groups=[] if user is not None else None,
        )
        service = Service(name, proc, log_path, stop_signal, _log=log)
        with self._lock:
            self.services.append(service)
            with self.registry.open("a") as reg:
                reg.write(
                    json.dumps(
                        {"name": name, "pgid": proc.pid, "started": service.started, "argv0": str(argv[0]), "cleanup": str(cleanup or "")}
                    )
                    + "\n"
                )
        return service

    def stop(self, service: Service, timeout: float = 20.0, sig: int | None = None) -> int | None:
        """Stop a service as a service manager would; returns the leader's exit code.

        The signal goes to the leader only (it shuts its own children down), as Kubernetes does
        with a container's main process; after ``timeout`` s the whole group is SIGKILLed. Then
        any child that outlived its leader gets SIGTERM and, 3 s later, SIGKILL.
        """
        if service.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(service.pid, service.stop_signal if sig is None else sig)
            try:
                service.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _signal_group(service.pid, signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    service.proc.wait(timeout=10)
        if _signal_group(service.pid, signal.SIGTERM):
            deadline = time.monotonic() + 3
            while _group_alive(service.pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            _signal_group(service.pid, signal.SIGKILL)
        if service._log is not None:
            service._log.close()
            service._log = None
        with self._lock:
            if service in self.services:
                self.services.remove(service)
        return service.proc.returncode

    def kill(self, service: Service) -> None:
        """SIGKILL the whole group at once (a crash, not a shutdown)."""
        _signal_group(service.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            service.proc.wait(timeout=10)
        self.stop(service, timeout=1)

    def stop_all(self) -> None:
        """Stop every service still running, newest first."""
        for service in reversed(list(self.services)):
            with contextlib.suppress(Exception):
                self.stop(service)


def _ids(user: str) -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid


def reap(registry: Path) -> list[str]:
    """Kill every process group recorded in ``registry`` that is still alive; returns their names."""
    if not registry.exists():
        return []
    reaped: list[str] = []
    for line in reversed(registry.read_text().splitlines()):  # newest first: the database goes last
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        pgid = int(entry["pgid"])
        if _group_alive(pgid) and _owned_by_registry(pgid, float(entry.get("started", 0))):
            _signal_group(pgid, signal.SIGTERM)
            time.sleep(1)
            _signal_group(pgid, signal.SIGKILL)
            reaped.append(str(entry["name"]))
            if entry.get("cleanup"):
                import shutil

                time.sleep(1)
                shutil.rmtree(entry["cleanup"], ignore_errors=True)
    return reaped


def _owned_by_registry(pgid: int, started: float) -> bool:
    """A recorded pgid still names our group only if some member started no earlier than we recorded it."""
    boot = _boot_time()
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and boot + int(fields[19]) / tick >= started - 5:
            return True
    return False


def _boot_time() -> float:
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("btime "):
            return float(line.split()[1])
    return 0.0


class Watchdog:
    """Calls ``on_expiry`` once if not cancelled within ``seconds`` (a hung test must not outlive the budget)."""

    def __init__(self, seconds: float, on_expiry: Callable[[], None]) -> None:
        """Arm the timer (a daemon thread)."""
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._on_expiry = on_expiry
        self._timer.start()

    def _fire(self) -> None:
        print(f"\n[e2e watchdog] overall budget exhausted: stopping every process (pid {os.getpid()})", flush=True)
        self._on_expiry()
        os.kill(os.getpid(), signal.SIGINT)

    def cancel(self) -> None:
        """Disarm."""
        self._timer.cancel()


def wait_for(condition: Callable[[], object], timeout: float, interval: float = 0.5, what: str = "condition") -> object:
    """Poll ``condition`` until it returns something truthy; ``TimeoutError`` naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while True:
        try:
            value = condition()
        except Exception as exc:  # noqa: BLE001 - a service still starting answers with errors
            value, last_error = None, exc
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(
                f"timed out after {timeout:.0f} s waiting for {what}" + (f" (last error: {last_error!r})" if last_error else "")
            )
        time.sleep(interval)


def listening_sockets(sup: Supervisor) -> list[tuple[str, int, str, int]]:
    """Every TCP socket listening in a process group the supervisor started: (service, pid, address, port)."""
    import psutil

    groups = {service.pid: service.name for service in sup.services}
    found: list[tuple[str, int, str, int]] = []
    for conn in psutil.net_connections(kind="inet"):
        if conn.status != psutil.CONN_LISTEN or conn.pid is None:
            continue
        try:
            pgid = os.getpgid(conn.pid)
        except ProcessLookupError:
            continue
        if pgid in groups:
            found.append((groups[pgid], conn.pid, str(conn.laddr.ip), int(conn.laddr.port)))
    return found
