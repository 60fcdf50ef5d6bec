"""BSG's official Python SDK (generated from BSG's OpenAPI spec) as an independent client of the simulator.

If the simulator had copied a misreading of the contract from our own client, the SDK would
trip over it: login, stop and read must work with BSG's own code.
"""

from __future__ import annotations

import pytest

bsg_api = pytest.importorskip("bsg_api")


def sdk_client(sim, token: str | None = None):
    config = bsg_api.Configuration(host=sim.base_url("bsg"), access_token=token)
    return bsg_api.ApiClient(config)


def test_sdk_logs_in_stops_and_reads_a_campaign(simulator):
    campaign_id = simulator.add_campaign("bsg", status="sending", name="sdk promo")
    with sdk_client(simulator) as client:
        login = bsg_api.AuthApi(client).login(bsg_api.LoginRequest(api_key=simulator.credentials.bsg_api_key))
    assert login.bearer
    with sdk_client(simulator, login.bearer) as client:
        campaigns = bsg_api.CampaignApi(client)
        stopped = campaigns.campaign_stop(campaign_id)
        read = campaigns.campaign(campaign_id)
    assert stopped.data.status == "stopped"
    assert read.data.status == "stopped" and read.data.id == campaign_id
    assert simulator.stop_count("bsg", campaign_id) == 1


def test_sdk_sees_the_documented_422_on_a_final_campaign(simulator):
    campaign_id = simulator.add_campaign("bsg", status="done")
    with sdk_client(simulator) as client:
        token = bsg_api.AuthApi(client).login(bsg_api.LoginRequest(api_key=simulator.credentials.bsg_api_key)).bearer
    with sdk_client(simulator, token) as client, pytest.raises(bsg_api.exceptions.ApiException) as error:
        bsg_api.CampaignApi(client).campaign_stop(campaign_id)
    assert error.value.status == 422 and "Invalid campaign status" in str(error.value.body)


def test_sdk_lists_campaigns(simulator):
    ids = {simulator.add_campaign("bsg", status="sending") for _ in range(3)}
    with sdk_client(simulator) as client:
        token = bsg_api.AuthApi(client).login(bsg_api.LoginRequest(api_key=simulator.credentials.bsg_api_key)).bearer
    with sdk_client(simulator, token) as client:
        listed = bsg_api.CampaignApi(client).campaigns()
    assert ids <= {c.id for c in listed.data}
