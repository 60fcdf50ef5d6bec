"""Shared fixtures: an isolated AIRFLOW_HOME, connections from env vars, secret-leak checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
# Before anything imports Airflow: an AIRFLOW_HOME inside the repo's ignored folder, never the user's.
os.environ.setdefault("AIRFLOW_HOME", str(REPO / ".work" / "airflow-home-tests"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
DOCS = REPO / "docs"
#: The vendor accounts' fixtures (``bsg_conn``, ``kore_conn``, ``mocked``, ...): one definition for hooks, operators and sensors.
pytest_plugins = ["tests.vendor_accounts"]
#: a MyST comment on the line right before a ```python fence: the block is a complete DAG file / pytest file
DAG_MARKER, TEST_MARKER = "% complete-dag", "% complete-test"


def docs_blocks(marker: str) -> list[tuple[str, str]]:
    """``(page:index, code)`` of every block of the docs marked with ``marker``, in page order."""
    import re

    pattern = re.compile(rf"^{re.escape(marker)}\n```python\n(.*?)^```[ \t]*$", re.S | re.M)
    blocks = []
    for page in sorted(DOCS.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        found = pattern.findall(text)
        markers = sum(1 for line in text.splitlines() if line.strip() == marker)
        assert markers == len(found), f"{page.name}: a '{marker}' line is not directly followed by a ```python block"
        blocks += [(f"{page.relative_to(DOCS)}:{index}", code) for index, code in enumerate(found)]
    return blocks


def docs_dag_file(name: str) -> str:
    """The file name a docs DAG block gets in the DAGs folder (``docs_guides_mapping_0.py``)."""
    page, index = name.rsplit(":", 1)
    return "docs_" + page.removesuffix(".md").replace("/", "_").replace("-", "_") + f"_{index}.py"


def _airflow_major() -> str:
    from importlib.metadata import version

    return version("apache-airflow").split(".")[0]


# dag.test() only runs DAGs found in the configured DAGs folder: assemble one from the example
# DAGs, the end-to-end test DAGs and (Airflow 3: they import airflow.sdk) the docs' complete DAGs.
# One folder per AIRFLOW_HOME (each lane has its own): lanes run side by side and assemble different folders.
E2E_DAGS = Path(os.environ["AIRFLOW_HOME"]) / "e2e-dags"
E2E_DAGS.mkdir(parents=True, exist_ok=True)
for _stale in E2E_DAGS.glob("*.py"):
    _stale.unlink()
for _source in [*sorted((REPO / "example_dags").glob("*.py")), *sorted((REPO / "tests" / "e2e" / "dags").glob("*.py"))]:
    (E2E_DAGS / _source.name).symlink_to(_source)
if _airflow_major() != "2":
    for _name, _code in docs_blocks(DAG_MARKER):
        (E2E_DAGS / docs_dag_file(_name)).write_text(_code, encoding="utf-8")
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(E2E_DAGS))

#: Set by the Makefile's lanes: the provider under test must be the installed wheel, not the sources.
INSTALLED_ONLY = os.environ.get("CAMPAIGNS_TEST_INSTALLED") == "1"


def provider_under_test() -> tuple[Path, str]:
    """Where ``airflow_provider_campaigns`` is imported from, and how it got there."""
    from importlib.metadata import PackageNotFoundError, distribution

    import airflow_provider_campaigns

    where = Path(airflow_provider_campaigns.__file__).resolve().parent
    try:
        direct_url = json.loads(distribution("airflow-provider-campaigns").read_text("direct_url.json") or "{}")
    except PackageNotFoundError:
        return where, "not installed"
    if where == REPO / "airflow_provider_campaigns":
        return where, "source tree" + (" (editable install)" if direct_url.get("dir_info", {}).get("editable") else "")
    if where.is_relative_to(Path(sysconfig.get_paths()["purelib"]).resolve()):
        return where, f"installed from {direct_url.get('url', 'an index')}"
    return where, "elsewhere"


def pytest_report_header(config: pytest.Config) -> str:
    """Say which copy of the provider the run exercises."""
    where, how = provider_under_test()
    return f"provider under test: {where} ({how})"


#: Long scenarios whose outcome depends on the Airflow version but not on Python's (the simulator on both
#: sides, subprocess pytest runs, whole-DAG docs runs, seconds of real back-off): marked ``scenario``; the
#: Makefile runs them in the Python 3.11 lanes of Airflow 3.3 and 2.11 only, and a quick local run can leave
#: them out (``-m "not scenario"``).
SCENARIOS = (
    "tests/docs/",
    "tests/test_pytest_plugin.py",
    "tests/engine/test_stop_budget.py",
    "tests/test_selection_fidelity.py",
    "tests/reliability/test_fault_matrix.py",
    "tests/operators/test_drill.py",
    "tests/operators/test_kill_switch_drift.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the long scenarios (:data:`SCENARIOS`)."""
    root = Path(__file__).resolve().parents[1]
    for item in items:
        where = item.path.resolve().relative_to(root).as_posix() if item.path.resolve().is_relative_to(root) else ""
        if where.startswith(SCENARIOS):
            item.add_marker(pytest.mark.scenario)


def pytest_configure(config: pytest.Config) -> None:
    """In the lanes, refuse to test anything but the installed, non-editable wheel."""
    if INSTALLED_ONLY:
        where, how = provider_under_test()
        if not (how.startswith("installed from") and how.endswith(".whl")):
            raise pytest.UsageError(f"CAMPAIGNS_TEST_INSTALLED=1 but the provider under test is {where} ({how}), not the installed wheel")


@pytest.fixture(autouse=True)
def fresh_paces() -> Iterator[None]:
    """Every test starts with no connection's pace learned (a process keeps them, and tests share credentials)."""
    from airflow_provider_campaigns.core.pace import forget_paces

    forget_paces()
    yield


@pytest.fixture(autouse=True)
def fresh_secrets_masker() -> Iterator[None]:
    """Every test starts with an empty secrets masker, as a fresh task process has it.

    Airflow's masker is one regular expression of every secret its process has seen. Over a whole lane
    (each simulator has new random credentials) it outgrew re2's memory on Airflow 2.11 ("DFA out of
    memory"), and the task log lines of later tests were lost.
    """
    import sys

    if "airflow" in sys.modules:
        try:
            from airflow.sdk._shared.secrets_masker.secrets_masker import _secrets_masker
        except ImportError:  # Airflow 2
            from airflow.utils.log.secrets_masker import _secrets_masker
        try:
            masker = _secrets_masker()
        except RuntimeError:  # Airflow 2 before its logging is configured: nothing masked yet
            masker = None
        if masker is not None:
            masker.patterns = set()
            masker.replacer = None
    yield


@pytest.fixture
def task_log(capfd: pytest.CaptureFixture[str]) -> Iterator[Callable[[], str]]:
    """``task_log()``: what a task has logged so far in this test.

    Airflow 3 tasks log through structlog to the process's stdout (read with ``capfd``). Airflow 2.11 logs
    through ``logging``, whose handlers write to whatever stream they were given when some earlier test
    configured logging: there the records reaching the ``airflow.task`` logger are collected directly.
    """
    import io
    import logging

    from airflow import __version__ as airflow_version

    if not airflow_version.startswith("2."):
        yield lambda: "".join(capfd.readouterr())
        return
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    task_logger = logging.getLogger("airflow.task")
    task_logger.addHandler(handler)
    previous = task_logger.level
    task_logger.setLevel(logging.INFO)
    try:
        yield stream.getvalue
    finally:
        task_logger.removeHandler(handler)
        task_logger.setLevel(previous)


#: Retry settings that keep tests fast: real back-off code, millisecond waits.
FAST_RETRY: dict[str, Any] = {"backoff_base": 0.001, "backoff_max": 0.005, "retry_after_max": 5, "max_retries": 3, "requests_per_second": 0}


@pytest.fixture
def connection(monkeypatch: pytest.MonkeyPatch) -> Callable[..., dict[str, Any]]:
    """Define an Airflow connection through ``AIRFLOW_CONN_<ID>`` (JSON form)."""

    def define(conn_id: str, conn_type: str, **fields: Any) -> dict[str, Any]:
        data = {"conn_type": conn_type, **fields}
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(data))
        return data

    return define


@pytest.fixture
def leak_check(capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> Callable[..., None]:
    """Assert that none of the given secrets (plain or base64) reached stdout, stderr, logs or texts."""
    import base64

    def check(secrets: list[str], *texts: Any) -> None:
        out, err = capfd.readouterr()
        haystack = "\n".join([out, err, caplog.text, *(str(t) for t in texts)])
        for secret in secrets:
            for form in (secret, base64.b64encode(secret.encode()).decode()):
                assert form not in haystack, f"secret leaked: {form[:6]}..."

    return check


@pytest.fixture(scope="session")
def airflow_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A migrated metadata DB for ``dag.test()`` in the test AIRFLOW_HOME."""
    from airflow.utils import db

    db.resetdb()
    yield


class FakeClock:
    """A clock that advances only when something sleeps (or a test calls :meth:`advance`): no real waiting."""

    def __init__(self, wall: float = 1_800_000_000.0) -> None:
        import threading

        self._monotonic = 1000.0
        self._wall = wall
        self._lock = threading.Lock()
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self._monotonic

    def time(self) -> float:
        return self._wall

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._monotonic += max(0.0, seconds)
            self._wall += max(0.0, seconds)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)

    async def asleep(self, seconds: float) -> None:
        import asyncio

        self.sleeps.append(seconds)
        self.advance(seconds)
        await asyncio.sleep(0)


@pytest.fixture
def documented() -> Callable[[str], bytes]:
    """``documented("kore/list-sms-200-v2.json")``: a vendor's documented example body, byte for byte
    (``tests/vendors/documented/``, each file's source in its README)."""
    return lambda name: (REPO / "tests" / "vendors" / "documented" / name).read_bytes()


@pytest.fixture
def clock() -> FakeClock:
    """The one fake clock: pass it to hooks, transports, flows and triggers (``trigger.clock = clock``)."""
    return FakeClock()


def make_ref(vendor: str, created: Any, stream_id: str = "st-1") -> Any:
    """The typed reference of what ``Simulator.add_campaign`` returned (or of plain ids)."""
    from airflow_provider_campaigns.vendors import bsg, cellcast, comm, kore

    if vendor == "bsg":
        return bsg.campaign(created)
    if vendor == "cellcast":
        return cellcast.message(created[0] if isinstance(created, list) else created)
    if vendor == "comm":
        return comm.send(created[0], created[1])
    return kore.KoreCampaign(created, stream_id)


@pytest.fixture(name="make_ref")
def make_ref_fixture() -> Callable[..., Any]:
    """``make_ref(vendor, created, stream_id)``: a typed campaign reference for tests."""
    return make_ref


class FakeTI:
    """The task instance a unit test hands an operator: XComs kept in a dict, ids only when given."""

    def __init__(self, **ids: Any) -> None:
        self.xcoms: dict[str, Any] = {}
        self.task_id = ids.pop("task_id", "task")
        for name, value in ids.items():
            setattr(self, name, value)

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcoms[key] = value

    def xcom_pull(self, task_ids: Any = None, key: str = "return_value", **_: Any) -> Any:
        return self.xcoms.get(key)


class MemoryStore:
    """A stop journal's store in a dict (the real one is an Airflow Variable): what it holds, how often it was written,
    and a log of every value written (as JSON would keep it) and every key deleted."""

    def __init__(self) -> None:
        self.saved: dict[str, Any] = {}
        self.writes = 0
        self.log: list[Any] = []

    def load(self, key: str) -> Any:
        return json.loads(json.dumps(self.saved[key])) if key in self.saved else None

    def save(self, key: str, value: Any) -> None:
        self.writes += 1
        self.saved[key] = json.loads(json.dumps(value))
        self.log.append(self.saved[key])

    def delete(self, key: str) -> None:
        self.saved.pop(key, None)
        self.log.append(f"delete {key}")


@pytest.fixture
def journal_store(monkeypatch: pytest.MonkeyPatch) -> MemoryStore:
    """A :class:`MemoryStore` every stop journal of the test writes to, instead of an Airflow Variable."""
    store = MemoryStore()
    monkeypatch.setattr("airflow_provider_campaigns.engine.journal.VariableStore", lambda: store)
    return store


@pytest.fixture
def ti() -> FakeTI:
    """A fake task instance (no run ids: no journal)."""
    return FakeTI()


@pytest.fixture
def fast_retry() -> dict[str, Any]:
    """Connection extras that keep retries real but millisecond-short."""
    return dict(FAST_RETRY)


#: The ways a kill switch can fail after it starts sending (issue 20): each must leave the run red.
FAILURE_KINDS = ("bad_credentials", "list_refused", "drifted_answer", "timeout", "partial_stop")


def break_kill_switch(sim: Any, kind: str, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Any], Any]:
    """Targets for a kill switch that fails in the given way (a good BSG target beside a broken one), and the good campaign.

    ``partial_stop`` breaks one campaign; every other kind breaks Kore.ai's ``all_active`` target
    before it selects anything (a wrong secret, a refused list, a list answer without the documented
    list, a list slower than the stop may take).
    """
    good = sim.add_campaign("bsg", status="sending")
    sim.add_campaign("kore", status="Active")
    targets: dict[str, Any] = {"bsg": {"campaign_ids": [good]}, "kore": {"all_active": True}}
    lists = "getAllCampaignDetails"
    if kind == "bad_credentials":
        conn = sim.connections()["kore_default"]
        monkeypatch.setenv("AIRFLOW_CONN_KORE_DEFAULT", json.dumps({**conn, "password": "not-the-secret-" + "x" * 30}))
    elif kind == "list_refused":
        sim.inject("kore", "status", status=403, path=lists, times=None)
    elif kind == "drifted_answer":
        sim.inject("kore", "status", status=200, body={"moreAvailable": False, "result": []}, path=lists, times=None)
    elif kind == "timeout":
        sim.inject("kore", "slow", delay=3.0, path=lists, times=None)
    elif kind == "partial_stop":
        targets = {"bsg": {"campaign_ids": [good, 999999]}}
    else:
        raise ValueError(kind)
    return targets, good


async def next_event(trigger: Any) -> dict[str, Any]:
    """The first event a trigger yields (its payload), in the running event loop; the trigger is closed after it."""
    run = trigger.run()
    try:
        event = await run.__anext__()
    finally:
        await run.aclose()
    return dict(event.payload)


def first_event(trigger: Any, timeout: float = 10.0) -> dict[str, Any]:
    """:func:`next_event` in a fresh event loop, failing after ``timeout`` seconds."""
    import asyncio

    return asyncio.run(asyncio.wait_for(next_event(trigger), timeout))


def status_trigger(vendor: str, refs: list[Any], conn_id: str | None = None, interval: float = 0.05, deadline_in: float = 10.0) -> Any:
    """A status trigger waiting for ``refs`` (one vendor, one connection: ``<vendor>_default`` unless named) to stop or complete."""
    import time

    from airflow_provider_campaigns.engine.wait_payload import group
    from airflow_provider_campaigns.triggers.status import CampaignStatusTrigger

    groups = [group(vendor, conn_id or f"{vendor}_default", refs)]
    return CampaignStatusTrigger(groups, ["stopped", "completed"], interval, time.time() + deadline_in)


def run_trigger(
    vendor: str, refs: list[Any], conn_id: str | None = None, deadline_in: float = 10.0, interval: float = 0.05
) -> dict[str, Any]:
    """The first event of a :func:`status_trigger` (within 30 s)."""
    return first_event(status_trigger(vendor, refs, conn_id, interval, deadline_in), 30)


def scrubbed_env(*dropped: str, **changes: str | None) -> dict[str, str]:
    """This process's environment without the variables whose names start with ``dropped``; ``changes`` set (``None`` unsets)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(dropped)}
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_user_pytest(
    folder: Path, test_code: str, *options: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``test_code`` as a user would: ``folder/test_user.py`` in a pytest of its own (this interpreter, the installed
    plugins, ``options`` added), with ``env`` (this process's when ``None``). Its outcome is returned, never raised."""
    (folder / "test_user.py").write_text(test_code, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options, "test_user.py"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


#: Connection extras for tests against the simulator: real back-off code, centisecond waits.
SIM_EXTRA: dict[str, Any] = {"backoff_base": 0.01, "backoff_max": 0.05}


def point_connections(simulator: Any, monkeypatch: pytest.MonkeyPatch, extra: dict[str, Any]) -> None:
    """Every ``*_default`` connection pointing at ``simulator``, with ``extra`` added to its extras."""
    for conn_id, conn in simulator.connections().items():
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps({**conn, "extra": {**conn["extra"], **extra}}))


def pace_connections(simulator: Any, monkeypatch: pytest.MonkeyPatch, rate: float = 0) -> None:
    """Every ``*_default`` connection at ``simulator`` (:data:`SIM_EXTRA`), keeping ``rate`` requests a second (0: unlimited)."""
    point_connections(simulator, monkeypatch, {**SIM_EXTRA, "requests_per_second": rate})


@pytest.fixture
def simulated(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Any]]:
    """``simulated(extra=SIM_EXTRA, **simulator_kwargs)``: a running simulator, every ``*_default`` connection
    pointing at it (with ``extra`` added; ``{}`` keeps the default retry policy); stopped after the test.
    """
    from airflow_provider_campaigns.simulator import Simulator

    started: list[Any] = []

    def start(extra: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        simulator = Simulator(port=0, **kwargs).start()
        started.append(simulator)
        point_connections(simulator, monkeypatch, SIM_EXTRA if extra is None else extra)
        return simulator

    yield start
    for simulator in started:
        simulator.stop()


@pytest.fixture
def sim(simulated: Callable[..., Any]) -> Any:
    """A running simulator as :func:`simulated` starts it by default (a module needing another one overrides ``sim``)."""
    return simulated()


# -- a scripted transport for sans-I/O flows (vendor modules, the protocol flows) ---------------------------------
# Flows are driven exactly as a transport drives them (``Send`` -> a ``Reply``, ``NeedToken`` -> a token, ``Sleep`` ->
# the fake clock advances), with every answer taken from a script: no sockets, no real waiting.
JSON_HEADERS = {"content-type": "application/json"}


def as_bytes(body: Any) -> bytes:
    """A body as sent on the wire: bytes unchanged, ``None`` empty, anything else as JSON."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    return json.dumps(body).encode()


def vendor_reply(vendor: str, request: Any, status: int, body: Any = None, headers: dict[str, str] | None = None) -> Any:
    """A vendor's answer to ``request`` as a transport hands it to a flow: ``body`` as on the wire, JSON headers unless given."""
    from airflow_provider_campaigns.core.wire import Reply

    return Reply(vendor, request, status, JSON_HEADERS if headers is None else headers, as_bytes(body))


def fake_connection(
    conn_id: str, host: Any = None, login: Any = None, password: Any = None, extra: dict[str, Any] | None = None, **fields: Any
) -> Any:
    """What the provider reads of an Airflow connection (``vendor_spec(key).connect(...)``), without Airflow;
    ``fields``: ``port`` or ``schema`` (``None`` unless given)."""
    from types import SimpleNamespace

    fields = {"port": None, "schema": None, **fields}
    return SimpleNamespace(conn_id=conn_id, host=host, login=login, password=password, extra_dejson=extra or {}, **fields)


class Script:
    """Drives a flow like a transport, answering its requests in order from ``answers``.

    An answer is ``(status, body)``, ``(status, body, headers)`` or a :class:`TransportFailure`.
    An answer may also be a ready :class:`Reply`. A request beyond the script gets ``then`` or, without one, fails
    the test; :attr:`sent` keeps every ``Send`` in order.
    """

    def __init__(self, vendor: str, answers: Sequence[Any], clock: Any, then: Any = None) -> None:
        self.vendor = vendor
        self.answers = list(answers)
        self.then = then
        self.clock = clock
        self.sent: list[Any] = []
        self.token_asks: list[Any] = []
        self.sleeps: list[float] = []

    def run(self, flow: Any) -> Any:
        from airflow_provider_campaigns.core.flow import NeedToken, Send, Sleep

        outcome: Any = None
        while True:
            try:
                action = flow.send(outcome)
            except StopIteration as done:
                return done.value
            if isinstance(action, NeedToken):
                self.token_asks.append(action)
                outcome = f"token-{len(self.token_asks)}"
            elif isinstance(action, Sleep):
                self.sleeps.append(action.seconds)
                self.clock.sleep(action.seconds)
                outcome = None
            else:
                assert isinstance(action, Send), action
                self.sent.append(action)
                assert self.answers or self.then, f"unscripted request: {action.request.describe()} {dict(action.request.params)}"
                outcome = self.reply(action.request, self.answers.pop(0) if self.answers else self.then)

    def reply(self, request: Any, answer: Any) -> Any:
        from airflow_provider_campaigns.core.flow import TransportFailure
        from airflow_provider_campaigns.core.wire import Reply

        if isinstance(answer, (TransportFailure, Reply)):
            return answer
        status, body, *headers = answer
        return vendor_reply(self.vendor, request, status, body, *headers)

    @property
    def requests(self) -> list[Any]:
        return [send.request for send in self.sent]

    @property
    def calls(self) -> list[str]:
        """``METHOD path`` of every request sent, in order."""
        return [request.describe() for request in self.requests]


@pytest.fixture
def budget(clock: Any) -> Any:
    """Real retry code with millisecond back-off on the fake clock (at most 3 retries per call)."""
    from airflow_provider_campaigns.core.flow import Budget
    from airflow_provider_campaigns.core.retry import RetryPolicy

    return Budget(RetryPolicy(max_retries=3, backoff_base=0.001, backoff_max=0.005, retry_after_max=5, total_timeout=60), clock)


@pytest.fixture
def script(clock: Any) -> Callable[..., Script]:
    """``script(vendor, *answers)``: a :class:`Script` on the fake clock."""
    return lambda vendor, *answers: Script(vendor, answers, clock)
