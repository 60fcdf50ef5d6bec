"""comm.com selection, pure parts: which listed campaigns are read, and their sends as read from the answer."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_campaigns.core.settings import transport_settings
from airflow_provider_campaigns.core.wire import ApiRequest, Reply
from airflow_provider_campaigns.exceptions import CampaignNotFoundError, ResponseFormatError
from airflow_provider_campaigns.status import CampaignState, CampaignStatus
from airflow_provider_campaigns.vendors import comm
from airflow_provider_campaigns.vendors.comm import CommApi, build_api
from airflow_provider_campaigns.vendors.comm_listing import campaigns_to_read, name_matches, sends_request

C1 = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
C2 = "7d2b9c41-1111-4a2b-9c3d-0123456789ab"
S1 = "9f1e2d3c-4b5a-4697-8887-766554433221"
S2 = "0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3"


def make_api(host: str | None = None, **options: Any) -> CommApi:
    conn = SimpleNamespace(conn_id="comm_default", host=host, port=None, schema=None, password="tok", extra_dejson={})
    settings = transport_settings(conn, comm.VENDOR, comm.DEFAULT_HOST)
    return build_api(conn, settings, **options)


def answer(request: ApiRequest[Any], body: Any, status: int = 200) -> Any:
    return request.interpret(Reply("comm.com", request, status, {}, json.dumps(body).encode()))


def listed(campaign_id: str, status: str | None, name: str | None = "promo") -> CampaignStatus:
    return CampaignStatus("comm.com", campaign_id, comm.STATUS_MAP.normalize(status), status, name=name)


def test_campaigns_to_read_keeps_non_final_matching_campaigns_once_each():
    campaigns = [
        listed(C1.upper(), "in_progress", "Spring PROMO"),
        listed(C2, "completed", "promo"),
        listed(C1, "in_progress", "Spring PROMO"),
        listed("not-a-uuid", "in_progress", "promo"),
        listed(C2, "winding_down", None),
    ]
    assert [c.campaign_id for c in campaigns_to_read(campaigns)] == [C1, C2]
    assert [c.campaign_id for c in campaigns_to_read(campaigns, "promo")] == [C1]
    assert [c.campaign_id for c in campaigns_to_read(campaigns, "nothing")] == []


@pytest.mark.parametrize(
    ("name", "needle", "expected"), [("Spring Promo", "PROMO", True), (None, None, True), (None, "x", False), ("a", "", True)]
)
def test_name_matches_case_insensitively(name, needle, expected):
    assert name_matches(name, needle) is expected


def test_sends_request_reads_the_campaign_and_each_send_status():
    request = sends_request(make_api(), C1)
    assert (request.method, request.path, request.action, request.campaign_id) == ("GET", f"/api/v1/sms/campaigns/{C1}", "sends read", C1)
    body = {
        "data": {
            "id": C1,
            "status": "in_progress",
            "campaign_sends": [
                {"id": S1.upper(), "status": "in_progress", "updated_at": "2026-03-01T11:00:00Z"},
                {"id": S2, "meta": {"multistep_status": {"status": "completed"}}},
                {"id": S1, "status": "in_progress"},
                {"id": "nope", "status": "in_progress"},
                "junk",
            ],
        }
    }
    sends = answer(request, body)
    assert [(s.ref, s.status.state) for s in sends] == [
        ({"campaign_id": C1, "campaign_send_id": S1}, CampaignState.ACTIVE),
        ({"campaign_id": C1, "campaign_send_id": S2}, CampaignState.COMPLETED),
    ]
    assert sends[0].status.campaign_id == f"{C1}/{S1}" and sends[0].status.timestamps == {"updated_at": "2026-03-01T11:00:00Z"}


def test_sends_request_is_none_without_a_list_of_sends_and_honours_send_status_path():
    assert answer(sends_request(make_api(), C1), {"data": {"id": C1, "status": "in_progress"}}) is None
    assert answer(sends_request(make_api(), C1), {"data": {"id": C1, "sends": "many"}}) is None
    api = make_api(send_status_path="data.runs")
    assert answer(sends_request(api, C1), {"data": {"sends": [{"id": S1, "status": "pending"}]}}) is None
    assert len(answer(sends_request(api, C1), {"data": {"runs": [{"id": S1, "status": "pending"}]}})) == 1
    assert answer(sends_request(api, C1), {"data": {"runs": []}}) == []


def test_sends_request_under_a_base_url_ending_in_api_and_its_errors():
    assert sends_request(make_api("https://api.comm.com/api"), C1).path == f"/v1/sms/campaigns/{C1}"
    with pytest.raises(ResponseFormatError, match="'data' object"):
        answer(sends_request(make_api(), C1), {"data": []})
    with pytest.raises(CampaignNotFoundError):
        answer(sends_request(make_api(), C1), {"message": "Not found"}, status=404)
