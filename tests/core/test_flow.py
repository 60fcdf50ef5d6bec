"""``core.flow.call`` driven directly with scripted outcomes on a fake clock: the one retry loop."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pytest

from airflow_provider_campaigns.core.errors import expect_ok
from airflow_provider_campaigns.core.flow import Budget, NeedToken, Send, Sleep, TransportFailure, call
from airflow_provider_campaigns.core.retry import RetryPolicy
from airflow_provider_campaigns.core.wire import ApiRequest, Reply
from airflow_provider_campaigns.exceptions import AuthenticationError, PermanentError, StopRejectedError, TransientError


def read_json(reply: Reply) -> Any:
    return expect_ok(reply).json()


REQUEST = ApiRequest("GET", "/things/1", read_json, action="status read", campaign_id="1")


def reply(status: int, body: Any = None, **headers: str) -> Reply:
    return Reply("Vendor", REQUEST, status, {k.replace("_", "-"): v for k, v in headers.items()}, json.dumps(body or {}).encode())


def drive(flow: Any, outcomes: Iterable[Any], clock: Any) -> tuple[Any, list[Any]]:
    """Run a flow: each Send takes the next scripted outcome (and costs 0.2 s), each Sleep advances the clock."""
    queue = list(outcomes)
    actions: list[Any] = []
    answer: Any = None
    while True:
        try:
            action = flow.send(answer)
        except StopIteration as done:
            return done.value, actions
        actions.append(action)
        if isinstance(action, Send):
            clock.advance(0.2)
            answer = queue.pop(0)
        elif isinstance(action, Sleep):
            clock.sleep(action.seconds)
            answer = None
        elif isinstance(action, NeedToken):
            answer = "token-2" if action.stale else "token-1"


def budget(clock: Any, **policy: Any) -> Budget:
    return Budget(RetryPolicy(**{"backoff_base": 0.5, "backoff_max": 8.0, **policy}), clock)


def test_a_five_second_429_burst_is_outlived_within_the_default_budget(clock):
    burst = [reply(429, retry_after="1")] * 5
    value, actions = drive(call(REQUEST, "Vendor", budget(clock), refreshable=False), [*burst, reply(200, {"ok": 1})], clock)
    assert value == {"ok": 1}
    assert [a.seconds for a in actions if isinstance(a, Sleep)] == [1.0] * 5, "Retry-After honoured on every 429"


def test_a_fifteen_second_outage_is_outlived(clock):
    refused = [TransportFailure("connection", "connection refused")] * 12
    value, actions = drive(call(REQUEST, "Vendor", budget(clock), refreshable=False), [*refused, reply(200, {"ok": 1})], clock)
    assert value == {"ok": 1} and sum(a.seconds for a in actions if isinstance(a, Sleep)) >= 15


def test_transient_trouble_is_retried_until_the_deadline_and_named_then(clock):
    deadline = clock.monotonic() + 30
    outcomes = [reply(503)] * 1000
    with pytest.raises(TransientError) as error:
        drive(call(REQUEST, "Vendor", budget(clock).until(deadline), refreshable=False), outcomes, clock)
    assert clock.monotonic() <= deadline + 0.5 and clock.monotonic() >= deadline - 0.5
    assert "campaign 1" in str(error.value) and "HTTP 503" in str(error.value) and "deadline" in str(error.value)
    assert error.value.after_lost_answer, "a 5xx may have been applied"


def test_a_lost_answer_is_remembered_but_a_429_is_not(clock):
    with pytest.raises(TransientError) as error:
        drive(call(REQUEST, "Vendor", budget(clock, max_retries=2), refreshable=False), [reply(429)] * 3, clock)
    assert not error.value.after_lost_answer, "a 429 was refused, not applied"

    def refuse(r: Reply) -> Any:
        raise StopRejectedError("refused", vendor="Vendor", campaign_id="1")

    stop = ApiRequest("PATCH", "/things/1/stop", refuse, action="stop", campaign_id="1")
    with pytest.raises(StopRejectedError) as refused:
        drive(call(stop, "Vendor", budget(clock), refreshable=False), [TransportFailure("connection", "dropped"), reply(422)], clock)
    assert refused.value.after_lost_answer, "the dropped attempt may be the one that stopped it"


def test_client_errors_are_never_retried(clock):
    with pytest.raises(PermanentError):
        drive(call(REQUEST, "Vendor", budget(clock), refreshable=False), [reply(404, {"message": "nope"})], clock)
    assert clock.sleeps == []


def test_a_401_gets_one_fresh_token_then_fails(clock):
    value, actions = drive(call(REQUEST, "Vendor", budget(clock), refreshable=True), [reply(401), reply(200, {"ok": 1})], clock)
    assert value == {"ok": 1}
    assert [a.stale for a in actions if isinstance(a, NeedToken)] == [None, "token-1"]
    with pytest.raises(AuthenticationError):
        drive(call(REQUEST, "Vendor", budget(clock), refreshable=True), [reply(401), reply(401)], clock)


def test_a_tls_failure_is_permanent_at_once(clock):
    with pytest.raises(PermanentError, match="certificate"):
        drive(
            call(REQUEST, "Vendor", budget(clock), refreshable=False),
            [TransportFailure("tls", "certificate verify failed", retryable=False)],
            clock,
        )
    assert clock.sleeps == []
