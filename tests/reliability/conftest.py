"""Reliability and security suites: one simulator per module, a record of every request the
transports send, and the figures the suites report (printed at the end of the run and written
to ``.work/reliability-figures.json`` for the README).

Figures:

- ``faults``: one per fault-matrix case (tests marked ``figure("faults")``); held = the
  expected outcome held (a strict ``xfail`` documenting a known defect is tried, not held).
- ``bad_inputs``: one per bad input (``figure("bad_inputs")``); held = rejected before any request.
- ``secret_probes`` / ``secret_leaks``: one probe per (secret form, captured surface) search.
- ``parser_bodies`` / ``parser_unclassified``: bodies fed to the response parsers by hypothesis.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
FIGURES_PATH = REPO / ".work" / "reliability-figures.json"
VENDORS = ("bsg", "cellcast", "comm", "kore")

try:  # hypothesis keeps caches (constants, unicode data) on disk: inside the ignored .work/, not the repo root
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(str(REPO / ".work" / "hypothesis"))
except ImportError:  # pragma: no cover - hypothesis is a test dependency
    pass

#: Real back-off code, millisecond waits; a read timeout generous enough never to fire by accident.
FAST: dict[str, Any] = {
    "backoff_base": 0.0002,
    "backoff_max": 0.002,
    "retry_after_max": 5,
    "max_retries": 3,
    "retry_total_timeout": 20,
    "timeout": [1.0, 2.0],
}
#: For the slow-answer fault: a short read timeout (the simulator answers after SLOW_DELAY).
SLOW_READ_TIMEOUT = 0.15
SLOW_DELAY = 0.6
SLOW: dict[str, Any] = {**FAST, "max_retries": 1, "timeout": [1.0, SLOW_READ_TIMEOUT]}
#: No attempt cap, as shipped: retries end at the time budget (short here) and only there.
BUDGET_SECONDS = 1.5
BUDGET: dict[str, Any] = {key: value for key, value in FAST.items() if key != "max_retries"} | {"retry_total_timeout": BUDGET_SECONDS}


# -- figures -------------------------------------------------------------------------------
@dataclass
class Figures:
    """Counters the suites fill in; printed and written at the end of the session."""

    tried: Counter[str] = field(default_factory=Counter)
    held: Counter[str] = field(default_factory=Counter)
    known_defects: Counter[str] = field(default_factory=Counter)
    secret_probes: int = 0
    secret_leaks: int = 0
    secret_leaks_known: int = 0
    parser_bodies: int = 0
    parser_unclassified: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def probe(self, count: int, leaks: int = 0, known_defect: bool = False) -> None:
        """Count secret searches (and hits; hits of a test documenting a known defect apart)."""
        with self.lock:
            self.secret_probes += count
            if known_defect:
                self.secret_leaks_known += leaks
            else:
                self.secret_leaks += leaks

    def parsed(self, unclassified: bool = False) -> None:
        """Count one body fed to a parser."""
        with self.lock:
            self.parser_bodies += 1
            self.parser_unclassified += int(unclassified)

    def as_dict(self) -> dict[str, Any]:
        """The figures as JSON-safe values."""
        return {
            "faults": {"tried": self.tried["faults"], "as_expected": self.held["faults"], "known_defects": self.known_defects["faults"]},
            "bad_inputs": {
                "tried": self.tried["bad_inputs"],
                "rejected_before_any_request": self.held["bad_inputs"],
                "known_defects": self.known_defects["bad_inputs"],
            },
            "secrets": {"probes": self.secret_probes, "leaks": self.secret_leaks, "leaks_in_known_defects": self.secret_leaks_known},
            "parsers": {"bodies": self.parser_bodies, "unclassified": self.parser_unclassified},
        }

    def lines(self) -> list[str]:
        """The summary lines printed at the end of the run."""
        d = self.as_dict()
        f, b = d["faults"], d["bad_inputs"]
        lines = []
        if f["tried"]:
            extra = f" ({f['known_defects']} known defects, xfail)" if f["known_defects"] else ""
            lines.append(f"reliability: faults {f['tried']} tried / {f['as_expected']} outcomes as expected{extra}")
        if b["tried"]:
            extra = f" ({b['known_defects']} known defects, xfail)" if b["known_defects"] else ""
            lines.append(
                f"reliability: bad inputs {b['tried']} tried / {b['rejected_before_any_request']} rejected before any request{extra}"
            )
        if self.parser_bodies:
            lines.append(f"reliability: parser bodies {self.parser_bodies} fuzzed / {self.parser_unclassified} unclassified errors")
        if self.secret_probes:
            extra = f" ({self.secret_leaks_known} more in a known defect, xfail)" if self.secret_leaks_known else ""
            lines.append(f"reliability: secret probes {self.secret_probes} / {self.secret_leaks} leaks{extra}")
        return lines


FIGURES = Figures()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "figure(kind): count this test in the reliability figures (faults, bad_inputs)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    marker = item.get_closest_marker("figure")
    if marker is None:
        return report
    kind = str(marker.args[0])
    counted = report.when == "call" or (report.when == "setup" and report.failed)
    plain_skip = report.skipped and not hasattr(report, "wasxfail")
    if counted and not plain_skip:
        FIGURES.tried[kind] += 1
        if report.passed and not hasattr(report, "wasxfail"):
            FIGURES.held[kind] += 1
        elif hasattr(report, "wasxfail") and report.skipped:
            FIGURES.known_defects[kind] += 1
    return report


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    lines = FIGURES.lines()
    if not lines:
        return
    for line in lines:
        terminalreporter.write_line(line)
    try:
        from airflow import __version__ as airflow_version
    except ImportError:  # pragma: no cover - Airflow is always installed here
        airflow_version = "unknown"
    figures = {
        **FIGURES.as_dict(),
        "lines": lines,
        "airflow": airflow_version,
        "written_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    FIGURES_PATH.parent.mkdir(parents=True, exist_ok=True)
    # Lanes run side by side: one writer at a time, so that no lane's figures are lost.
    with open(FIGURES_PATH.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            previous = json.loads(FIGURES_PATH.read_text()) if FIGURES_PATH.exists() else {}
        except ValueError:
            previous = {}
        lanes = previous.get("lanes", {}) if isinstance(previous, dict) else {}
        lanes[airflow_version] = figures
        FIGURES_PATH.write_text(json.dumps({**figures, "lanes": lanes}, indent=2, sort_keys=True) + "\n")


def secrets_masker() -> Any:
    """Airflow's process-wide secrets masker (Airflow 3 task SDK, or Airflow 2)."""
    import importlib

    for module in ("airflow.sdk.log", "airflow.utils.log.secrets_masker"):
        try:
            return importlib.import_module(module)._secrets_masker()
        except (ImportError, AttributeError):
            continue
    return None  # pragma: no cover


@contextlib.contextmanager
def masker_restored() -> Iterator[None]:
    """An empty secrets masker inside the block, the previous one restored after it.

    Airflow recompiles one regex of every registered secret on each ``mask_secret`` (and redacts
    with it): the JWTs registered by hundreds of logins and mints (here, or by the suites that ran
    before) would make every call slower than the last (see the report: 600 JWTs cost 110 s on
    Airflow 3). Secrets a test uses are registered again as the test uses them.
    """
    masker = secrets_masker()
    if masker is None:
        yield
        return
    patterns, replacer = masker.patterns, masker.replacer
    masker.patterns, masker.replacer = set(), None
    try:
        yield
    finally:
        masker.patterns, masker.replacer = patterns, replacer


@pytest.fixture(scope="session")
def masker_snapshot() -> Any:
    """``with masker_snapshot(): ...`` runs the block with an empty masker, restored after."""
    return masker_restored


@pytest.fixture(autouse=True)
def _masker_restored() -> Iterator[None]:
    """Each test starts with an empty secrets masker; the previous one is restored after it."""
    with masker_restored():
        yield


@pytest.fixture(scope="session")
def figures() -> Figures:
    """The session's figures (secret probes and parser bodies are counted through it)."""
    return FIGURES


# -- requests as the transports send them ---------------------------------------------------
@dataclass
class Sent:
    """One attempt a transport made (whatever came of it)."""

    transport: str
    vendor: str
    base_url: str
    action: str
    campaign_id: str | None
    path: str
    token: str | None
    at: float


class SendLog:
    """Every attempt of the sync and async transports; optional callbacks run before an attempt."""

    def __init__(self) -> None:
        self.entries: list[Sent] = []
        self.before: dict[str, Callable[[int], None]] = {}
        self._lock = threading.Lock()

    def record(self, transport: str, settings: Any, action: Any) -> None:
        request = action.request
        entry = Sent(
            transport, settings.vendor, settings.base_url, request.action, request.campaign_id, request.path, action.token, time.monotonic()
        )
        with self._lock:
            self.entries.append(entry)
            count = sum(1 for e in self.entries if e.base_url == settings.base_url)
            callback = self.before.get(settings.base_url)
        if callback is not None:
            callback(count)

    def count(self, campaign_id: str | None = None, actions: tuple[str, ...] | None = None, base_url: str | None = None) -> int:
        with self._lock:
            return sum(
                1
                for e in self.entries
                if (campaign_id is None or e.campaign_id == campaign_id)
                and (actions is None or e.action in actions)
                and (base_url is None or e.base_url == base_url)
            )

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()
            self.before.clear()


@pytest.fixture(scope="module")
def sends() -> Iterator[SendLog]:
    """Record every send of both transports (real sends still happen) for the module."""
    from airflow_provider_campaigns.core.async_transport import AsyncTransport
    from airflow_provider_campaigns.core.sync_transport import SyncTransport

    log = SendLog()
    sync_send, async_send = SyncTransport._send, AsyncTransport._send

    def recorded_sync(self: Any, action: Any) -> Any:
        log.record("sync", self.settings, action)
        return sync_send(self, action)

    async def recorded_async(self: Any, action: Any) -> Any:
        log.record("async", self.settings, action)
        return await async_send(self, action)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(SyncTransport, "_send", recorded_sync)
        mp.setattr(AsyncTransport, "_send", recorded_async)
        yield log


# -- the simulator and its connections ------------------------------------------------------
def closed_port() -> int:
    """A loopback port nothing listens on (bound, noted, closed): connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sim_connections(sim: Any, port: int | None = None) -> dict[str, dict[str, Any]]:
    """``rel_<vendor>`` (fast retries), ``rel_<vendor>_slow`` (short read timeout) and the
    ``<vendor>_default`` ids, all pointing at ``sim`` (or at ``127.0.0.1:port``)."""
    conns: dict[str, dict[str, Any]] = {}
    url = sim.url if port is None else f"http://127.0.0.1:{port}"
    for conn_id, conn in sim.connections().items():
        vendor = conn["conn_type"]
        base = {**conn, "host": f"{url}/{vendor}"}
        conns[f"rel_{vendor}"] = {**base, "extra": {**conn["extra"], **FAST}}
        conns[f"rel_{vendor}_slow"] = {**base, "extra": {**conn["extra"], **SLOW}}
        conns[f"rel_{vendor}_budget"] = {**base, "extra": {**conn["extra"], **BUDGET}}
        conns[conn_id] = {**base, "extra": {**conn["extra"], **FAST}}
    return conns


def set_connections(mp: pytest.MonkeyPatch, conns: dict[str, dict[str, Any]]) -> None:
    """Define connections through ``AIRFLOW_CONN_<ID>`` variables."""
    for conn_id, conn in conns.items():
        mp.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))


@pytest.fixture(scope="session")
def net() -> Any:
    """Helpers for tests that need more connections: ``closed_port``, ``sim_connections``, ``set_connections``."""
    from types import SimpleNamespace

    return SimpleNamespace(closed_port=closed_port, sim_connections=sim_connections, set_connections=set_connections)


@pytest.fixture(scope="module")
def sim_module() -> Iterator[Any]:
    """One simulator per module, with its connections defined for the module."""
    from airflow_provider_campaigns.simulator import Simulator

    with Simulator(port=0) as simulator, pytest.MonkeyPatch.context() as mp:
        set_connections(mp, sim_connections(simulator))
        yield simulator


@pytest.fixture
def sim(sim_module: Any) -> Any:
    """The module's simulator, reset (campaigns, faults, request log) for this test."""
    sim_module.reset()
    return sim_module
