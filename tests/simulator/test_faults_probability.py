"""Probabilistic faults: seeded, reproducible, counted only when they fire."""

from __future__ import annotations

import pytest

from airflow_provider_campaigns.simulator import Simulator
from airflow_provider_campaigns.simulator.__main__ import parse_args


def bsg_stop_codes(sim, client, count: int) -> list[int]:
    cid = sim.add_campaign("bsg", status="done")
    token = client.bsg_login()
    return [client.bsg("PATCH", f"/api/campaigns/{cid}/stop", token).status for _ in range(count)]


def test_a_seeded_probabilistic_429_is_reproducible(make_client):
    runs = []
    for _ in range(2):
        with Simulator(seed=7) as sim:
            sim.inject("bsg", "status", status=429, retry_after="1", times=None, probability=0.3, method="PATCH")
            runs.append(bsg_stop_codes(sim, make_client(sim), 40))
    assert runs[0] == runs[1]
    assert set(runs[0]) == {429, 422}
    assert 4 <= runs[0].count(429) <= 20


def test_reset_restarts_the_sequence_from_the_seed(make_client):
    with Simulator(seed=3) as sim:
        client = make_client(sim)
        sim.inject("cellcast", status=503, times=None, probability=0.5)
        first = [client.cellcast("GET", "/api/v1/user/token/verify").status for _ in range(20)]
        sim.reset()
        sim.inject("cellcast", status=503, times=None, probability=0.5)
        assert [client.cellcast("GET", "/api/v1/user/token/verify").status for _ in range(20)] == first


def test_probability_filters_only_matching_requests_and_answers_retry_after(simulator, client):
    simulator.inject("bsg", "status", status=429, retry_after="1", times=None, probability=1.0, method="PATCH")
    cid = simulator.add_campaign("bsg")
    token = client.bsg_login()
    assert client.bsg("GET", f"/api/campaigns/{cid}", token).status == 200
    answer = client.bsg("PATCH", f"/api/campaigns/{cid}/stop", token)
    assert answer.status == 429 and answer.headers["retry-after"] == "1"


def test_probability_zero_never_fires(simulator, client):
    simulator.inject("cellcast", status=500, times=None, probability=0)
    assert {client.cellcast("GET", "/api/v1/user/token/verify").status for _ in range(10)} == {200}


def test_times_counts_only_the_requests_a_fault_fired_on(make_client):
    with Simulator(seed=11) as sim:
        client = make_client(sim)
        sim.inject("comm", status=503, times=2, probability=0.5)
        codes = [client.comm("GET", "/api/v1/sms/campaigns").status for _ in range(30)]
        assert codes.count(503) == 2 and sim.app.faults.pending() == []


def test_a_fault_that_does_not_fire_leaves_the_request_to_the_next_matching_fault(simulator, client):
    simulator.inject("kore", status=500, times=None, probability=0)
    simulator.inject("kore", status=429, times=1)
    assert client.kore("POST", "/getAllCampaignDetails", "", {}).status == 429


def test_control_api_takes_probability(simulator, client, call):
    answer = call(simulator.url + "/_sim/faults", "POST", {"vendor": "bsg", "fault": "status", "status": 429, "probability": 0.25})
    assert answer.status == 200 and answer.json()["fault"]["probability"] == 0.25
    assert call(simulator.url + "/_sim/faults", "POST", {"vendor": "bsg", "probability": 2}).status == 400


@pytest.mark.parametrize("bad", [-0.1, 1.5, "0.3", True])
def test_invalid_probabilities_are_refused(simulator, bad):
    with pytest.raises(ValueError):
        simulator.inject("bsg", status=429, probability=bad)


def test_cli_takes_a_random_seed():
    assert parse_args(["--seed-random", "42"]).seed_random == 42
    assert parse_args([]).seed_random is None
