"""Shared helpers: the Airflow home of the benchmarks, a simulator in a subprocess, results, statistics."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / ".work"
BENCH_HOME = WORK / "bench-home"
BENCH_DAGS = WORK / "bench-dags"
BENCH_TMP = WORK / "bench-tmp"


def prepare_environment() -> None:
    """Point Airflow at the benchmarks' own home and DAGs folder. Must run before Airflow is imported."""
    for folder in (BENCH_HOME, BENCH_DAGS, BENCH_TMP):
        folder.mkdir(parents=True, exist_ok=True)
    os.environ["AIRFLOW_HOME"] = str(BENCH_HOME)
    os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(BENCH_DAGS)
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "False"
    # dag.test() and the hooks log every request and task at INFO; the benchmarks want quiet.
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")


def median(values: Iterable[float]) -> float:
    """The median (``nan`` for no values)."""
    items = list(values)
    return statistics.median(items) if items else float("nan")


def percentile(values: Sequence[float], fraction: float) -> float:
    """A nearest-rank percentile (``fraction`` in [0, 1])."""
    items = sorted(values)
    if not items:
        return float("nan")
    return items[min(len(items) - 1, max(0, round(fraction * (len(items) - 1))))]


@dataclass
class Row:
    """One line of the results table."""

    benchmark: str
    figure: str
    target: str
    met: bool | None  # None: informative, no target

    @property
    def verdict(self) -> str:
        """``yes``, ``NO`` or ``-``."""
        return "-" if self.met is None else ("yes" if self.met else "NO")


@dataclass
class Result:
    """What one benchmark returns: table rows plus free-form notes and raw figures."""

    name: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    def row(self, figure: str, target: str = "", met: bool | None = None) -> None:
        """Add one table row."""
        self.rows.append(Row(self.name, figure, target, met))

    def note(self, text: str) -> None:
        """Add an explanation (printed and written to results.md)."""
        self.notes.append(text)


_PROGRESS_FD: int | None = None
_RUNNING: set[SimProcess] = set()


def log(message: str) -> None:
    """Progress on the original stderr (even inside :func:`quiet`), so a long run is not silent."""
    line = f"[{time.strftime('%H:%M:%S')}] {message}\n".encode()
    os.write(_PROGRESS_FD if _PROGRESS_FD is not None else 2, line)


@contextlib.contextmanager
def quiet(name: str) -> Iterator[Path]:
    """Send this process's stdout and stderr (file descriptors 1 and 2) to ``.work/bench-tmp/<name>.log``."""
    global _PROGRESS_FD
    BENCH_TMP.mkdir(parents=True, exist_ok=True)
    path = BENCH_TMP / f"{name}.log"
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    previous = _PROGRESS_FD
    _PROGRESS_FD = os.dup(saved[1])
    with path.open("ab") as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
    try:
        yield path
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, _PROGRESS_FD):
            os.close(fd)
        _PROGRESS_FD = previous


def start_watchdog(limit: float) -> None:
    """After ``limit`` seconds: stop every simulator this process started, then exit (status 3)."""

    def expire() -> None:
        log(f"watchdog: the benchmarks ran longer than {limit:.0f} s; stopping the simulators and exiting.")
        for sim in list(_RUNNING):
            with contextlib.suppress(Exception):
                sim.stop()
        os._exit(3)

    timer = threading.Timer(limit, expire)
    timer.daemon = True
    timer.start()


class SimProcess:
    """The project's simulator in a subprocess (its own GIL, strict mode: answers as the vendors document).

    :param campaigns: how many ``sending`` BSG campaigns to seed.
    :param latency: seconds the simulator adds to every vendor answer.
    :param others: how many running campaigns to seed at the other vendors (``{"cellcast": 250, ...}``);
        their references are in :attr:`ids` (a Cellcast message id, a comm.com ``"<campaign>/<send>"``
        label, a Kore.ai campaign id).
    """

    def __init__(self, campaigns: int = 0, latency: float = 0.0, status: str = "sending", others: dict[str, int] | None = None) -> None:
        self.campaigns = campaigns
        self.latency = latency
        self.status = status
        self.others = dict(others or {})
        self.bsg_ids: list[int] = []
        self.ids: dict[str, list[str]] = {vendor: [] for vendor in self.others}
        self.env: dict[str, str] = {}
        self.url = ""
        self._proc: subprocess.Popen[str] | None = None
        self._seed = BENCH_TMP / f"seed-{os.getpid()}-{id(self)}.json"
        self._session: Any = None

    def start(self, timeout: float = 60.0) -> SimProcess:
        """Start the simulator and wait for ``SIMULATOR_READY`` (bounded by ``timeout``)."""
        BENCH_TMP.mkdir(parents=True, exist_ok=True)
        seed = {"campaigns": [{"vendor": "bsg", "status": self.status} for _ in range(self.campaigns)]}
        seed["campaigns"] += [{"vendor": vendor} for vendor, count in self.others.items() for _ in range(count)]
        self._seed.write_text(json.dumps(seed))
        command = [sys.executable, "-m", "airflow_provider_campaigns.simulator", "--port", "0", "--latency", str(self.latency)]
        command += ["--seed", str(self._seed)]
        stderr = (BENCH_TMP / "simulator.stderr").open("a")
        self._proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=REPO)
        stderr.close()
        _RUNNING.add(self)
        lines: list[str] = []
        ready = threading.Event()

        def read() -> None:
            assert self._proc is not None and self._proc.stdout is not None
            for line in self._proc.stdout:  # keeps draining after READY so the pipe never fills
                if not ready.is_set():
                    lines.append(line.rstrip("\n"))
                    if line.startswith("SIMULATOR_READY"):
                        ready.set()

        threading.Thread(target=read, name="sim-stdout", daemon=True).start()
        if not ready.wait(timeout):
            self.stop()
            raise RuntimeError(f"the simulator did not start within {timeout} s: {lines[-5:]}")
        for line in lines:
            if line.startswith("SIMULATOR_READY"):
                self.url = line.split()[1]
            elif line.startswith("Seeded bsg campaign: "):
                self.bsg_ids.append(int(json.loads(line.split(": ", 1)[1])["id"]))
            elif line.startswith("Seeded "):
                vendor = line.split()[1]
                created = json.loads(line.split(": ", 1)[1])
                if vendor == "cellcast":
                    self.ids[vendor].extend(created["ids"])
                elif vendor == "comm":
                    self.ids[vendor].append(f"{created['campaign_id']}/{created['campaign_send_id']}")
                else:
                    self.ids[vendor].append(str(created["id"]))
            elif line.startswith("export AIRFLOW_CONN_"):
                name, _, value = line[len("export ") :].partition("=")
                self.env[name] = shlex.split(value)[0]
        seeded = {"bsg": len(self.bsg_ids), **{vendor: len(ids) for vendor, ids in self.ids.items()}}
        wanted = {"bsg": self.campaigns, **self.others}
        if seeded != wanted:
            self.stop()
            raise RuntimeError(f"the simulator seeded {seeded} campaigns, not {wanted}")
        return self

    @property
    def pid(self) -> int:
        """The simulator's process id."""
        assert self._proc is not None
        return self._proc.pid

    @property
    def bsg_connection(self) -> dict[str, Any]:
        """The ``bsg_default`` connection as a dict."""
        return dict(json.loads(self.env["AIRFLOW_CONN_BSG_DEFAULT"]))

    def export_connections(self) -> None:
        """Put the ``AIRFLOW_CONN_*`` variables into this process's environment."""
        os.environ.update(self.env)

    def control(self, method: str, path: str, body: Any = None) -> Any:
        """Call the ``/_sim`` control API (never delayed by the simulated latency)."""
        import requests

        if self._session is None:
            self._session = requests.Session()
            self._session.trust_env = False
        response = self._session.request(method, f"{self.url}/_sim{path}", json=body, timeout=60)
        response.raise_for_status()
        return response.json()

    def state(self, vendor: str, key: str) -> dict[str, Any]:
        """``{"state": resource, "stop_count": n, ...}`` of one campaign, as the control API answers."""
        return dict(self.control("GET", f"/campaigns/{vendor}/{key}"))

    def requests_log(self, vendor: str = "bsg") -> list[dict[str, Any]]:
        """The simulator's request log for a vendor, oldest first."""
        return list(self.control("GET", f"/requests?vendor={vendor}"))

    def stop_counts(self, ids: Iterable[int]) -> dict[int, int]:
        """``stop_count`` of each campaign, as the simulator counts it."""
        return {i: int(self.control("GET", f"/campaigns/bsg/{i}")["stop_count"]) for i in ids}

    def statuses(self) -> dict[int, str]:
        """Every BSG campaign's current status."""
        return {int(item["id"]): str(item["status"]) for item in self.control("GET", "/campaigns?vendor=bsg")}

    def resources(self, vendor: str) -> list[dict[str, Any]]:
        """Every campaign resource of a vendor, as that vendor would answer it."""
        return list(self.control("GET", f"/campaigns?vendor={vendor}"))

    def stop(self) -> None:
        """Terminate the simulator (SIGTERM, then SIGKILL after 5 s) and clean up."""
        if self._session is not None:
            self._session.close()
            self._session = None
        proc, self._proc = self._proc, None
        _RUNNING.discard(self)
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        with contextlib.suppress(OSError):
            self._seed.unlink()

    def __enter__(self) -> SimProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@contextlib.contextmanager
def env_vars(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of a block."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def stop_requests(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stop requests (``PATCH``/``PUT .../stop``) of a BSG request log."""
    return [e for e in entries if e["method"] in ("PATCH", "PUT") and str(e["path"]).endswith("/stop")]


def login_requests(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The logins of a BSG request log."""
    return [e for e in entries if e["method"] == "POST" and str(e["path"]).endswith("/auth/login")]


def status_reads(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The single-campaign status reads (``GET /api/campaigns/{id}``) of a BSG request log."""
    return [e for e in entries if e["method"] == "GET" and str(e["path"]).rstrip("/").split("/")[-1].isdigit()]


def ms(seconds: float) -> str:
    """Seconds as a short millisecond figure."""
    return f"{seconds * 1000:.2f} ms" if seconds < 0.1 else f"{seconds * 1000:.0f} ms"


# -- running an operator's execute() outside a task runner ------------------------------------------
class TaskInstanceStub:
    """The ``ti`` of a task context, reduced to what a stop task uses outside a real task run.

    It has no ``dag_id``/``run_id``/``task_id``, so the operators keep no retry journal (an Airflow
    Variable, which needs a real task run); ``xcom_push`` is accepted and ignored. A ``MagicMock``
    would answer every attribute with a new mock, and creating those costs ~1.7 ms per task.
    """

    def xcom_push(self, key: str, value: Any) -> None:
        """Accepted and ignored."""


def task_context() -> dict[str, Any]:
    """A minimal task context for ``operator.execute(context)``."""
    return {"ti": TaskInstanceStub()}


def execute_kwargs(operator: Any) -> dict[str, Any]:
    """The sentinel the Task Runner passes, so ``execute`` runs as in a task (no "outside the Task Runner" warning)."""
    try:
        from airflow.sdk.bases.operator import ExecutorSafeguard
    except ImportError:  # Airflow 2
        from airflow.models.baseoperator import ExecutorSafeguard  # type: ignore[no-redef,attr-defined]
    return {f"{type(operator).__name__}__sentinel": ExecutorSafeguard.sentinel_value}


def reset_masker() -> bool:
    """Empty Airflow's secrets masker, as a fresh task process has it (``False`` when not reachable)."""
    try:
        from airflow.sdk._shared.secrets_masker.secrets_masker import _secrets_masker
    except ImportError:
        return False
    _secrets_masker().reset_masker()
    return True
