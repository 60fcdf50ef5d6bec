"""Fault matrix: every vendor x {stop, status read (sync), status read (trigger)} x fault, against the
simulator on loopback (real sockets, real retry code, millisecond back-offs).

Each case checks the outcome (success, or a classified error), the number of attempts the
transports made, the time spent, and that no campaign was stopped twice. Expected outcomes,
derived from ``core/flow.py``, ``vendors/base.py`` and ``triggers/status.py``:

- a retryable fault (429, 500, 502, 503, 504, slow answer, dropped or refused connection,
  malformed JSON, empty body, wrong content type) N <= max_retries times, then recovery:
  success after exactly N + 1 attempts;
- the same fault forever: ``TransientError`` (an ``AirflowException``, not an
  ``AirflowFailException``) naming vendor and campaign after max_retries + 1 attempts; in the
  trigger: polled again until the deadline, then a ``timeout`` event;
- an expired/rejected token: BSG logs in again, Kore.ai mints again, once, and the call succeeds
  (a second rejection is an ``AuthenticationError``); Cellcast and comm.com have static keys: a 401
  is an ``AuthenticationError`` at once (in the trigger: an ``error`` event at once);
- a stop whose 2xx answer is unreadable is not taken on trust: the status is read, and the stop is
  sent again only while the campaign still runs (at most ``UNREADABLE_STOP_ATTEMPTS`` stops, then
  ``TransientError``); a stop applied whose answer was garbled is therefore never re-sent. A stop
  applied whose answer was lost (dropped, 503) is re-sent, refused and found stopped: ``stopped``
  (the lost attempt did it; ``fail_if_already_final`` must not fail it).
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any

import pytest

from airflow_provider_campaigns.protocol.flows import UNREADABLE_STOP_ATTEMPTS
from tests.conftest import next_event, run_trigger, status_trigger

pytestmark = pytest.mark.figure("faults")

VENDORS = ("bsg", "cellcast", "comm", "kore")
VENDOR_NAME = {"bsg": "BSG", "cellcast": "Cellcast", "comm": "comm.com", "kore": "Kore.ai"}
RUNNING = {"bsg": "sending", "cellcast": "scheduled", "comm": "in_progress", "kore": "Active"}
STOPPED = {"bsg": "stopped", "cellcast": "canceled", "comm": "stopped", "kore": "Stopped"}
STOP_ACTIONS = ("stop", "cancel")
STATUS_ACTIONS = ("status read",)
MAX_RETRIES = 3  # conftest FAST; "N times then recovery" uses N = max_retries, the boundary
SLOW_MAX_RETRIES = 1  # conftest SLOW
PAST_HTTP_DATE = formatdate(time.time() - 3600, usegmt=True)
TRIGGER_DEADLINE = 0.5
BUDGET_SECONDS = 1.5  # conftest BUDGET: no max_retries, retry_total_timeout 1.5 s

#: fault name -> Simulator.inject keyword arguments (``refused`` needs no simulator)
FAULTS: dict[str, dict[str, Any]] = {
    "429-seconds": {"fault": "status", "status": 429, "retry_after": "0"},
    "429-http-date": {"fault": "status", "status": 429, "retry_after": PAST_HTTP_DATE},
    "500": {"fault": "status", "status": 500},
    "502-html": {"fault": "status", "status": 502},
    "503": {"fault": "status", "status": 503},
    "504": {"fault": "status", "status": 504},
    "slow": {"fault": "slow", "delay": 0.6},  # conftest SLOW_DELAY, read timeout 0.15 s
    "drop": {"fault": "drop"},
    "refused": {},
    "malformed": {"fault": "malformed"},
    "empty": {"fault": "empty"},
    "content-type": {"fault": "content_type"},
    "expire-token": {"fault": "expire_token"},
}
UNREADABLE = ("malformed", "empty", "content-type")
REFRESHABLE = ("bsg", "kore")


@dataclass(frozen=True)
class Case:
    vendor: str
    op: str  # stop | status | trigger
    fault: str
    #: recover (the fault N = max_retries times, then a normal answer), forever, once (tokens),
    #: after / forever-after (the vendor applied the stop, then the answer was spoilt), before /
    #: forever-before (a 2xx garbage answer without the stop being applied: a proxy or maintenance page)
    mode: str

    @property
    def id(self) -> str:
        return f"{self.vendor}-{self.op}-{self.fault}-{self.mode}"


def _cases() -> list[Any]:
    cases: list[Any] = []
    for vendor in VENDORS:
        for op in ("stop", "status", "trigger"):
            for fault in FAULTS:
                if fault == "expire-token":
                    modes = ["once", "forever"]
                elif op == "stop" and fault in UNREADABLE:
                    modes = ["after", "forever-after", "before", "forever-before"]
                elif op == "stop" and fault in ("drop", "503"):
                    modes = ["recover", "forever", "after"]
                else:
                    modes = ["recover", "forever"]
                for mode in modes:
                    case = Case(vendor, op, fault, mode)
                    cases.append(pytest.param(case, id=case.id))
    return cases


CASES = _cases()
SYNC_CASES = [c for c in CASES if c.values[0].op != "trigger"]
#: transient faults forever: each trigger polls until its deadline, so they run all at once
TRIGGER_FOREVER = [
    c for c in CASES if c.values[0].op == "trigger" and c.values[0].mode == "forever" and c.values[0].fault != "expire-token"
]
TRIGGER_CASES = [c for c in CASES if c.values[0].op == "trigger" and c not in TRIGGER_FOREVER]


@pytest.fixture(scope="module", autouse=True)
def _slow_answers_drained() -> Any:
    """Let the simulator finish the slow answers nobody waits for any more before the module ends."""
    yield
    time.sleep(0.7)


# -- helpers --------------------------------------------------------------------------------
def hook_for(vendor: str, conn_id: str) -> Any:
    from airflow_provider_campaigns.hooks.bsg import BsgHook
    from airflow_provider_campaigns.hooks.cellcast import CellcastHook
    from airflow_provider_campaigns.hooks.comm import CommHook
    from airflow_provider_campaigns.hooks.kore import KoreHook

    return {"bsg": BsgHook, "cellcast": CellcastHook, "comm": CommHook, "kore": KoreHook}[vendor](conn_id)


def ref_of(vendor: str, created: Any, stream_id: str) -> Any:
    from airflow_provider_campaigns.vendors import bsg, cellcast, comm, kore

    if vendor == "bsg":
        return bsg.campaign(created, "sms")
    if vendor == "cellcast":
        return cellcast.message(created[0], "sms")
    if vendor == "comm":
        return comm.send(created[0], created[1])
    return kore.KoreCampaign(created, stream_id)


def label_of(vendor: str, ref: Any) -> str:
    return str(ref.label)


def fault_path(vendor: str, op: str, ref: Any) -> str:
    """A regex matching only this campaign's stop or status path (Cellcast's cancel path has no id)."""
    cid = re.escape(str(ref.campaign_id if vendor == "comm" else ref.id))
    if op == "stop":
        return {
            "bsg": rf"/api/campaigns/{cid}/stop$",
            "cellcast": r"/cancelScheduleQuickMessage$",
            "comm": rf"/stop/{re.escape(getattr(ref, 'send_id', ''))}$",
            "kore": rf"/trigger/{cid}$",
        }[vendor]
    return {
        "bsg": rf"/api/campaigns/{cid}$",
        "cellcast": rf"/report/message/{cid}$",
        "comm": rf"/sms/campaigns/{cid}$",
        "kore": rf"/campaign/{cid}/status$",
    }[vendor]


def fake_ref(vendor: str, stream_id: str) -> Any:
    """A well-formed reference for a server that is not there (connection refused)."""
    created = {
        "bsg": "4242",
        "cellcast": ["a" * 24],
        "comm": ("3c90c3cc-0d44-4b50-8888-8dd25736052a", "4d90c3cc-0d44-4b50-8888-8dd25736052b"),
    }
    return ref_of(vendor, created.get(vendor, "cd-refused"), stream_id)


def logins(sim: Any) -> int:
    return sum(1 for r in sim.requests("bsg") if r["path"] == "/api/auth/login" and r["status"] == 200)


def kore_jwts(sim: Any, campaign_id: str) -> set[str]:
    return {r["headers"].get("auth", "") for r in sim.requests("kore") if campaign_id in r["path"]}


def refused_connection(sim: Any, vendor: str, net: Any, mp: pytest.MonkeyPatch) -> tuple[str, str, int]:
    """A connection (fast retries) to a loopback port nothing listens on: (conn id, base URL, port)."""
    port = net.closed_port()
    conn_id = f"rel_{vendor}_refused_{port}"
    conn = net.sim_connections(sim, port)[f"rel_{vendor}"]
    net.set_connections(mp, {conn_id: conn})
    return conn_id, conn["host"], port


class Setup:
    """One case's campaign, connection and fault, on the module simulator or on a late one."""

    def __init__(self, case: Case, sim: Any, sends: Any, net: Any, mp: pytest.MonkeyPatch, initial: str) -> None:
        from airflow_provider_campaigns.simulator import Simulator

        self.case, self.sim, self.sends = case, sim, sends
        self.target = sim
        self.late: Any = None
        self.base_url: str | None = None
        vendor = case.vendor
        stream = sim.credentials.kore_stream_id
        self.conn_id = f"rel_{vendor}_slow" if case.fault == "slow" else f"rel_{vendor}"
        self.max_retries = SLOW_MAX_RETRIES if case.fault == "slow" else MAX_RETRIES
        self.times = self.max_retries
        if case.fault == "refused":
            self.conn_id, self.base_url, port = refused_connection(sim, vendor, net, mp)
            if case.mode == "recover":
                # the vendor comes up (on the refused port) just before attempt N + 1
                self.late = self.target = Simulator(port=port, credentials=sim.credentials)
                late = self.late
                sends.before[self.base_url] = lambda count: late.start() if count == self.times + 1 else None
                self.ref = ref_of(vendor, late.add_campaign(vendor, status=initial), stream)
            else:
                self.ref = fake_ref(vendor, stream)
        else:
            self.ref = ref_of(vendor, sim.add_campaign(vendor, status=initial), stream)
            op = "stop" if case.op == "stop" else "status"
            params = dict(FAULTS[case.fault])
            kind = params.pop("fault")
            when = "after" if case.mode in ("after", "forever-after") else "before"
            times = {"recover": self.times, "forever": None, "forever-after": None, "forever-before": None}.get(case.mode, 1)
            sim.inject(vendor, fault=kind, times=times, path=fault_path(vendor, op, self.ref), when=when, **params)
        self.label = label_of(vendor, self.ref)

    def attempts(self, actions: tuple[str, ...]) -> int:
        """Attempts of the first request that met the fault (for BSG behind a refused port: the login)."""
        if self.base_url is not None and self.case.vendor == "bsg":
            return int(self.sends.count(actions=("login",), base_url=self.base_url))
        return int(self.sends.count(campaign_id=self.label, actions=actions))

    def stop_count(self) -> int:
        if self.case.fault == "refused" and self.case.mode != "recover":
            return 0
        key = self.ref.send_id if self.case.vendor == "comm" else self.ref.id
        return int(self.target.stop_count(self.case.vendor, key))

    def close(self) -> None:
        if self.late is not None:
            self.late.stop()


def assert_transient(error: BaseException | None, vendor: str, label: str) -> None:
    from airflow.providers.common.compat.sdk import AirflowException, AirflowFailException

    from airflow_provider_campaigns.exceptions import TransientError

    assert isinstance(error, TransientError), repr(error)
    assert isinstance(error, AirflowException) and not isinstance(error, AirflowFailException)
    text = str(error)
    assert VENDOR_NAME[vendor] in text
    assert label in text or (vendor == "bsg" and "login" in text), text


def assert_auth(error: BaseException | None, vendor: str) -> None:
    from airflow.providers.common.compat.sdk import AirflowFailException

    from airflow_provider_campaigns.exceptions import AuthenticationError

    assert isinstance(error, AuthenticationError), repr(error)
    assert isinstance(error, AirflowFailException)
    assert VENDOR_NAME[vendor] in str(error) and "401" in str(error)


# -- sync: stop and status read ---------------------------------------------------------------
@pytest.mark.parametrize("case", SYNC_CASES)
def test_sync(case: Case, sim: Any, sends: Any, net: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    sends.clear()
    vendor, op = case.vendor, case.op
    setup = Setup(case, sim, sends, net, monkeypatch, RUNNING[vendor])
    hook = hook_for(vendor, setup.conn_id)
    result: Any = None
    error: BaseException | None = None
    logins_before = logins(sim)
    started = time.monotonic()
    try:
        result = hook.stop(setup.ref) if op == "stop" else hook.status(setup.ref)
    except Exception as caught:  # noqa: BLE001 - classified below
        error = caught
    finally:
        elapsed = time.monotonic() - started
        hook.close()
        setup.close()
    actions = STOP_ACTIONS if op == "stop" else STATUS_ACTIONS
    attempts = setup.attempts(actions)
    stop_count = setup.stop_count()
    assert stop_count <= 1, "a campaign was stopped twice"
    assert elapsed < 3.0, f"took {elapsed:.2f} s"
    fault, mode = case.fault, case.mode
    if fault == "expire-token":
        refresh = vendor in REFRESHABLE
        if refresh and mode == "once":
            assert error is None, repr(error)
            assert attempts == 2
        else:
            assert_auth(error, vendor)
            assert attempts == (2 if refresh else 1)
        if vendor == "bsg":
            assert logins(sim) - logins_before == 2, "exactly one re-login"
        if vendor == "kore":
            assert len(kore_jwts(sim, setup.ref.id)) == 2, "exactly one re-mint"
        assert stop_count == (1 if op == "stop" and refresh and mode == "once" else 0)
        return
    if mode == "recover":
        assert error is None, repr(error)
        assert attempts == setup.times + 1
        if op == "stop":
            assert result.outcome == "stopped" and result.status.state.value == "stopped"
            assert stop_count == 1
        return
    if mode == "forever":
        assert_transient(error, vendor, setup.label)
        assert attempts == setup.max_retries + 1
        return
    if mode in ("after", "forever-after") and fault in UNREADABLE:
        # applied, answer garbled: not re-sent; the status read says it is stopped
        assert error is None, repr(error)
        assert result.outcome == "stopped" and result.status.state.value == "stopped"
        assert attempts == 1 and setup.attempts(STATUS_ACTIONS) == 1
        assert stop_count == 1
        return
    if mode == "after":
        # applied, answer lost (dropped, 503): re-sent, refused, found stopped: our first attempt did it
        assert error is None, repr(error)
        assert result.outcome == "stopped" and result.status.state.value == "stopped"
        assert attempts == 2 and stop_count == 1
        return
    # not applied, answer garbled (a 200 maintenance page): never reported "stopped" while the campaign
    # still runs. The status is read after each unreadable answer and the stop sent again while it runs.
    if mode == "before":
        assert error is None, repr(error)
        assert result.outcome == "stopped" and result.status.is_final, f"{result.outcome!r} but {result.status.vendor_status!r}"
        assert attempts == 2 and setup.attempts(STATUS_ACTIONS) == 1 and stop_count == 1
        return
    assert mode == "forever-before"
    assert_transient(error, vendor, setup.label)
    repeats = UNREADABLE_STOP_ATTEMPTS
    assert attempts == repeats and setup.attempts(STATUS_ACTIONS) == repeats
    assert stop_count == 0


# -- trigger: status polling in the triggerer ---------------------------------------------------
@pytest.mark.parametrize("case", TRIGGER_CASES)
def test_trigger(case: Case, sim: Any, sends: Any, net: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    sends.clear()
    vendor = case.vendor
    setup = Setup(case, sim, sends, net, monkeypatch, STOPPED[vendor])
    logins_before = logins(sim)
    started = time.monotonic()
    try:
        payload = run_trigger(vendor, [setup.ref], setup.conn_id, deadline_in=10)
    finally:
        elapsed = time.monotonic() - started
        setup.close()
    attempts = setup.attempts(STATUS_ACTIONS)
    assert sends.count(actions=STOP_ACTIONS) == 0, "a trigger never sends a stop"
    if case.fault == "expire-token":
        if vendor in REFRESHABLE and case.mode == "once":
            assert payload["status"] == "success", payload
            assert attempts == 2
        else:
            assert payload["status"] == "error", payload
            assert "401" in payload["message"] and VENDOR_NAME[vendor] in payload["message"]
            assert attempts == (2 if vendor in REFRESHABLE else 1)
            assert elapsed < 2.0, "a permanent error ends the wait at once"
        if vendor == "bsg":
            assert logins(sim) - logins_before == 2
        if vendor == "kore":
            assert len(kore_jwts(sim, setup.ref.id)) == 2
        return
    assert case.mode == "recover"
    assert payload["status"] == "success", payload
    assert payload["statuses"][0]["state"] == "stopped"
    assert attempts == setup.times + 1
    assert elapsed < 3.0


@pytest.fixture(scope="module")
def forever_results(sim_module: Any, sends: Any, net: Any, masker_snapshot: Any) -> dict[str, dict[str, Any]]:
    with masker_snapshot():
        return _forever_results(sim_module, sends, net)


def _forever_results(sim_module: Any, sends: Any, net: Any) -> dict[str, dict[str, Any]]:
    """Every trigger-forever case at once (concurrently, one event loop): each polls until its deadline."""
    sim = sim_module
    sim.reset()
    sends.clear()
    stream = sim.credentials.kore_stream_id
    plans: list[tuple[Case, str, Any, str | None]] = []
    with pytest.MonkeyPatch.context() as mp:
        for param in TRIGGER_FOREVER:
            case: Case = param.values[0]
            vendor = case.vendor
            if case.fault == "refused":
                conn_id, base_url, _ = refused_connection(sim, vendor, net, mp)
                plans.append((case, conn_id, fake_ref(vendor, stream), base_url))
                continue
            ref = ref_of(vendor, sim.add_campaign(vendor, status=STOPPED[vendor]), stream)
            params = dict(FAULTS[case.fault])
            sim.inject(vendor, fault=params.pop("fault"), times=None, path=fault_path(vendor, "status", ref), **params)
            plans.append((case, f"rel_{vendor}_slow" if case.fault == "slow" else f"rel_{vendor}", ref, None))

        async def one(case: Case, conn_id: str, ref: Any) -> tuple[dict[str, Any], float]:
            trigger = status_trigger(case.vendor, [ref], conn_id, interval=0.2, deadline_in=TRIGGER_DEADLINE)
            started = time.monotonic()
            return await next_event(trigger), time.monotonic() - started

        async def run_all() -> list[tuple[dict[str, Any], float]]:
            # Each trigger run builds an httpx client (an SSL context: ~50 ms of CPU on the event loop).
            # The slow-answer cases run after the burst, so that no loop stall hides their read timeout.
            fast = [plan for plan in plans if plan[0].fault != "slow"]
            slow = [plan for plan in plans if plan[0].fault == "slow"]
            done = await asyncio.gather(*(one(case, conn_id, ref) for case, conn_id, ref, _ in fast))
            done += await asyncio.gather(*(one(case, conn_id, ref) for case, conn_id, ref, _ in slow))
            order = [*fast, *slow]
            return [done[order.index(plan)] for plan in plans]

        done = asyncio.run(asyncio.wait_for(run_all(), 60))
    sim.clear_faults()
    results: dict[str, dict[str, Any]] = {}
    for (case, _, ref, base_url), (payload, elapsed) in zip(plans, done, strict=True):
        label = label_of(case.vendor, ref)
        if base_url is not None and case.vendor == "bsg":
            attempts = sends.count(actions=("login",), base_url=base_url)
        elif base_url is not None:
            attempts = sends.count(actions=STATUS_ACTIONS, base_url=base_url)
        else:
            attempts = sends.count(campaign_id=label, actions=STATUS_ACTIONS)
        results[case.id] = {"payload": payload, "elapsed": elapsed, "attempts": attempts}
    return results


@pytest.mark.parametrize("case", TRIGGER_FOREVER)
def test_trigger_forever(case: Case, forever_results: dict[str, dict[str, Any]]) -> None:
    result = forever_results[case.id]
    payload, elapsed = result["payload"], result["elapsed"]
    assert payload["status"] == "timeout", payload
    assert VENDOR_NAME[case.vendor] in payload["message"] and "deadline" in payload["message"] and "last seen" in payload["message"]
    max_retries = SLOW_MAX_RETRIES if case.fault == "slow" else MAX_RETRIES
    assert result["attempts"] >= max_retries + 1, "at least one full round of retries before the deadline"
    # bounded: the deadline, plus one round of retries, plus the start-up of ~50 triggers at once
    assert TRIGGER_DEADLINE * 0.9 <= elapsed < TRIGGER_DEADLINE + 6.0, f"{elapsed:.2f} s"


# -- Retry-After: honoured, and bounded ------------------------------------------------------
def test_retry_after_one_second_is_honoured(sim: Any, sends: Any) -> None:
    sends.clear()
    created = sim.add_campaign("bsg", status="sending")
    sim.inject("bsg", fault="status", status=429, retry_after="1", times=1, path=rf"/api/campaigns/{created}/stop$")
    hook = hook_for("bsg", "rel_bsg")
    hook.login()
    started = time.monotonic()
    outcome = hook.stop_campaign(created)
    elapsed = time.monotonic() - started
    hook.close()
    assert outcome.outcome == "stopped" and sim.stop_count("bsg", created) == 1
    assert 0.95 <= elapsed < 2.5
    assert sends.count(campaign_id=str(created), actions=STOP_ACTIONS) == 2


def test_retry_after_one_second_is_honoured_in_the_trigger(sim: Any, sends: Any) -> None:
    sends.clear()
    created = sim.add_campaign("kore", status="Stopped")
    sim.inject("kore", fault="status", status=429, retry_after="1", times=1, path=rf"/campaign/{created}/status$")
    started = time.monotonic()
    payload = run_trigger("kore", [ref_of("kore", created, sim.credentials.kore_stream_id)], "rel_kore")
    assert payload["status"] == "success"
    assert 0.95 <= time.monotonic() - started < 3.0


@pytest.mark.parametrize("retry_after", ["60", formatdate(time.time() + 3600, usegmt=True)], ids=["seconds-over-max", "http-date-over-max"])
@pytest.mark.parametrize("vendor", VENDORS)
def test_retry_after_over_the_cap_gives_up_at_once(vendor: str, retry_after: str, sim: Any, sends: Any) -> None:
    sends.clear()
    stream = sim.credentials.kore_stream_id
    ref = ref_of(vendor, sim.add_campaign(vendor, status=RUNNING[vendor]), stream)
    sim.inject(vendor, fault="status", status=429, retry_after=retry_after, times=None, path=fault_path(vendor, "status", ref))
    hook = hook_for(vendor, f"rel_{vendor}")
    started = time.monotonic()
    with pytest.raises(Exception) as caught:
        hook.status(ref)
    assert_transient(caught.value, vendor, label_of(vendor, ref))
    assert "Retry-After" in str(caught.value) and "retry_after_max" in str(caught.value)
    assert sends.count(campaign_id=label_of(vendor, ref), actions=STATUS_ACTIONS) == 1
    assert time.monotonic() - started < 1.0


# -- time budgets: no attempt cap, retries end at the deadline and only there ----------------
BUDGET_FAULTS = ("429-seconds", "503", "drop", "malformed")


#: an unreadable 2xx answer to a stop is bounded in attempts instead (test_sync's forever-before cases)
BUDGET_CASES = [(v, op, f) for v in VENDORS for op in ("stop", "status") for f in BUDGET_FAULTS if not (op == "stop" and f in UNREADABLE)]


@pytest.mark.parametrize(("vendor", "op", "fault"), BUDGET_CASES)
def test_a_burst_longer_than_any_attempt_count_is_outlived_within_the_budget(
    vendor: str, op: str, fault: str, sim: Any, sends: Any
) -> None:
    """Twelve failures in a row (the old default gave up after five attempts): the call still succeeds."""
    sends.clear()
    ref = ref_of(
        vendor, sim.add_campaign(vendor, status=RUNNING[vendor] if op == "stop" else STOPPED[vendor]), sim.credentials.kore_stream_id
    )
    params = dict(FAULTS[fault])
    sim.inject(vendor, fault=params.pop("fault"), times=12, path=fault_path(vendor, op, ref), **params)
    hook = hook_for(vendor, f"rel_{vendor}_budget")
    try:
        result = hook.stop(ref) if op == "stop" else hook.status(ref)
    finally:
        hook.close()
    actions = STOP_ACTIONS if op == "stop" else STATUS_ACTIONS
    assert sends.count(campaign_id=label_of(vendor, ref), actions=actions) == 13
    if op == "stop":
        assert result.outcome == "stopped" and sim.stop_count(vendor, ref.send_id if vendor == "comm" else ref.id) == 1


@pytest.mark.parametrize("vendor", VENDORS)
def test_trouble_that_outlasts_the_budget_ends_at_the_deadline_naming_the_campaign(vendor: str, sim: Any, sends: Any) -> None:
    sends.clear()
    ref = ref_of(vendor, sim.add_campaign(vendor, status=STOPPED[vendor]), sim.credentials.kore_stream_id)
    sim.inject(vendor, fault="status", status=503, times=None, path=fault_path(vendor, "status", ref))
    hook = hook_for(vendor, f"rel_{vendor}_budget")
    started = time.monotonic()
    with pytest.raises(Exception) as caught:
        hook.status(ref)
    elapsed = time.monotonic() - started
    hook.close()
    assert_transient(caught.value, vendor, label_of(vendor, ref))
    assert "deadline" in str(caught.value)
    assert BUDGET_SECONDS * 0.8 <= elapsed < BUDGET_SECONDS + 1.0, f"{elapsed:.2f} s for a {BUDGET_SECONDS} s budget"
    assert sends.count(campaign_id=label_of(vendor, ref), actions=STATUS_ACTIONS) > 13, "many more attempts than any old cap"
