"""Server-side page caps: pages shorter than asked for that are not the last, with honest paging signals."""

from __future__ import annotations

import pytest

from airflow_provider_campaigns.simulator import Simulator


@pytest.fixture
def capped(make_client):
    with Simulator(page_caps={"bsg": 40, "cellcast": 3, "comm": 2, "kore": 2}) as sim:
        yield sim, make_client(sim)


def test_bsg_serves_at_most_the_cap_and_total_tells_the_rest(capped):
    sim, client = capped
    ids = [sim.add_campaign("bsg") for _ in range(100)]
    token = client.bsg_login()
    first = client.bsg("GET", "/api/campaigns?page[limit]=100", token).json()
    assert len(first["data"]) == 40 and first["meta"]["page"] == {"total": 100, "offset": 0, "limit": 40}
    seen, offset = [], 0
    while offset < 100:
        page = client.bsg("GET", f"/api/campaigns?page[limit]=100&page[offset]={offset}", token).json()
        seen += [c["id"] for c in page["data"]]
        offset += len(page["data"])
    assert seen == ids


def test_cellcast_pages_by_the_served_size(capped):
    sim, client = capped
    ids = set(sim.add_campaign("cellcast", recipients=7, custom_string="c"))
    data = client.cellcast("GET", "/api/v2/report/message?customString=c&limit=5").json()["data"]
    assert len(data["items"]) == 3 and data["limit"] == 3
    assert data["total"] == 7 and data["totalPages"] == 3 and data["hasNextPage"] is True and data["nextPage"] == 2
    seen, page = [], 1
    while page is not None:
        data = client.cellcast("GET", f"/api/v2/report/message?customString=c&limit=5&page={page}").json()["data"]
        seen += [m["_id"] for m in data["items"]]
        page = data["nextPage"]
    assert set(seen) == ids and len(seen) == 7


def test_comm_pages_by_the_served_size(capped):
    sim, client = capped
    ids = [sim.add_campaign("comm")[0] for _ in range(5)]
    body = client.comm("GET", "/api/v1/sms/campaigns?per_page=4").json()
    assert len(body["data"]) == 2 and body["meta"]["per_page"] == 2 and body["meta"]["last_page"] == 3
    assert body["links"]["next"].endswith("page=2")
    seen, page = [], 1
    while True:
        body = client.comm("GET", f"/api/v1/sms/campaigns?per_page=4&page={page}").json()
        seen += [c["id"] for c in body["data"]]
        if body["links"]["next"] is None:
            break
        page += 1
    assert seen == ids


def test_kore_serves_at_most_the_cap_and_says_more_is_available(capped):
    sim, client = capped
    for _ in range(5):
        sim.add_campaign("kore")
    body = client.kore("POST", "/getAllCampaignDetails", "", {"type": "sms", "limit": 4, "skip": 0}).json()["data"]
    assert len(body["results"]) == 2 and body["totalResults"] == 5 and body["hasMore"] is True and body["limit"] == 2
    by_page = client.kore("POST", "/getAllCampaignDetails", "", {"type": "sms", "limit": 4, "page": 3}).json()["data"]
    assert len(by_page["results"]) == 1 and by_page["hasMore"] is False


def test_caps_change_while_running(simulator, client, call):
    for _ in range(35):
        simulator.add_campaign("bsg")
    simulator.config.update(page_caps={"bsg": 10})
    assert len(client.bsg("GET", "/api/campaigns?page[limit]=30").json()["data"]) == 10
    assert call(simulator.url + "/_sim/config", "POST", {"page_caps": {}}).json()["page_caps"] == {}
    assert len(client.bsg("GET", "/api/campaigns?page[limit]=30").json()["data"]) == 30


def test_lenient_mode_is_capped_too(make_client):
    with Simulator(strict=False, page_caps={"kore": 1}) as sim:
        sim.add_campaign("kore")
        sim.add_campaign("kore")
        body = make_client(sim).kore("POST", "/getAllCampaignDetails", "", {"limit": 10}).json()["data"]
        assert len(body["results"]) == 1 and body["hasMore"] is True
