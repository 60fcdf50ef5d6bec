"""The Airflow 3.3 deployment the e2e scenarios run against.

Collected only when ``CAMPAIGNS_E2E=1`` (``make e2e`` sets it): ``make test`` never starts a server.
Session fixtures start PostgreSQL, the simulator and one Airflow deployment at a time
(LocalExecutor, then CeleryExecutor with Redis); finalizers, a watchdog and the reaper run by
``make e2e`` stop every process, also on failure, Ctrl-C or timeout.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ENABLED = os.environ.get("CAMPAIGNS_E2E") == "1"

if not ENABLED:
    collect_ignore_glob = ["*"]
else:
    sys.path.insert(0, str(HERE))

WORK = REPO / ".work" / "e2e"
BIN = Path(sys.executable).parent
KILL_SWITCH = "campaigns_kill_switch"
#: the figures session of this pytest run (set when a scenario first records a figure)
SESSION: str | None = None


class Deployments:
    """One Airflow deployment runs at a time (2 cores): asking for another stops the current one."""

    def __init__(self, sup: Any, pg: Any, sim: Any, dags: Path) -> None:
        self.sup, self.pg, self.sim, self.dags = sup, pg, sim, dags
        self.current: Any = None
        self.all: dict[str, Any] = {}
        self.prepared: dict[str, float] = {}

    def get(self, name: str, executor: str = "LocalExecutor", workers: int = 0) -> Any:
        from harness.airflow import Deployment
        from harness.services import start_redis

        if self.current is not None and self.current.name == name:
            return self.current
        if self.current is not None:
            self.current.stop_all()
            self.current = None
        redis = start_redis(self.sup, WORK / "redis") if executor == "CeleryExecutor" else None
        database = f"airflow_{name}"
        self.pg.create_database(database)
        deployment = Deployment(
            name=name,
            bin_dir=BIN,
            home=WORK / f"airflow-home-{name}",
            dags_folder=self.dags,
            sup=self.sup,
            pg=self.pg,
            database=database,
            executor=executor,
            redis=redis,
        )
        self.prepared[name] = deployment.prepare()
        deployment.start_all(workers=workers)
        self.current = deployment
        self.all[name] = deployment
        deployment.wait_ready([KILL_SWITCH, "e2e_connection_check", "e2e_deferral"])
        for conn_id, fields in self.sim.connections().items():
            # LocalExecutor deployment: REST API; Celery deployment: the CLI (the form is scenario 3)
            if executor == "CeleryExecutor":
                deployment.add_connection_cli(conn_id, fields)
            else:
                deployment.create_connection(conn_id, fields)
        self.check_loopback()
        return deployment

    def check_loopback(self) -> None:
        """Every socket our processes listen on is bound to loopback."""
        from harness.procs import listening_sockets

        sockets = listening_sockets(self.sup)
        print(f"listening sockets of the started processes: {sorted({(s[0], s[2], s[3]) for s in sockets})}")
        exposed = [s for s in sockets if s[2] not in ("127.0.0.1", "::1")]
        assert not exposed, f"bound beyond loopback: {exposed}"
        assert sockets, "no listening socket found: the check looked at nothing"

    def stop(self) -> None:
        if self.current is not None:
            self.current.stop_all()
            self.current = None


@pytest.fixture(scope="session")
def e2e() -> Iterator[Any]:
    """The supervisor of every process the session starts (stopped at the end, whatever happens)."""
    from harness.procs import Supervisor, Watchdog

    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    sup = Supervisor(WORK / "logs", WORK / "pids.jsonl")
    watchdog = Watchdog(float(os.environ.get("E2E_BUDGET", "900")), sup.stop_all)
    try:
        yield sup
    finally:
        watchdog.cancel()
        sup.stop_all()


@pytest.fixture(scope="session")
def figures() -> Any:
    """Where scenarios record what they measured."""
    from harness.figures import Figures

    global SESSION
    found = Figures(REPO / ".work" / "e2e-figures.json")
    SESSION = found.session
    return found


@pytest.fixture(scope="session")
def postgres(e2e: Any) -> Iterator[Any]:
    """A throwaway PostgreSQL on 127.0.0.1."""
    from harness.services import start_postgres

    pg = start_postgres(e2e)
    try:
        yield pg
    finally:
        e2e.stop(pg.service)
        pg.cleanup()


def _simulator(e2e: Any, name: str, args: list[str]) -> Iterator[Any]:
    """A simulator process with a control-API client (``.client``), stopped at the end."""
    from harness.services import start_simulator
    from harness.simclient import SimClient

    sim = start_simulator(e2e, sys.executable, WORK / name, args, name=name)
    sim.client = SimClient(sim.url)
    try:
        yield sim
    finally:
        sim.client.close()
        e2e.stop(sim.service)


@pytest.fixture(scope="session")
def simulator(e2e: Any) -> Iterator[Any]:
    """The vendor simulator as its own process, plus a control-API client (``.client``)."""
    yield from _simulator(e2e, "simulator", [])


@pytest.fixture(scope="session")
def slow_simulator(e2e: Any) -> Iterator[Any]:
    """A second simulator answering every vendor request after 200 ms (issue 14's fault scenarios); seeded faults."""
    yield from _simulator(e2e, "slow-simulator", ["--latency", "0.2", "--seed-random", "14"])


@pytest.fixture(scope="session")
def dags_folder() -> Path:
    """The example DAGs plus the e2e test DAGs, copied into ``.work/e2e/dags``."""
    folder = WORK / "dags"
    folder.mkdir(parents=True, exist_ok=True)
    for source in [*sorted((REPO / "example_dags").glob("*.py")), *sorted((HERE / "dags").glob("*.py"))]:
        shutil.copy(source, folder / source.name)
    return folder


@pytest.fixture(scope="session")
def deployments(e2e: Any, postgres: Any, simulator: Any, dags_folder: Path) -> Iterator[Deployments]:
    """Creates deployments on demand, one running at a time."""
    manager = Deployments(e2e, postgres, simulator, dags_folder)
    try:
        yield manager
    finally:
        manager.stop()


@pytest.fixture
def local(deployments: Deployments) -> Any:
    """The LocalExecutor deployment (started on first use, on a fresh database)."""
    return deployments.get("local")


@pytest.fixture
def celery(deployments: Deployments) -> Any:
    """The CeleryExecutor deployment: Redis broker, Postgres result backend, two workers."""
    return deployments.get("celery", executor="CeleryExecutor", workers=2)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Repeat every figure at the end of the run."""
    if not ENABLED:
        return
    path = REPO / ".work" / "e2e-figures.json"
    if not path.exists():
        return
    import json

    records = [r for r in json.loads(path.read_text()) if r["session"] == SESSION]
    if not records:
        return
    terminalreporter.section("e2e figures")
    for r in records:
        value = f"{r['value']:.2f}" if isinstance(r["value"], float) else r["value"]
        terminalreporter.write_line(f"e2e {r['scenario']}: {r['name']} = {value} {r['unit']}".rstrip())
