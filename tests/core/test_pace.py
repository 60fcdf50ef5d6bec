"""The pace: a configured rate is kept, an unknown one is learned from 429s without a storm, and it is shared."""

from __future__ import annotations

import asyncio
import itertools
import random
from types import SimpleNamespace

import pytest

from airflow_provider_campaigns.core.pace import LEARN_ANSWERS, MARGIN, Pace, pace_for
from airflow_provider_campaigns.simulator.rate_limits import Bucket, RateLimit
from tests.conftest import fake_connection


def run(pace: Pace, clock, vendor: Bucket, successes: int, retry_after: str = "absent") -> tuple[int, float]:
    """Send through ``pace`` until ``successes`` requests were accepted (one at a time); refusals and seconds taken."""
    started, accepted, refused = clock.monotonic(), 0, 0
    while accepted < successes:
        pace.wait_sync()
        wait = vendor.take(clock.monotonic())
        clock.advance(0.005)  # the answer's round trip
        if wait is None:
            accepted += 1
            pace.record(False)
        else:
            refused += 1
            pace.record(True, None if retry_after == "absent" else float(max(1, int(wait) + 1)) if retry_after == "honest" else 0.0)
    return refused, clock.monotonic() - started


def bucket(rate: float, burst: float | None = None, clock=None) -> Bucket:
    limit = RateLimit.build(rate, burst)
    return Bucket(limit, tokens=limit.burst, updated=clock.monotonic() if clock else 0.0)


def test_a_configured_rate_spaces_requests_from_the_first_one(clock):
    pace = Pace(2.0, clock)
    times = []
    for _ in range(5):
        pace.wait_sync()
        times.append(clock.monotonic())
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert gaps == pytest.approx([1 / (2.0 * MARGIN)] * 4)


def test_a_configured_rate_meets_no_refusal_at_a_vendor_with_that_limit(clock):
    refused, seconds = run(Pace(1.0, clock), clock, bucket(1.0, 1, clock), 100)
    assert refused == 0 and seconds <= 100 / MARGIN + 1


@pytest.mark.parametrize(("rate", "burst"), [(1.0, 1), (15.0, 15), (50.0, 50), (15.0, 1)])
@pytest.mark.parametrize("retry_after", ["absent", "honest", "short"])
def test_an_unknown_limit_is_learned_with_at_most_one_refusal_per_success(clock, rate, burst, retry_after):
    successes = int(rate * 120)
    refused, seconds = run(Pace(None, clock), clock, bucket(rate, burst, clock), successes, retry_after)
    # the learning costs at most a judging window of 429s (this caller retries at once), then one refusal in five
    assert refused <= LEARN_ANSWERS + successes * 0.2, f"{refused} refused for {successes} accepted"
    ideal = max(0.0, successes - burst) / rate
    # a vendor that allows no burst shows too little before its first 429: the rate is learned low, then regained
    slack = 1.25 if burst > 1 or rate == 1.0 else 1.6
    assert seconds <= ideal * slack + 5, f"{seconds:.0f} s for an ideal of {ideal:.0f} s"


def test_a_learned_rate_recovers_when_the_vendor_allows_more_again(clock):
    pace = Pace(None, clock)
    run(pace, clock, bucket(1.0, 1, clock), 30)
    assert pace.rate is not None and pace.rate < 1.0
    refused, seconds = run(pace, clock, bucket(20.0, 20, clock), 1200)
    assert seconds < 120 and refused < 60, (seconds, refused)


def test_a_steady_minority_of_429s_is_no_rate_limit(clock):
    pace, rng = Pace(None, clock), random.Random(5)
    for _ in range(5000):
        pace.wait_sync()
        pace.record(rng.random() < 0.3, 1.0)
        clock.advance(0.01)
    assert pace.rate is None and pace.refused > 1000


def test_a_429_without_retry_after_pauses_every_request_for_a_slot_not_zero(clock):
    pace = Pace(None, clock)
    for _ in range(5):
        pace.wait_sync()
        pace.record(False)
    clock.advance(2.0)
    for _ in range(16):
        pace.record(True)
    assert pace.rate is None  # 16 of the last 20 answers: not yet nearly all
    pace.record(True)  # no Retry-After
    assert pace.rate is not None and pace.rate == pytest.approx(2.5 * 0.93)
    started = clock.monotonic()
    pace.wait_sync()
    assert clock.monotonic() - started == pytest.approx(1 / pace.rate)


def test_an_honest_retry_after_holds_every_sender(clock):
    pace = Pace(10.0, clock)
    pace.wait_sync()
    pace.record(True, 3.0)
    started = clock.monotonic()
    pace.wait_sync()
    assert clock.monotonic() - started == pytest.approx(3.0)


def test_429s_on_their_way_before_a_cut_do_not_cut_again(clock):
    pace = Pace(10.0, clock)
    pace.record(True)
    after_one = pace.rate
    pace.record(True)
    pace.record(True)
    assert pace.rate == after_one == pytest.approx(10.0 * MARGIN * 0.93)


def test_a_slot_reserved_before_a_cut_is_taken_again(clock):
    pace = Pace(5.0, clock)
    pace.record(False)
    _, generation = pace._reserve()
    pace.record(True)
    assert not pace._still(generation)


def test_async_waiters_keep_the_same_pace(clock):
    pace = Pace(4.0, clock)

    async def go() -> list[float]:
        times = []

        async def one() -> None:
            await pace.wait_async()
            times.append(clock.monotonic())

        await asyncio.gather(*(one() for _ in range(4)))
        return times

    times = sorted(asyncio.run(go()))
    assert times[-1] - times[0] == pytest.approx(3 / (4.0 * MARGIN))


def test_one_pace_per_connection_scope_in_a_process(clock):
    first = pace_for("scope-a-test", 2.0, clock)
    assert pace_for("scope-a-test", 2.0, clock) is first
    assert pace_for("scope-b-test", 2.0, clock) is not first
    assert pace_for("scope-a-test", 5.0, clock) is not first  # the connection's rate was edited
    assert Pace(None, clock).describe() == "unlimited" and Pace(1.0, clock).describe() == "0.97/s (configured)"


def kore_connection(**extra: object) -> SimpleNamespace:
    extras = {"account_id": "acc-1", "stream_id": "st-1", **extra}
    return fake_connection("kore_default", "https://kore.test", "cs-1", "kore-pace-test-client-secret-0123456789", extras)


def test_kore_ai_keeps_its_documented_60_a_minute_unless_the_connection_says_otherwise():
    from airflow_provider_campaigns.vendors import bsg, kore

    assert kore.SPEC.connect(kore_connection())[0].requests_per_second == 1.0
    assert kore.SPEC.connect(kore_connection(requests_per_second=5))[0].requests_per_second == 5.0
    assert kore.SPEC.connect(kore_connection(requests_per_second="0.5"))[0].requests_per_second == 0.5
    assert kore.SPEC.connect(kore_connection(requests_per_second=0))[0].requests_per_second is None  # learn from 429s
    bsg_connection = fake_connection("bsg_default", password="k")
    assert bsg.SPEC.connect(bsg_connection)[0].requests_per_second is None  # BSG documents no rate


@pytest.mark.parametrize("bad", [-1, "fast", True, 20000])
def test_a_bad_requests_per_second_fails_naming_the_extra(bad):
    from airflow_provider_campaigns.exceptions import InvalidInputError
    from airflow_provider_campaigns.vendors import kore

    with pytest.raises(InvalidInputError, match="requests_per_second"):
        kore.SPEC.connect(kore_connection(requests_per_second=bad))


def test_connections_with_the_same_credentials_share_a_pace_and_others_do_not():
    from airflow_provider_campaigns.vendors import kore

    one = kore.SPEC.connect(kore_connection())[0]
    same = kore.SPEC.connect(SimpleNamespace(**{**vars(kore_connection()), "conn_id": "kore_copy"}))[0]
    other = kore.SPEC.connect(SimpleNamespace(**{**vars(kore_connection()), "password": "another-secret"}))[0]
    assert one.pace_scope == same.pace_scope != other.pace_scope
    assert len(one.pace_scope) == 64 and "another-secret" not in other.pace_scope  # a digest, never the secret


def test_a_learned_rate_is_forgotten_after_a_quiet_while(clock):
    from airflow_provider_campaigns.core.pace import FORGET_AFTER

    pace = Pace(None, clock)
    for _ in range(50):
        pace.record(True)
    assert pace.rate is not None
    clock.advance(FORGET_AFTER + 1)
    pace.wait_sync()
    assert pace.rate is None
