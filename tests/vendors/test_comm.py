"""comm.com vendor module: id validation, status map, request shapes and answer parsing (no I/O)."""

from __future__ import annotations

import json
import logging
import uuid
from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_campaigns.core.flow import NeedToken, Send, Sleep, call
from airflow_provider_campaigns.core.retry import RetryPolicy
from airflow_provider_campaigns.core.settings import transport_settings
from airflow_provider_campaigns.core.wire import ApiRequest, Reply
from airflow_provider_campaigns.exceptions import (
    AuthenticationError,
    CampaignNotFoundError,
    InvalidInputError,
    ResponseFormatError,
    StopRejectedError,
)
from airflow_provider_campaigns.status import CampaignState
from airflow_provider_campaigns.vendors import comm
from airflow_provider_campaigns.vendors.comm import CommApi, build_api, campaign_ref, campaign_sends_refs, validate_uuid

C1 = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
S1 = "9f1e2d3c-4b5a-4697-8887-766554433221"
S2 = "0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3"
REF = {"campaign_id": C1, "campaign_send_id": S1}


def reply(request: ApiRequest[Any], status: int, body: Any = None, headers: dict[str, str] | None = None) -> Reply:
    content = b"" if body is None else json.dumps(body).encode() if not isinstance(body, bytes) else body
    return Reply("comm.com", request, status, headers or {}, content)


def make_api(extra: dict[str, Any] | None = None, status_map: dict[str, str] | None = None, **options: Any) -> CommApi:
    conn = SimpleNamespace(conn_id="comm_default", host=None, port=None, schema=None, password="tok", extra_dejson=extra or {})
    settings = transport_settings(conn, comm.VENDOR, comm.DEFAULT_HOST)
    return build_api(conn, settings, status_map=status_map, **options)


# -- ids --------------------------------------------------------------------------------------
def test_uuid_is_normalized_to_lower_case():
    assert validate_uuid(C1.upper(), "campaign_id") == C1
    assert validate_uuid(uuid.UUID(C1), "campaign_id") == C1


@pytest.mark.parametrize(
    "value",
    [
        None,
        12,
        1.5,
        True,
        b"3c90c3cc-0d44-4b50-8888-8dd25736052a",
        "",
        " " + C1,
        C1 + "\n",
        f"{C1}/x",
        "a/b",
        C1.replace("-", ""),
        "{" + C1 + "}",
        "urn:uuid:" + C1,
        "not-a-uuid",
        C1[:-1] + "g",
    ],
)
def test_non_uuid_ids_are_rejected_naming_the_parameter(value):
    with pytest.raises(InvalidInputError, match="campaign_send_id"):
        validate_uuid(value, "campaign_send_id")


def test_unrendered_template_is_called_out():
    with pytest.raises(InvalidInputError, match="unrendered Jinja template"):
        campaign_ref("{{ params.campaign }}", S1)


def test_campaign_sends_accepts_pairs_lists_dicts_and_json_text_and_drops_duplicates():
    refs = campaign_sends_refs([(C1, S1), [C1.upper(), S1], {"campaign_id": C1, "campaign_send_id": S2, "note": "x"}])
    assert refs == [REF, {"campaign_id": C1, "campaign_send_id": S2}]
    assert campaign_sends_refs(json.dumps([[C1, S1]])) == [REF]


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ([], "non-empty list"),
        ({"campaign_id": C1, "campaign_send_id": S1}, "non-empty list"),
        ("not json", "JSON list"),
        ([(C1, S1), (C1,)], r"campaign_sends\[1\]"),
        ([(C1, S1), {"campaign_id": C1}], r"campaign_sends\[1\]: missing key\(s\) campaign_send_id"),
        ([(C1, S1), (C1, "nope")], r"campaign_sends\[1\]\.campaign_send_id"),
        ([C1], r"campaign_sends\[0\]"),
    ],
)
def test_bad_campaign_sends_fail_naming_the_item(value, match):
    with pytest.raises(InvalidInputError, match=match):
        campaign_sends_refs(value)


# -- status map -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "state"),
    [
        ("in_progress", "active"),
        ("pending", "active"),
        ("scheduled", "active"),
        ("queued", "active"),
        ("sending", "active"),
        ("running", "active"),
        ("processing", "active"),
        ("paused", "paused"),
        ("stopped", "stopped"),
        ("cancelled", "stopped"),
        ("canceled", "stopped"),
        ("halted", "stopped"),
        ("completed", "completed"),
        ("finished", "completed"),
        ("done", "completed"),
        ("sent", "completed"),
        ("failed", "failed"),
        ("error", "failed"),
        ("IN_PROGRESS", "active"),
    ],
)
def test_default_status_map(raw, state):
    assert comm.STATUS_MAP.normalize(raw) is CampaignState(state)


def test_unknown_status_is_unknown_and_not_final(caplog):
    with caplog.at_level(logging.WARNING):
        state = make_api().statuses.normalize("archived_by_robot")
    assert state is CampaignState.UNKNOWN and not state.is_final
    assert "archived_by_robot" in caplog.text


def test_user_status_map_extends_and_overrides_defaults():
    api = make_api(status_map={"archived": "stopped", "sent": "active"})
    assert api.statuses.normalize("archived") is CampaignState.STOPPED
    assert api.statuses.normalize("sent") is CampaignState.ACTIVE
    assert api.statuses.normalize("stopped") is CampaignState.STOPPED
    with pytest.raises(InvalidInputError, match="status_map"):
        make_api(status_map={"archived": "gone"})


def test_final_statuses_extra_makes_statuses_final_keeping_known_final_defaults():
    api = make_api({"final_statuses": " archived, Expired ,,failed, paused"})
    assert api.statuses.normalize("archived") is CampaignState.STOPPED
    assert api.statuses.normalize("expired") is CampaignState.STOPPED
    assert api.statuses.normalize("failed") is CampaignState.FAILED  # already final: kept as is
    assert api.statuses.normalize("paused") is CampaignState.STOPPED  # declared final by the user
    assert make_api({"final_statuses": ["archived"]}).statuses.normalize("archived") is CampaignState.STOPPED
    assert make_api({"final_statuses": ["paused"]}, status_map={"paused": "paused"}).statuses.normalize("paused") is CampaignState.PAUSED
    with pytest.raises(InvalidInputError, match="final_statuses"):
        make_api({"final_statuses": 5})


def test_build_api_requires_the_token_and_checks_send_status_path():
    conn = SimpleNamespace(conn_id="c", host=None, port=None, schema=None, password=" ", extra_dejson={})
    with pytest.raises(InvalidInputError, match="password"):
        build_api(conn, transport_settings(conn, comm.VENDOR, comm.DEFAULT_HOST))
    with pytest.raises(InvalidInputError, match="send_status_path"):
        make_api(send_status_path="data. sends")
    assert make_api({"send_status_path": "data.items"}).send_list_paths == ("data.items",)
    assert make_api({"send_status_path": "data.items"}, send_status_path="data.x").send_list_paths == ("data.x",)
    assert comm.DEFAULT_HOST == "https://api.comm.com" and comm.VENDOR == "comm.com"


# -- stop -------------------------------------------------------------------------------------
def test_stop_request_shape_and_label():
    api = make_api()
    request = api.stop_request(REF)
    assert (request.method, request.path, request.json) == ("POST", f"/api/v1/sms/campaigns/{C1}/stop/{S1}", None)
    assert request.campaign_id == api.label(REF) == f"{C1}/{S1}"
    assert api.auth.headers("tok") == {"Authorization": "Bearer tok"}


def test_stop_answer_gives_status_and_timestamps():
    api = make_api()
    request = api.stop_request(REF)
    data = {
        "id": S1,
        "status": "stopped",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-02T00:00:00Z",
        "next_step_timestamp": None,
        "meta": {"multistep_status": {"status": "stopped"}},
        "sms_campaign_id": C1,
    }
    status = request.interpret(reply(request, 200, {"data": data}))
    assert (status.state, status.vendor_status, status.campaign_id) == (CampaignState.STOPPED, "stopped", f"{C1}/{S1}")
    assert status.timestamps == {"created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-02T00:00:00Z"}


def test_stop_answer_without_status_uses_multistep_status_and_unknown_never_crashes():
    api = make_api()
    request = api.stop_request(REF)
    status = request.interpret(reply(request, 200, {"data": {"meta": {"multistep_status": {"status": "halted"}}}}))
    assert status.vendor_status == "halted" and status.state is CampaignState.STOPPED
    weird = request.interpret(reply(request, 200, {"data": {"status": "mystery"}}))
    assert weird.state is CampaignState.UNKNOWN and not weird.is_final
    with pytest.raises(ResponseFormatError):
        request.interpret(reply(request, 200, {"nodata": 1}))


@pytest.mark.parametrize("code", [400, 409, 410, 422])
def test_stop_refusals_are_stop_rejected(code):
    request = make_api().stop_request(REF)
    with pytest.raises(StopRejectedError, match="Campaign send is not running") as caught:
        request.interpret(reply(request, code, {"message": "Campaign send is not running."}))
    assert caught.value.http_status == code and f"{C1}/{S1}" in str(caught.value)


@pytest.mark.parametrize(("code", "error"), [(401, AuthenticationError), (403, AuthenticationError), (404, CampaignNotFoundError)])
def test_stop_auth_and_not_found_are_not_state_refusals(code, error):
    request = make_api().stop_request(REF)
    with pytest.raises(error) as caught:
        request.interpret(reply(request, code, {"message": "Nope"}))
    assert not isinstance(caught.value, StopRejectedError)


def test_stop_honours_retry_after_on_429():
    flow = call(make_api().stop_request(REF), comm.VENDOR, RetryPolicy(backoff_base=0.001), refreshable=False)
    assert isinstance(flow.send(None), NeedToken)
    send = flow.send("tok")
    assert isinstance(send, Send) and send.token == "tok"
    assert flow.send(reply(send.request, 429, {"message": "Too Many Attempts."}, {"retry-after": "7"})) == Sleep(7.0, shared=True)


# -- status read ------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["sends", "campaign_sends", "sms_campaign_sends"])
def test_status_read_finds_the_send_in_the_campaign(key):
    api = make_api()
    request = api.status_request(REF)
    assert (request.method, request.path) == ("GET", f"/api/v1/sms/campaigns/{C1}")
    body = {
        "data": {
            "id": C1,
            "status": "in_progress",
            "name": "promo",
            key: [{"id": S2, "status": "in_progress"}, {"id": S1.upper(), "status": "completed", "updated_at": "t"}],
        }
    }
    status = request.interpret(reply(request, 200, body))
    assert (status.vendor_status, status.state, status.timestamps) == ("completed", CampaignState.COMPLETED, {"updated_at": "t"})


def test_status_read_uses_the_configured_send_status_path():
    request = make_api(send_status_path="data.details.items").status_request(REF)
    body = {
        "data": {
            "status": "in_progress",
            "sends": [{"id": S1, "status": "running"}],
            "details": {"items": [{"id": S1, "status": "stopped"}]},
        }
    }
    assert request.interpret(reply(request, 200, body)).vendor_status == "stopped"


def test_status_read_falls_back_to_campaign_status_and_warns_once(caplog):
    api = make_api()
    ref = {"campaign_id": C1, "campaign_send_id": str(uuid.uuid4())}
    request = api.status_request(ref)
    with caplog.at_level(logging.WARNING, logger="airflow_provider_campaigns.vendors.comm"):
        first = request.interpret(reply(request, 200, {"data": {"id": C1, "status": "stopped", "sends": [{"id": S2, "status": "x"}]}}))
        second = request.interpret(reply(request, 200, {"data": {"id": C1, "status": "stopped"}}))
    assert first.vendor_status == second.vendor_status == "stopped" and first.state is CampaignState.STOPPED
    assert caplog.text.count("is not available") == 1
    assert ref["campaign_send_id"] in caplog.text and "lists other sends" in caplog.text


def test_status_read_errors():
    request = make_api().status_request(REF)
    with pytest.raises(ResponseFormatError):
        request.interpret(reply(request, 200, {"data": {"id": C1}}))
    with pytest.raises(CampaignNotFoundError):
        request.interpret(reply(request, 404, {"message": "Not found"}))


# -- list -------------------------------------------------------------------------------------
def test_list_page_reads_campaigns_and_last_page():
    api = make_api()
    request = api.list_request(2, 2)
    assert (request.method, request.path, dict(request.params)) == ("GET", "/api/v1/sms/campaigns", {"page": "2", "per_page": "2"})
    items = [{"id": C1, "status": "in_progress", "name": "a"}, {"id": S2, "status": "completed"}]
    campaigns, last = request.interpret(reply(request, 200, {"data": items, "meta": {"current_page": 2, "last_page": 3}}))
    assert [(c.campaign_id, c.state, c.name) for c in campaigns] == [(C1, CampaignState.ACTIVE, "a"), (S2, CampaignState.COMPLETED, None)]
    assert not last
    assert request.interpret(reply(request, 200, {"data": items, "meta": {"current_page": 3, "last_page": 3}}))[1]
    assert request.interpret(reply(request, 200, {"data": items[:1]}))[1]
