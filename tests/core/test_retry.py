from __future__ import annotations

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
    for retry, ceiling in ((1, 1.0), (2, 2.0), (3, 4.0), (6, 4.0)):
        values = {policy.backoff(retry) for _ in range(50)}
        assert all(ceiling / 2 <= v <= ceiling for v in values)
        assert len(values) > 1, "jitter expected"


def test_next_delay_honours_retry_after_and_its_cap():
    policy = RetryPolicy(max_retries=3, retry_after_max=10, total_timeout=60)
    assert policy.next_delay(0, 5.0, remaining=60) == (5.0, "")
    delay, why = policy.next_delay(0, 11.0, remaining=60)
    assert delay is None and "Retry-After" in why


def test_next_delay_stops_at_max_retries_and_total_time():
    policy = RetryPolicy(max_retries=2, backoff_base=1.0)
    assert policy.next_delay(2, None, remaining=60)[0] is None
    assert policy.next_delay(0, None, remaining=0.1)[0] is None
    assert RetryPolicy(max_retries=0).next_delay(0, None, remaining=60)[0] is None
