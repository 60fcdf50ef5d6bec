"""Rate limits in front of the fake vendors: token buckets, each vendor's own 429, honest/absent/lying Retry-After."""

from __future__ import annotations

import pytest

from airflow_provider_campaigns.simulator.__main__ import parse_args
from airflow_provider_campaigns.simulator.rate_limits import Bucket, RateLimit, RateLimits, parse_rate_limit


def test_a_bucket_lets_a_burst_through_then_one_request_per_token():
    bucket = Bucket(RateLimit.build(2, burst=3), tokens=3, updated=0.0)
    assert [bucket.take(0.0) for _ in range(3)] == [None, None, None]
    assert bucket.take(0.0) == pytest.approx(0.5)
    assert bucket.take(0.5) is None  # one token came back
    assert bucket.take(0.6) == pytest.approx(0.4)
    assert (bucket.accepted, bucket.refused) == (4, 2)


def test_a_refused_request_spends_a_token_when_the_vendor_counts_every_call():
    spending = Bucket(RateLimit.build(1, burst=1, refused_spends=True), tokens=1, updated=0.0)
    lenient = Bucket(RateLimit.build(1, burst=1), tokens=1, updated=0.0)
    for bucket in (spending, lenient):
        assert bucket.take(0.0) is None
        for _ in range(3):
            assert bucket.take(0.0) is not None
    assert lenient.take(1.0) is None
    assert spending.take(1.0) == pytest.approx(4.0)  # every refusal went into debt: knocking keeps the door shut


def test_the_default_burst_is_one_second_of_tokens_and_bad_settings_fail():
    assert RateLimit.build(15).burst == 15 and RateLimit.build(0.5).burst == 1
    for bad in ({"rate": 0}, {"rate": True}, {"rate": 1, "burst": 0.5}, {"rate": 1, "retry_after": "later"}):
        with pytest.raises(ValueError):
            RateLimit.build(**bad)


def test_the_command_line_sets_rate_limits():
    assert parse_rate_limit("kore=1") == ("kore", RateLimit(1.0, 1.0, False, None))
    expected = ("cellcast", RateLimit(15.0, 5.0, True, "short"))
    assert parse_rate_limit("cellcast=15,burst=5,refused_spends=true,retry_after=short") == expected
    for bad in ("kore", "nobody=1", "kore=1,speed=2", "kore=fast"):
        with pytest.raises(ValueError):
            parse_rate_limit(bad)
    arguments = parse_args(["--rate-limit", "bsg=50", "--rate-limit", "kore=1"])
    assert arguments.rate_limit == [parse_rate_limit("bsg=50"), parse_rate_limit("kore=1")]


def test_each_vendor_refuses_with_its_own_429(simulator, client):
    for vendor in ("bsg", "cellcast", "comm", "kore"):
        simulator.set_rate_limit(vendor, 0.001, burst=1)
    token = client.bsg_login()  # the login takes BSG's only token
    bsg = client.bsg("GET", "/api/campaigns", token)
    assert bsg.status == 429 and bsg.json() == {"message": "Too many duplicate request detected"} and bsg.headers["retry-after"] == "1000"
    client.cellcast("GET", "/api/v1/user/token/verify")
    cellcast = client.cellcast("GET", "/api/v1/user/token/verify")
    assert cellcast.status == 429 and cellcast.json()["meta"] == {"code": 429, "status": "OVER_LIMIT"}
    client.comm("GET", "/api/v1/sms/campaigns")
    comm = client.comm("GET", "/api/v1/sms/campaigns")
    assert comm.status == 429 and set(comm.json()) == {"message"} and "retry-after" in comm.headers
    client.kore_stop("c-1")
    kore = client.kore_stop("c-1")
    assert kore.status == 429 and "retry-after" not in kore.headers  # Kore.ai documents no Retry-After
    assert kore.json()["errors"][0]["msg"] == "Rate limit for this API has been reached. Please try again after some time."
    refused = [entry for entry in simulator.requests() if entry["fault"] == "rate_limit"]
    assert len(refused) == 4 and {entry["status"] for entry in refused} == {429}
    assert {vendor: (counts["accepted"], counts["refused"]) for vendor, counts in simulator.rate_limits().items()} == {
        "bsg": (1, 1),
        "cellcast": (1, 1),
        "comm": (1, 1),
        "kore": (1, 1),
    }


def test_retry_after_may_be_absent_or_lie(simulator, client):
    simulator.set_rate_limit("comm", 0.001, retry_after="short")
    client.comm("GET", "/api/v1/sms/campaigns")
    assert client.comm("GET", "/api/v1/sms/campaigns").headers["retry-after"] == "0"
    simulator.set_rate_limit("comm", 0.001, retry_after="absent")
    client.comm("GET", "/api/v1/sms/campaigns")
    assert "retry-after" not in client.comm("GET", "/api/v1/sms/campaigns").headers
    simulator.set_rate_limit("comm", None)
    assert all(client.comm("GET", "/api/v1/sms/campaigns").status == 200 for _ in range(3))


def test_the_control_api_sets_reads_and_lifts_rate_limits(simulator, client, call):
    url = simulator.url + "/_sim/rate_limits"
    answer = call(url, "POST", {"vendor": "cellcast", "rate": 0.001, "burst": 1, "retry_after": "honest"})
    assert answer.status == 200 and answer.json()["cellcast"]["rate"] == 0.001
    client.cellcast("GET", "/api/v1/user/token/verify")
    assert client.cellcast("GET", "/api/v1/user/token/verify").status == 429
    assert call(url).json()["cellcast"]["refused"] == 1
    call(simulator.url + "/_sim/reset", "POST", {})
    assert call(url).json()["cellcast"]["refused"] == 0  # a reset keeps the limit and refills its bucket
    assert client.cellcast("GET", "/api/v1/user/token/verify").status == 200
    assert call(url, "POST", {"vendor": "cellcast", "rate": -1}).status == 400
    assert call(url, "POST", {"vendor": "cellcast", "speed": 1}).status == 400
    assert call(url, "POST", {"vendor": "cellcast", "rate": None}).json() == {}


def test_limits_can_be_given_when_the_simulator_is_built():
    from airflow_provider_campaigns.simulator import Simulator

    sim = Simulator(rate_limits={"kore": 1, "bsg": {"rate": 50, "burst": 10, "refused_spends": True}})
    assert sim.rate_limits() == {
        "kore": {"rate": 1.0, "burst": 1.0, "refused_spends": False, "retry_after": None, "accepted": 0, "refused": 0},
        "bsg": {"rate": 50.0, "burst": 10.0, "refused_spends": True, "retry_after": None, "accepted": 0, "refused": 0},
    }
    assert isinstance(sim.app.rate_limits, RateLimits)
