"""The fake Kore.ai Campaign API: self-signed JWT, double-slash stop, status, list."""

from __future__ import annotations

import re
import time

import pytest


def test_stop_with_the_documented_path_stops_the_campaign(simulator, client):
    cid = simulator.add_campaign("kore", status="Active")
    answer = client.kore_stop(cid)
    assert answer.status == 200
    body = answer.json()
    assert body["status"] == "Stopped" and body["message"] == "Campaign Stopped"
    assert body["campaignExecutionType"] == "NORMAL"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["updatedAt"])
    assert simulator.campaign("kore", cid)["status"] == "Stopped"
    again = client.kore_stop(cid)
    assert again.status == 400
    assert again.json() == {"errors": [{"msg": "Campaign is already stopped or completed", "code": 400}]}
    assert simulator.stop_count("kore", cid) == 1


@pytest.mark.parametrize("status", ["Ready", "Preparing", "Scheduled", "Rescheduled", "Active", "Paused", "active"])
def test_every_running_status_can_be_stopped(simulator, client, status):
    cid = simulator.add_campaign("kore", status=status)
    assert client.kore_stop(cid).status == 200


def test_completed_campaign_cannot_be_stopped(simulator, client):
    cid = simulator.add_campaign("kore", status="Completed")
    assert client.kore_stop(cid).status == 400


def test_unknown_campaign_is_404(client):
    answer = client.kore_stop("cd-nope")
    assert answer.status == 404
    assert answer.json() == {"errors": [{"msg": "Campaign not found", "code": 404}]}


@pytest.mark.parametrize(
    ("method", "tail", "query"),
    [
        ("POST", "/trigger/{id}", "campaignType=sms&trigger=stop"),
        ("POST", "/{id}", "campaignType=sms&trigger=stop"),
        ("GET", "//trigger/{id}", "campaignType=sms&trigger=stop"),
    ],
    ids=["single-slash", "start-v2-sibling", "get"],
)
def test_paths_other_than_the_documented_one_are_404(simulator, client, method, tail, query):
    cid = simulator.add_campaign("kore")
    answer = client.kore(method, tail.format(id=cid), query, {})
    assert answer.status == 404
    assert simulator.campaign("kore", cid)["status"] == "Active"


@pytest.mark.parametrize("query", ["campaignType=voice&trigger=stop", "campaignType=sms&trigger=pause", "campaignType=sms"])
def test_bad_trigger_queries_are_400(simulator, client, query):
    cid = simulator.add_campaign("kore")
    assert client.kore("POST", f"//trigger/{cid}", query, {}).status == 400


def test_play_activates_a_paused_campaign(simulator, client):
    cid = simulator.add_campaign("kore", status="Paused")
    answer = client.kore("POST", f"//trigger/{cid}", "campaignType=sms&trigger=play", {})
    assert answer.status == 200 and answer.json()["status"] == "Active"
    assert client.kore("POST", f"//trigger/{cid}", "campaignType=sms&trigger=play", {}).status == 400


@pytest.mark.parametrize("case", ["valid-no-exp", "wrong-secret", "wrong-appId", "expired", "missing-appId", "bearer-prefix", "missing"])
def test_jwt_verification(simulator, client, case):
    cid = simulator.add_campaign("kore")
    token = {
        "valid-no-exp": lambda: client.kore_jwt(exp=None, iat=None, jti=None),
        "wrong-secret": lambda: client.kore_jwt(secret="another-secret-that-is-long-enough"),
        "wrong-appId": lambda: client.kore_jwt(appId="cs-someone-else"),
        "expired": lambda: client.kore_jwt(exp=int(time.time()) - 10, iat=int(time.time()) - 310),
        "missing-appId": lambda: client.kore_jwt(appId=None),
        "bearer-prefix": lambda: "Bearer " + client.kore_jwt(),
        "missing": lambda: "",
    }[case]()
    headers = client.kore_headers()
    headers["auth"] = token
    if case == "missing":
        del headers["auth"]
    answer = client.kore_stop(cid, headers)
    if case == "valid-no-exp":
        assert answer.status == 200
    else:
        assert answer.status == 401
        assert answer.json() == {"msg": "Invalid SDK credentials", "code": 4002}
        assert simulator.stop_count("kore", cid) == 0


def test_jti_reuse_is_allowed(simulator, client):
    token = client.kore_jwt(jti="same")
    for _ in range(2):
        cid = simulator.add_campaign("kore")
        assert client.kore_stop(cid, client.kore_headers(token)).status == 200


@pytest.mark.parametrize("header", ["accountid", "iid"])
def test_wrong_account_or_stream_header_is_401(simulator, client, header):
    cid = simulator.add_campaign("kore")
    headers = client.kore_headers()
    headers[header] = "wrong"
    answer = client.kore_stop(cid, headers)
    assert answer.status == 401 and answer.json()["code"] == 4002


def test_wrong_account_query_or_stream_path_is_rejected(simulator, client, call):
    cid = simulator.add_campaign("kore")
    creds = simulator.credentials
    base = f"{simulator.base_url('kore')}/campaign/api/v2/public"
    wrong_account = call(
        f"{base}/{creds.kore_stream_id}/campaign//trigger/{cid}?accountId=x&campaignType=sms&trigger=stop",
        "POST",
        {},
        client.kore_headers(),
    )
    assert wrong_account.status == 401
    no_account = call(
        f"{base}/{creds.kore_stream_id}/campaign//trigger/{cid}?campaignType=sms&trigger=stop", "POST", {}, client.kore_headers()
    )
    assert no_account.status == 400
    wrong_stream = call(
        f"{base}/st-other/campaign//trigger/{cid}?accountId={creds.kore_account_id}&campaignType=sms&trigger=stop",
        "POST",
        {},
        client.kore_headers(),
    )
    assert wrong_stream.status == 401
    assert simulator.campaign("kore", cid)["status"] == "Active"


def test_status_endpoint(simulator, client):
    cid = simulator.add_campaign("kore", name="promo")
    answer = client.kore("POST", f"/{cid}/status", "view=status", {})
    assert answer.status == 200
    assert answer.json() == {"status": "success", "data": {"id": cid, "status": "Active", "name": "promo"}}
    missing = client.kore("POST", "/cd-unknown/status", "view=status", {})
    assert missing.status == 404 and missing.json()["status"] == "failure"


def test_get_full_campaign(simulator, client):
    cid = simulator.add_campaign("kore", name="promo")
    data = client.kore("GET", f"/{cid}").json()["data"]
    assert data["id"] == cid and data["campaignType"] == "sms" and data["streamId"] == simulator.credentials.kore_stream_id
    assert client.kore("GET", "/cd-unknown").status == 404


def test_list_filters_and_pages(simulator, client):
    active = [simulator.add_campaign("kore") for _ in range(3)]
    simulator.add_campaign("kore", status="Completed")
    page = client.kore(
        "POST", "/getAllCampaignDetails", "", {"type": "sms", "limit": 2, "skip": 0, "page": 1, "filters": {"status": ["Active"]}}
    ).json()
    assert page["status"] == "success" and page["data"]["totalResults"] == 3 and page["data"]["hasMore"] is True
    assert [c["id"] for c in page["data"]["results"]] == active[::-1][:2]
    body = {"type": "sms", "limit": 2, "page": 2, "filters": {"status": ["Active"]}}
    rest = client.kore("POST", "/getAllCampaignDetails", "", body).json()["data"]
    assert [c["id"] for c in rest["results"]] == [active[0]] and rest["hasMore"] is False
    assert client.kore("POST", "/getAllCampaignDetails", "", {"type": "sms"}).json()["data"]["totalResults"] == 4


def test_campaign_goes_scheduled_active_completed_with_time(simulator, client):
    cid = simulator.add_campaign("kore", status="Scheduled", starts_in=0.1, finishes_in=0.45)
    time.sleep(0.25)
    assert simulator.campaign("kore", cid)["status"] == "Active"
    time.sleep(0.3)
    data = simulator.campaign("kore", cid)
    assert data["status"] == "Completed" and data["endedAt"] is not None
    assert client.kore_stop(cid).status == 400
