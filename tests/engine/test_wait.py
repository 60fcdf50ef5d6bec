"""The one wait flow, driven directly with scripted statuses on a fake clock."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_campaigns.engine.wait import first_check, run_wait, target_states, wait_flow
from airflow_provider_campaigns.exceptions import PermanentError, TransientError
from airflow_provider_campaigns.status import CampaignState, CampaignStatus

TARGETS = target_states(None)


def status(state: CampaignState, raw: str, cid: str = "1") -> CampaignStatus:
    return CampaignStatus("BSG", cid, state, raw)


RUNNING = status(CampaignState.ACTIVE, "sending")
STOPPED = status(CampaignState.STOPPED, "stopped")
SPAM = status(CampaignState.FAILED, "spam")


def reads(*answers: Any):
    queue = list(answers)

    def read() -> list[CampaignStatus]:
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return [answer]

    return read


def flow(clock: Any, interval: float = 10.0, timeout: float = 100.0):
    return wait_flow("BSG: 1 campaign", TARGETS, interval, clock.time() + timeout, clock)


def test_polls_every_interval_until_final(clock):
    outcome = run_wait(flow(clock), reads(RUNNING, RUNNING, STOPPED), clock)
    assert outcome.status == "success" and outcome.statuses == [STOPPED]
    assert clock.sleeps == [10.0, 10.0]


def test_a_final_state_that_is_not_a_target_is_a_failure(clock):
    outcome = run_wait(flow(clock), reads(RUNNING, SPAM), clock)
    assert outcome.status == "failure" and "spam" in outcome.message


def test_a_transient_read_error_is_one_more_round_a_permanent_one_ends_the_wait(clock):
    outcome = run_wait(flow(clock), reads(TransientError("blip"), STOPPED), clock)
    assert outcome.status == "success" and clock.sleeps == [10.0]
    with pytest.raises(PermanentError):
        run_wait(flow(clock), reads(PermanentError("gone")), clock)


def test_the_deadline_ends_the_wait_with_what_was_last_seen(clock):
    outcome = run_wait(flow(clock, interval=30, timeout=100), reads(*[RUNNING] * 10), clock)
    assert outcome.status == "timeout" and "sending" in outcome.message and "deadline" in outcome.message
    assert clock.sleeps == [30.0, 30.0, 30.0, 10.0], "the last sleep is cut to the deadline"


def test_a_failed_read_at_the_deadline_keeps_what_the_last_round_saw(clock):
    """A poll round cut short by the deadline (the trigger's large batches) must not hide the last verdict."""
    outcome = run_wait(flow(clock, interval=30, timeout=40), reads(RUNNING, RUNNING, TransientError("round cut at the deadline")), clock)
    assert outcome.status == "timeout"
    assert "last seen: 0 of 1 final, waiting on BSG 1 (sending); the read after it: round cut at the deadline" in outcome.message
    nothing_seen = run_wait(flow(clock, interval=30, timeout=10), reads(TransientError("no answer"), TransientError("no answer")), clock)
    assert nothing_seen.message.endswith("last seen: no answer")


def test_first_check_is_one_round_a_poke(clock):
    outcome, seen = first_check(flow(clock), reads(RUNNING))
    assert outcome is None and seen == [RUNNING] and clock.sleeps == []
    outcome, seen = first_check(flow(clock), reads(STOPPED))
    assert outcome is not None and outcome.status == "success" and seen == [STOPPED]
    outcome, seen = first_check(flow(clock), reads(TransientError("blip")))
    assert outcome is None and seen == []


def test_progress_is_logged_on_the_first_round_then_at_most_every_minute(clock, caplog):
    import logging

    logger = logging.getLogger("wait-test")
    with caplog.at_level(logging.INFO, logger="wait-test"):
        run_wait(wait_flow("BSG: 1 campaign", TARGETS, 10.0, clock.time() + 1000, clock, logger), reads(*[RUNNING] * 13, STOPPED), clock)
    lines = [r.getMessage() for r in caplog.records if "0 of 1 final" in r.getMessage()]
    assert len(lines) == 3, "at 0, 60 and 120 s of a 130-second wait polled every 10 s"
