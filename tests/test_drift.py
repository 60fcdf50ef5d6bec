"""Drift fails in seconds: a 2xx answer that parses but lacks what a vendor documents is a ContractError.

For every vendor and every read path (stop, status, list) a drifted answer ends the call after ONE
request, with no back-off sleep on the injected clock and under the connection's DEFAULT retry policy
(which retries a truncated body for a whole minute): before ContractError these answers were
classified transient, retried until the budget ran out, and Airflow retried the task three times more.
A truncated or non-JSON body stays transient (the last test). The deferred wait, a sensor's poke and
the dry run are covered in tests/triggers, tests/sensors and tests/operators (``*drift*`` tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
import responses
from airflow.providers.common.compat.sdk import AirflowFailException

from airflow_provider_campaigns.exceptions import ContractError, TransientError
from airflow_provider_campaigns.hooks.bsg import BsgHook
from airflow_provider_campaigns.hooks.cellcast import CellcastHook
from airflow_provider_campaigns.hooks.comm import CommHook
from airflow_provider_campaigns.hooks.kore import KoreHook

BSG_HOST, CELLCAST_HOST, COMM_HOST, KORE_HOST = "https://bsg.test", "https://cellcast.test", "https://comm.test", "https://kore.test"
MID = "675161d8a000000000000000"
C1, S1 = "3c90c3cc-0d44-4b50-8888-8dd25736052a", "9f1e2d3c-4b5a-4697-8887-766554433221"
STREAM, ACCOUNT = "st-0603182c-7ffb-53c3-b307-47ca14b12345", "67777ce93e25326494abcdef"
KORE_BASE = f"{KORE_HOST}/campaign/api/v2/public/{STREAM}/campaign"
COMM_CAMPAIGN = f"{COMM_HOST}/api/v1/sms/campaigns/{C1}"


@dataclass(frozen=True)
class Path:
    """One read path of one vendor: the URL it calls, a drifted 2xx body, the hook call, the doc page it names."""

    method: str
    url: str
    drifted: Any
    call: Callable[[Any], Any]
    doc: str


PATHS: dict[str, dict[str, Path]] = {
    "bsg": {
        "status": Path(
            "GET", f"{BSG_HOST}/api/campaigns/5", {"campaign": {"id": 5}}, lambda h: h.get_campaign(5), "GET /api/campaigns/{id}"
        ),
        "list": Path(
            "GET",
            f"{BSG_HOST}/api/campaigns",
            {"data": []},
            lambda h: h.list_campaigns("sms", "2026-01-01", "2026-02-01"),
            "meta.page.total",
        ),
    },
    "cellcast": {
        "status": Path(
            "GET",
            f"{CELLCAST_HOST}/api/v2/report/message/{MID}",
            {"status": True, "result": {}},
            lambda h: h.get_message(MID),
            "Get Message Detail",
        ),
        "list": Path(
            "GET",
            f"{CELLCAST_HOST}/api/v2/report/message",
            {"status": True, "data": {"rows": []}},
            lambda h: h.list_messages("promo"),
            "Get List Sent Messages",
        ),
    },
    "comm": {
        "status": Path("GET", COMM_CAMPAIGN, {"campaign": {"id": C1}}, lambda h: h.get_campaign_send(C1, S1), "Get SMS campaign"),
        "list": Path("GET", f"{COMM_HOST}/api/v1/sms/campaigns", {"campaigns": []}, lambda h: h.list_campaigns(), "List SMS campaigns"),
    },
    "kore": {
        "status": Path(
            "POST", f"{KORE_BASE}/cd-1/status", {"status": "success"}, lambda h: h.get_campaign_status("cd-1"), "get-campaign-status-v2.md"
        ),
        "list": Path(
            "POST",
            f"{KORE_BASE}/getAllCampaignDetails",
            {"status": "success", "data": [], "moreAvailable": False},
            lambda h: h.list_campaigns(),
            "get-all-campaigns-v2.md",
        ),
    },
}
STOPS: dict[str, Path] = {
    "bsg": Path("PATCH", f"{BSG_HOST}/api/campaigns/5/stop", {"campaign": {}}, lambda h: h.stop_campaign(5), "stop"),
    "cellcast": Path(
        "POST", f"{CELLCAST_HOST}/api/v1/gateway/cancelScheduleQuickMessage", {"ok": 1}, lambda h: h.cancel_message(MID), "cancel"
    ),
    "comm": Path("POST", f"{COMM_CAMPAIGN}/stop/{S1}", {"result": {}}, lambda h: h.stop_campaign_send(C1, S1), "stop"),
    "kore": Path(
        "POST", f"{KORE_BASE}//trigger/cd-1", {"message": "Campaign Stopped"}, lambda h: h.stop_campaign("cd-1"), "stop-sms-campaign-v2.md"
    ),
}


@pytest.fixture
def hooks(connection, clock) -> dict[str, Any]:
    """One hook per vendor on the fake clock, each connection with the DEFAULT retry policy (no fast retries)."""
    connection("bsg_default", "bsg", host=BSG_HOST, password="live_drift_key")
    connection("cellcast_default", "cellcast", host=CELLCAST_HOST, password="cellcast-drift-key")
    connection("comm_default", "comm", host=COMM_HOST, password="comm-drift-token")
    connection(
        "kore_default",
        "kore",
        host=KORE_HOST,
        login="cs-drift",
        password="kore-drift-secret-0123456789abcdef",
        # no pace: Kore.ai's default of one request a second would space the status read after the stop
        extra={"account_id": ACCOUNT, "stream_id": STREAM, "requests_per_second": 0},
    )
    return {
        "bsg": BsgHook(clock=clock),
        "cellcast": CellcastHook(clock=clock),
        "comm": CommHook(clock=clock),
        "kore": KoreHook(clock=clock),
    }


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.post(f"{BSG_HOST}/api/auth/login", json={"bearer": "jwt-drift"})
        yield rsps


def calls_to(mocked: responses.RequestsMock, path: Path) -> int:
    return sum(1 for call in mocked.calls if call.request.method == path.method and call.request.url.split("?")[0] == path.url)


@pytest.mark.parametrize(("vendor", "kind"), [(vendor, kind) for vendor, paths in PATHS.items() for kind in paths])
def test_a_drifted_read_fails_after_one_request_with_no_wait(hooks, mocked, clock, vendor, kind):
    path = PATHS[vendor][kind]
    mocked.add(path.method, path.url, json=path.drifted)
    started = clock.monotonic()
    with pytest.raises(ContractError) as raised:
        path.call(hooks[vendor])
    error = raised.value
    assert calls_to(mocked, path) == 1, "a drifted answer is not retried"
    assert clock.monotonic() - started == 0 and clock.sleeps == [], "no back-off: seconds, not the 60 s budget"
    assert isinstance(error, AirflowFailException) and not isinstance(error, TransientError), "no task retries either"
    assert path.doc in str(error) and error.doc is not None and error.endpoint == f"{path.method} {urlsplit(path.url).path}"
    assert error.vendor == hooks[vendor].vendor_name and "Body: " in str(error) and "retrying cannot help" in str(error)


@pytest.mark.parametrize("vendor", list(STOPS))
def test_a_drifted_stop_answer_is_checked_by_a_status_read_and_a_drifted_status_fails_at_once(hooks, mocked, clock, vendor):
    """The stop's 2xx answer is unreadable, so the status is read (the stop may have been applied); that read drifted
    too: the call ends at once with the status read's contract error, the stop sent once."""
    stop, status = STOPS[vendor], PATHS[vendor]["status"]
    mocked.add(stop.method, stop.url, json=stop.drifted)
    mocked.add(status.method, status.url, json=status.drifted)
    with pytest.raises(ContractError, match=status.doc):
        stop.call(hooks[vendor])
    assert (calls_to(mocked, stop), calls_to(mocked, status)) == (1, 1)
    assert clock.sleeps == []


FINAL_STATUS = {
    "bsg": {"data": {"id": 5, "name": "p", "status": "stopped"}},
    "cellcast": {"status": True, "message": "ok", "data": {"_id": MID, "status": "canceled"}},
    "comm": {"data": {"id": C1, "name": "p", "meta": {"multistep_status": {"status": "stopped"}}}},
    "kore": {"status": "success", "data": {"id": "cd-1", "status": "Stopped", "name": "p"}},
}


@pytest.mark.parametrize("vendor", list(STOPS))
def test_a_drifted_stop_answer_with_a_final_status_counts_as_stopped(hooks, mocked, vendor):
    stop, status = STOPS[vendor], PATHS[vendor]["status"]
    mocked.add(stop.method, stop.url, json=stop.drifted)
    mocked.add(status.method, status.url, json=FINAL_STATUS[vendor])
    outcome = stop.call(hooks[vendor])
    assert outcome.outcome == "stopped" and outcome.status.is_final
    assert (calls_to(mocked, stop), calls_to(mocked, status)) == (1, 1)


def test_a_stop_answer_that_keeps_drifting_while_the_campaign_runs_is_a_contract_error(hooks, mocked):
    """Sent at most three times (each time the status says it still runs), then a contract error, not a transient one."""
    stop, status = STOPS["kore"], PATHS["kore"]["status"]
    mocked.add(stop.method, stop.url, json=stop.drifted)
    mocked.add(status.method, status.url, json={"status": "success", "data": {"id": "cd-1", "status": "Active", "name": "p"}})
    with pytest.raises(ContractError, match=r"still 'Active' after 3 stop attempts: the stop cannot be confirmed"):
        stop.call(hooks["kore"])
    assert (calls_to(mocked, stop), calls_to(mocked, status)) == (3, 3)


@pytest.mark.parametrize("status", [404, 405])
def test_a_list_path_the_vendor_does_not_serve_is_a_contract_error(hooks, mocked, status):
    path = PATHS["comm"]["list"]
    mocked.add(path.method, path.url, status=status, json={"message": "Not found"})
    with pytest.raises(ContractError, match=rf"does not serve GET /api/v1/sms/campaigns \(campaign list\): HTTP {status}"):
        path.call(hooks["comm"])
    assert calls_to(mocked, path) == 1


def test_a_truncated_body_stays_transient_and_is_retried(hooks, mocked, clock):
    path = PATHS["kore"]["status"]
    mocked.add(path.method, path.url, body=b'{"status": "success", "data": {"id": "cd-1", "sta', content_type="application/json")
    with pytest.raises(TransientError, match="a body that is not JSON") as raised:
        path.call(hooks["kore"])
    assert not isinstance(raised.value, (ContractError, AirflowFailException))
    assert calls_to(mocked, path) > 1 and clock.sleeps, "a passing fault is retried with back-off"
