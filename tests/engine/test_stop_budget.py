"""The budget that fits the batch: never give up while stops succeed at the vendor's pace; a cap is honoured (injected clock)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import responses

from airflow_provider_campaigns.engine.stop_batch import stop_campaigns
from airflow_provider_campaigns.engine.stop_budget import NO_PROGRESS_TIMEOUT, REPORT_MARGIN_MAX, StopBudget
from airflow_provider_campaigns.hooks.cellcast import CellcastHook
from airflow_provider_campaigns.vendors import cellcast

BASE = "https://api.cellcast.test"
CANCEL = f"{BASE}/api/v1/gateway/cancelScheduleQuickMessage"
REPORT = f"{BASE}/api/v2/report/message"
REMOVED = {"app_type": "web", "is_enc": False, "status": True, "message": "Job Removed successfully", "data": {}, "error": {}}
IDS = [f"{index:024x}" for index in range(1, 21)]


@pytest.fixture
def paced_hook(connection, fast_retry, clock):
    """Cellcast at 0.5 requests a second (20 stops: 40 s), on the injected clock."""
    extra = {**fast_retry, "requests_per_second": 0.5, "timeout": 5}
    connection("cellcast_default", "cellcast", host=BASE, password="cc-budget-key-0123456789", extra=extra)
    return CellcastHook(pool_size=2, clock=clock)


@pytest.fixture
def mock():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.post(CANCEL, json=REMOVED)
        yield rsps


def refs() -> list[cellcast.CellcastMessage]:
    return [cellcast.message(message_id) for message_id in IDS]


def test_a_batch_longer_than_the_no_progress_window_is_never_given_up_while_stops_succeed(paced_hook, mock, clock):
    started = clock.monotonic()
    report = stop_campaigns(paced_hook, refs(), StopBudget(clock, no_progress=30.0))
    assert [item["outcome"] for item in report.entries] == ["stopped"] * 20 and not report.errors
    assert clock.monotonic() - started > 35  # the batch took longer than its no-progress window (20 stops at 0.5/s)


def test_a_fixed_budget_shorter_than_the_batch_gives_campaigns_up(paced_hook, mock, clock):
    """The old behaviour, for contrast: a 10 s budget at 0.5/s stops about five."""
    report = stop_campaigns(paced_hook, refs(), clock.monotonic() + 10.0)
    stopped = [item for item in report.entries if item["outcome"] == "stopped"]
    assert 3 <= len(stopped) <= 7 and report.errors


def test_a_users_stop_timeout_is_honoured_within_one_request_timeout(connection, fast_retry, clock):
    """No request starts after the cap plus one request timeout (the final reads of given-up campaigns included)."""
    extra = {**fast_retry, "requests_per_second": 0.5, "timeout": 5}
    connection("cellcast_default", "cellcast", host=BASE, password="cc-budget-key-0123456789", extra=extra)
    hook = CellcastHook(pool_size=2, clock=clock)
    sent: list[float] = []

    def answer(body: object) -> object:
        def reply(request: object) -> tuple[int, dict[str, str], str]:
            sent.append(clock.monotonic())
            return 200, {}, json.dumps(body)

        return reply

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_callback(responses.POST, CANCEL, callback=answer(REMOVED))
        rsps.add_callback(responses.GET, REPORT, callback=answer({"app_type": "web", "status": True, "data": {"status": "scheduled"}}))
        budget = StopBudget.for_task(clock, 10.0, None)
        report = stop_campaigns(hook, refs(), budget)
    assert budget.cap is not None and max(sent) <= budget.cap + 5 + 5  # connect + read timeout
    failed = [item for item in report.entries if item["outcome"] == "failed"]
    assert failed and all(item["error"] for item in failed)


def test_no_progress_for_the_window_gives_up(connection, fast_retry, clock):
    seconds_long_backoff = {"max_retries": None, "backoff_base": 1.0, "backoff_max": 4.0}
    connection("cellcast_default", "cellcast", host=BASE, password="cc-budget-key-0123456789", extra={**fast_retry, **seconds_long_backoff})
    hook = CellcastHook(pool_size=1, clock=clock)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.post(CANCEL, status=503, json={"message": "down"})
        rsps.get(REPORT, status=503, json={"message": "down"})
        started = clock.monotonic()
        # Back-offs of seconds on the fake clock: the window passes in tens of requests, not thousands.
        report = stop_campaigns(hook, refs()[:2], StopBudget(clock, no_progress=30.0))
    assert [item["outcome"] for item in report.entries] == ["failed", "failed"]
    assert 30.0 <= clock.monotonic() - started <= 30.0 * 2 + 25


def test_a_tasks_budget_caps_at_stop_timeout_else_execution_timeout_else_progress(clock):
    now = clock.monotonic()
    assert StopBudget.for_task(clock, 20.0, timedelta(hours=1)).cap == now + 20.0
    assert StopBudget.for_task(clock, None, timedelta(hours=1)).cap == now + 3600 - REPORT_MARGIN_MAX
    assert StopBudget.for_task(clock, None, timedelta(seconds=100)).cap == now + 90.0
    moving = StopBudget.for_task(clock, None, None)
    assert moving.cap is None and moving.deadline() == now + NO_PROGRESS_TIMEOUT
    clock.advance(100.0)
    moving.progressed()
    assert moving.deadline() == now + 100.0 + NO_PROGRESS_TIMEOUT and not moving.spent()
    clock.advance(NO_PROGRESS_TIMEOUT)
    assert moving.spent()
