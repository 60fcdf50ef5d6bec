"""The fake BSG One-API: JWT login, stop, status, list."""

from __future__ import annotations

import time

import jwt
import pytest

from airflow_provider_campaigns.simulator import Simulator, SimulatorCredentials


def test_login_returns_a_jwt_that_expires_after_the_ttl(simulator, client):
    token = client.bsg_login()
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == simulator.credentials.bsg_jwt_ttl


@pytest.mark.parametrize("body", [{"api_key": "test_wrong"}, {"api_key": "live_nope"}])
def test_login_with_a_wrong_key_is_401(simulator, call, body):
    answer = call(simulator.base_url("bsg") + "/api/auth/login", "POST", body)
    assert answer.status == 401
    assert answer.json() == {"message": "Unauthenticated."}


def test_login_without_api_key_is_a_validation_error(simulator, call):
    answer = call(simulator.base_url("bsg") + "/api/auth/login", "POST", {"key": "x"})
    assert answer.status == 422
    assert "api_key" in answer.json()["errors"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer nope"}, {"Bearer": "TOKEN"}, {"Authorization": "TOKEN"}],
    ids=["missing", "garbage", "docs-colon-form", "no-scheme"],
)
def test_calls_without_a_valid_bearer_are_401(simulator, client, call, headers):
    cid = simulator.add_campaign("bsg")
    token = client.bsg_login()
    headers = {k: v.replace("TOKEN", token) for k, v in headers.items()}
    answer = call(f"{simulator.base_url('bsg')}/api/campaigns/{cid}", "GET", headers=headers)
    assert answer.status == 401
    assert answer.json() == {"message": "Unauthenticated."}


def test_a_jwt_signed_with_another_secret_is_401(simulator, client):
    forged = jwt.encode({"exp": time.time() + 60, "gen": 0}, "x" * 32, algorithm="HS256")
    assert client.bsg("GET", "/api/campaigns", token=forged).status == 401


def test_an_expired_jwt_is_401_and_refresh_needs_a_valid_one(make_client):
    with Simulator(credentials=SimulatorCredentials(bsg_jwt_ttl=0.3)) as sim:
        client = make_client(sim)
        token = client.bsg_login()
        assert client.bsg("GET", "/api/campaigns", token=token).status == 200
        refreshed = client.bsg("POST", "/api/auth/refresh", token=token)
        assert refreshed.status == 200 and refreshed.json()["bearer"] != token
        time.sleep(0.4)
        assert client.bsg("GET", "/api/campaigns", token=token).status == 401
        assert client.bsg("POST", "/api/auth/refresh", token=token).status == 401


@pytest.mark.parametrize(("method", "channel"), [("PATCH", "sms"), ("PUT", "rcs"), ("PATCH", "rcs")])
def test_stop_moves_campaign_to_stopped_and_second_stop_is_422(simulator, client, method, channel):
    cid = simulator.add_campaign("bsg", status="sending", channel=channel, name="promo")
    token = client.bsg_login()
    first = client.bsg(method, f"/api/campaigns/{cid}/stop", token)
    assert first.status == 200
    data = first.json()["data"]
    assert data["id"] == cid and data["status"] == "stopped" and data["name"] == "promo"
    assert data["finished_at"] is not None and len(data["finished_at"]) == 19
    assert set(data) >= {"sender", "message_type", "start_at", "real_start_at", "created_at", "statistics", "calculated_price"}
    assert (data["alternative_channels"] is None) == (channel == "sms")
    second = client.bsg(method, f"/api/campaigns/{cid}/stop", token)
    assert second.status == 422
    assert second.json() == {"message": "Invalid campaign status", "errors": []}
    assert simulator.stop_count("bsg", cid) == 1
    assert simulator.campaign("bsg", cid)["status"] == "stopped"


@pytest.mark.parametrize("channel", ["sms", "rcs"])
@pytest.mark.parametrize("status", ["creation", "moderation", "scheduled", "sending", "paused"])
@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_lenient_stops_every_running_status_with_either_method(lenient, lenient_client, status, channel, method):
    cid = lenient.add_campaign("bsg", status=status, channel=channel)
    assert lenient_client.bsg(method, f"/api/campaigns/{cid}/stop").status == 200


@pytest.mark.parametrize("status", ["stopped", "done", "spam"])
def test_final_campaigns_answer_422(simulator, client, status):
    cid = simulator.add_campaign("bsg", status=status)
    answer = client.bsg("PATCH", f"/api/campaigns/{cid}/stop")
    assert answer.status == 422
    assert simulator.stop_count("bsg", cid) == 0


@pytest.mark.parametrize("path", ["/api/campaigns/999999/stop", "/api/campaigns/abc/stop", "/api/campaigns/-1/stop"])
def test_unknown_or_non_integer_id_is_404(client, path):
    answer = client.bsg("PATCH", path)
    assert answer.status == 404
    assert answer.json() == {"message": "Not found"}


def test_wrong_method_on_stop_is_405(simulator, client):
    cid = simulator.add_campaign("bsg")
    assert client.bsg("POST", f"/api/campaigns/{cid}/stop").status == 405


def test_status_and_detail(simulator, client):
    cid = simulator.add_campaign("bsg", status="sending", recipients=10)
    got = client.bsg("GET", f"/api/campaigns/{cid}")
    assert got.status == 200 and got.json()["data"]["status"] == "sending"
    detail = client.bsg("GET", f"/api/campaigns/{cid}/detail").json()["data"]
    assert detail["type"] == "sms" and detail["total_messages"] == 10 and "actual_start_at" in detail
    assert client.bsg("GET", "/api/campaigns/424242").status == 404


def test_campaign_moves_scheduled_to_sending_to_done_with_time(simulator, client):
    cid = simulator.add_campaign("bsg", status="scheduled", starts_in=0.1, finishes_in=0.45)
    token = client.bsg_login()
    assert client.bsg("GET", f"/api/campaigns/{cid}", token).json()["data"]["status"] == "scheduled"
    time.sleep(0.25)
    data = client.bsg("GET", f"/api/campaigns/{cid}", token).json()["data"]
    assert data["status"] == "sending" and data["real_start_at"] is not None and data["finished_at"] is None
    time.sleep(0.3)
    data = client.bsg("GET", f"/api/campaigns/{cid}", token).json()["data"]
    assert data["status"] == "done" and data["finished_at"] is not None
    assert client.bsg("PATCH", f"/api/campaigns/{cid}/stop", token).status == 422


def test_a_stopped_campaign_never_finishes(simulator, client):
    cid = simulator.add_campaign("bsg", finishes_in=0.1)
    assert client.bsg("PATCH", f"/api/campaigns/{cid}/stop").status == 200
    time.sleep(0.15)
    assert simulator.campaign("bsg", cid)["status"] == "stopped"


def test_lenient_list_pages_sorts_and_filters_without_a_window(lenient, lenient_client):
    simulator, client = lenient, lenient_client
    ids = [simulator.add_campaign("bsg", name=f"promo-{i}", channel="rcs" if i % 2 else "sms") for i in range(5)]
    simulator.add_campaign("bsg", status="done", name="old", created_at="2020-01-02 10:00:00")
    token = client.bsg_login()
    page = client.bsg("GET", "/api/campaigns?page[offset]=1&page[limit]=2", token).json()
    assert page["meta"] == {"page": {"total": 6, "limit": 2, "offset": 1}}
    assert [c["id"] for c in page["data"]] == ids[1:3]
    desc = client.bsg("GET", "/api/campaigns?sort=id&way=desc", token).json()["data"]
    assert desc[0]["id"] > desc[-1]["id"]
    rcs = client.bsg("GET", "/api/campaigns?filter[type]=rcs", token).json()
    assert {c["id"] for c in rcs["data"]} == {ids[1], ids[3]}
    found = client.bsg("GET", "/api/campaigns?search[field]=name&search[value]=PROMO-4", token).json()["data"]
    assert [c["id"] for c in found] == [ids[4]]
    old = client.bsg("GET", "/api/campaigns?filter[from]=2020-01-01&filter[to]=2020-01-02", token).json()["data"]
    assert [c["name"] for c in old] == ["old"]
    recent = client.bsg("GET", "/api/campaigns?filter[from]=2021-01-01T00:00:00%2B00:00", token).json()["meta"]
    assert recent["page"]["total"] == 5
    done = client.bsg("GET", "/api/campaigns?filter[status]=done,stopped", token).json()["data"]
    assert [c["name"] for c in done] == ["old"]
    assert client.bsg("GET", "/api/campaigns", token).json()["meta"]["page"]["limit"] == 50


def test_list_pages_by_offset(simulator, client):
    ids = [simulator.add_campaign("bsg") for _ in range(35)]
    token = client.bsg_login()
    first = client.bsg("GET", "/api/campaigns?page[limit]=30", token).json()
    second = client.bsg("GET", "/api/campaigns?page[limit]=30&page[offset]=30", token).json()
    assert [c["id"] for c in first["data"] + second["data"]] == ids
    assert second["meta"] == {"page": {"total": 35, "limit": 30, "offset": 30}}


@pytest.mark.parametrize(
    "query",
    [
        "page[limit]=501",
        "page[limit]=0",
        "page[limit]=x",
        "filter[type]=email",
        "filter[from]=yesterday",
        "sort=price",
        "way=up",
        "search[field]=password&search[value]=x",
        "filter[status]=running",
    ],
)
def test_lenient_list_rejects_bad_parameters_with_422(lenient_client, query):
    answer = lenient_client.bsg("GET", f"/api/campaigns?{query}")
    assert answer.status == 422
    assert answer.json()["message"] == "The given data was invalid."
