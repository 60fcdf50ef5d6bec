from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from airflow_provider_campaigns.core.retry import RetryPolicy, parse_retry_after


def test_retry_after_seconds_and_http_date():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=7), usegmt=True), now=now) == pytest.approx(7)
    assert parse_retry_after(format_datetime(now - timedelta(seconds=7), usegmt=True), now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_backoff_grows_exponentially_with_jitter_and_is_capped():
    policy = RetryPolicy(backoff_base=1.0, backoff_max=4.0)
    rng = random.Random(7)
    for retry, ceiling in ((1, 1.0), (2, 2.0), (3, 4.0), (6, 4.0)):
        values = {policy.backoff(retry, rng) for _ in range(50)}
        assert all(ceiling / 2 <= v <= ceiling for v in values)
        assert len(values) > 1, "jitter expected"


def test_next_delay_honours_retry_after_and_its_cap():
    policy = RetryPolicy(retry_after_max=10)
    assert policy.next_delay(0, 5.0, remaining=60) == (5.0, "")
    delay, why = policy.next_delay(0, 11.0, remaining=60)
    assert delay is None and "Retry-After" in why


def test_retries_are_bounded_by_time_not_by_a_count():
    policy = RetryPolicy(backoff_base=1.0, backoff_max=8.0)
    assert policy.next_delay(50, None, remaining=60)[0] is not None, "no attempt count by default"
    delay, why = policy.next_delay(3, None, remaining=0.01)
    assert delay is None and "deadline" in why


def test_a_backoff_is_shortened_to_fit_the_deadline_but_a_retry_after_is_not():
    policy = RetryPolicy(backoff_base=8.0, backoff_max=8.0)
    delay, _ = policy.next_delay(0, None, remaining=3.0)
    assert delay is not None and delay < 3.0, "the last retry still happens before the deadline"
    assert policy.next_delay(0, 5.0, remaining=3.0)[0] is None, "the vendor said not before 5 s: that is past the deadline"


def test_an_optional_attempt_cap_still_applies():
    assert RetryPolicy(max_retries=2).next_delay(2, None, remaining=60)[0] is None
    assert RetryPolicy(max_retries=0).next_delay(0, None, remaining=60)[0] is None
