"""CommHook over documentation-shaped answers (responses): requests, idempotent stop, status location, listing, secrets.

Retries are covered once for every vendor by ``tests/reliability/test_fault_matrix.py``.
"""

from __future__ import annotations

import json

import pytest
import responses
from responses import matchers

from airflow_provider_campaigns.exceptions import (
    AuthenticationError,
    CampaignNotFoundError,
    CampaignNotStoppableError,
    ContractError,
    PermanentError,
    VendorRejectedError,
)
from airflow_provider_campaigns.hooks.comm import CommHook
from airflow_provider_campaigns.status import CampaignState
from tests.vendor_accounts import COMM_HOST, COMM_TOKEN

C1 = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
S1 = "9f1e2d3c-4b5a-4697-8887-766554433221"
STOP_URL = f"{COMM_HOST}/api/v1/sms/campaigns/{C1}/stop/{S1}"
CAMPAIGN_URL = f"{COMM_HOST}/api/v1/sms/campaigns/{C1}"
C2 = "7d2b9c41-1111-4a2b-9c3d-0123456789ab"
C3 = "5e6f7a8b-2222-4c3d-8e9f-0123456789ab"
S2 = "0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3"
LIST_URL = f"{COMM_HOST}/api/v1/sms/campaigns"


def send(status: str = "stopped", **fields: object) -> dict[str, object]:
    return {
        "id": S1,
        "status": status,
        "sms_campaign_id": C1,
        "created_at": "2026-03-01T10:00:00.000000Z",
        "updated_at": "2026-03-01T11:00:00.000000Z",
        "next_step_timestamp": None,
        "logs": [],
        **fields,
    }


def multistep(status: str) -> dict[str, object]:
    """The documented ``meta`` of a campaign or send: the status sits at ``meta.multistep_status.status``."""
    return {"send_type": "manual", "multistep_status": {"status": status, "status_reason": None, "total_sent": 10}}


def campaign(status: str, send_status: str | None = None) -> dict[str, object]:
    """A campaign as documented (no top-level status); with ``send_status``, the lenient reading that also lists its sends."""
    data: dict[str, object] = {"id": C1, "name": "promo", "meta": multistep(status), "created_at": "2026-03-01T10:00:00.000000Z"}
    if send_status:
        data["sends"] = [send(send_status)]
    return {"data": data}


@responses.activate
def test_stop_sends_the_documented_request_and_reads_the_send(comm_conn, leak_check):
    responses.post(STOP_URL, json={"data": send("stopped", next_step_timestamp="2026-03-01T11:05:00Z")})
    outcome = CommHook().stop_campaign_send(C1.upper(), S1)
    assert len(responses.calls) == 1
    request = responses.calls[0].request
    assert (request.method, request.url, request.body) == ("POST", STOP_URL, None)
    assert request.headers["Authorization"] == f"Bearer {COMM_TOKEN}"
    assert request.headers["Accept"] == "application/json"
    assert request.req_kwargs["timeout"] == (5.0, 15.0)
    status = outcome.status
    assert (outcome.outcome, status.campaign_id, status.state.value, status.vendor_status) == (
        "stopped",
        f"{C1}/{S1}",
        "stopped",
        "stopped",
    )
    assert status.timestamps == {
        "created_at": "2026-03-01T10:00:00Z",
        "updated_at": "2026-03-01T11:00:00Z",
        "next_step_timestamp": "2026-03-01T11:05:00Z",
    }
    leak_check([COMM_TOKEN], outcome)


@responses.activate
def test_a_stop_answer_with_the_status_only_in_meta_is_read(comm_conn):
    responses.post(STOP_URL, json={"data": {**send(), "status": None, "meta": multistep("stopped")}})
    assert CommHook().stop_campaign_send(C1, S1).status.vendor_status == "stopped"


@responses.activate
def test_stop_reports_unknown_vendor_status_without_crashing(comm_conn):
    responses.post(STOP_URL, json={"data": send("winding_down")})
    outcome = CommHook().stop_campaign_send(C1, S1)
    assert (outcome.outcome, outcome.status.state, outcome.status.vendor_status) == ("stopped", CampaignState.UNKNOWN, "winding_down")


@responses.activate
def test_stop_is_idempotent_when_the_send_is_already_stopped(comm_conn):
    responses.post(STOP_URL, status=422, json={"message": "Campaign send is not running."})
    responses.get(CAMPAIGN_URL, json=campaign("completed", "stopped"))
    outcome = CommHook().stop_campaign_send(C1, S1)
    assert (outcome.outcome, outcome.status.vendor_status) == ("already_final", "stopped")
    assert [c.request.method for c in responses.calls] == ["POST", "GET"]


@responses.activate
def test_refused_stop_of_a_running_send_fails_clearly(comm_conn):
    responses.post(STOP_URL, status=409, json={"message": "Send is locked."})
    responses.get(CAMPAIGN_URL, json=campaign("in_progress", "in_progress"))
    with pytest.raises(CampaignNotStoppableError) as caught:
        CommHook().stop_campaign_send(C1, S1)
    text = str(caught.value)
    assert "HTTP 409" in text and "Send is locked." in text and "'in_progress' (active), not final" in text and f"{C1}/{S1}" in text


@responses.activate
def test_fail_if_already_final(comm_conn):
    responses.post(STOP_URL, status=422, json={"message": "Campaign send is not running."})
    responses.get(CAMPAIGN_URL, json=campaign("completed", "completed"))
    with pytest.raises(CampaignNotStoppableError, match=r"already final .*fail_if_already_final=True"):
        CommHook().stop_campaign_send(C1, S1, fail_if_already_final=True)


@responses.activate
def test_final_statuses_extra_makes_an_unknown_status_final(connection, fast_retry):
    connection("comm_default", "comm", host=COMM_HOST, password=COMM_TOKEN, extra={**fast_retry, "final_statuses": "archived"})
    responses.post(STOP_URL, status=422, json={"message": "Campaign send is not running."})
    responses.get(CAMPAIGN_URL, json=campaign("archived", "archived"))
    outcome = CommHook().stop_campaign_send(C1, S1)
    assert (outcome.outcome, outcome.status.state) == ("already_final", CampaignState.STOPPED)


@responses.activate
def test_get_campaign_send_reads_the_campaign_endpoint(comm_conn):
    responses.get(CAMPAIGN_URL, json=campaign("in_progress", "completed"))
    status = CommHook().get_campaign_send(C1, S1)
    assert (status.state, status.vendor_status) == (CampaignState.COMPLETED, "completed")
    assert responses.calls[0].request.headers["Authorization"] == f"Bearer {COMM_TOKEN}"


@responses.activate
def test_get_campaign_send_reads_the_documented_campaign_status(comm_conn, caplog):
    """The documented campaign answer has no list of sends and no top-level status: meta.multistep_status.status."""
    responses.get(CAMPAIGN_URL, json=campaign("completed"))
    status = CommHook().get_campaign_send(C1, S1)
    assert (status.state, status.vendor_status) == (CampaignState.COMPLETED, "completed")


@responses.activate
def test_a_top_level_campaign_status_is_read_when_meta_has_none(comm_conn):
    responses.get(CAMPAIGN_URL, json={"data": {"id": C1, "status": "paused"}})
    status = CommHook(status_map={"paused": "stopped"}).get_campaign_send(C1, S1)
    assert (status.state, status.vendor_status) == (CampaignState.STOPPED, "paused")


@responses.activate
def test_a_campaign_answer_without_any_status_is_unreadable(comm_conn):
    responses.get(CAMPAIGN_URL, json={"data": {"id": C1, "name": "promo"}})
    with pytest.raises(ContractError, match=r"no status.*Documented in: comm\.com .Get SMS campaign."):
        CommHook().get_campaign_send(C1, S1)
    assert len(responses.calls) == 1  # drift is not retried


@pytest.mark.parametrize(("code", "error", "hint"), [(401, AuthenticationError, "token"), (404, CampaignNotFoundError, "campaign id")])
@responses.activate
def test_no_retry_on_401_or_404_stop(comm_conn, code, error, hint):
    responses.post(STOP_URL, status=code, json={"message": "Nope."})
    with pytest.raises(error, match=hint):
        CommHook().stop_campaign_send(C1, S1)
    assert len(responses.calls) == 1


@responses.activate
def test_no_retry_on_400_status_read(comm_conn):
    responses.get(CAMPAIGN_URL, status=400, json={"message": "Bad request."})
    with pytest.raises(VendorRejectedError, match="HTTP 400"):
        CommHook().get_campaign_send(C1, S1)
    assert len(responses.calls) == 1


@responses.activate
def test_400_on_stop_is_never_resent_only_followed_by_a_status_read(comm_conn):
    responses.post(STOP_URL, status=400, json={"message": "The given data was invalid."})
    responses.get(CAMPAIGN_URL, json=campaign("in_progress", "in_progress"))
    with pytest.raises(CampaignNotStoppableError):
        CommHook().stop_campaign_send(C1, S1)
    assert [c.request.method for c in responses.calls] == ["POST", "GET"]


@responses.activate
def test_timeouts_from_connection_extra_and_hook_parameter(connection, fast_retry):
    connection("comm_default", "comm", host=COMM_HOST, password=COMM_TOKEN, extra={**fast_retry, "timeout": [2, 7]})
    responses.get(CAMPAIGN_URL, json=campaign("in_progress", "stopped"))
    CommHook().get_campaign_send(C1, S1)
    CommHook(request_timeout=3).get_campaign_send(C1, S1)
    assert [c.request.req_kwargs["timeout"] for c in responses.calls] == [(2.0, 7.0), (3.0, 3.0)]


@responses.activate
def test_simulator_style_base_url_with_a_path(connection, fast_retry):
    connection("comm_sim", "comm", host="http://127.0.0.1:8799/comm", password=COMM_TOKEN, extra={**fast_retry, "allow_insecure": True})
    responses.post(f"http://127.0.0.1:8799/comm/api/v1/sms/campaigns/{C1}/stop/{S1}", json={"data": send()})
    assert CommHook("comm_sim").stop_campaign_send(C1, S1).outcome == "stopped"


@responses.activate
def test_base_url_written_as_in_the_docs_gets_no_second_api(connection, fast_retry):
    connection("comm_default", "comm", host="https://api.comm.test/api/", password=COMM_TOKEN, extra={**fast_retry})
    responses.post(STOP_URL, json={"data": send()})
    assert CommHook().stop_campaign_send(C1, S1).outcome == "stopped"


@responses.activate
def test_token_never_in_logs_or_errors_even_when_echoed(comm_conn, leak_check):
    responses.post(STOP_URL, status=401, json={"message": f"Token {COMM_TOKEN} is invalid."})
    with pytest.raises(AuthenticationError) as caught:
        CommHook().stop_campaign_send(C1, S1)
    assert "HTTP 401" in str(caught.value)
    leak_check([COMM_TOKEN], caught.value, repr(caught.value))


@responses.activate
def test_connection_test_succeeds_with_one_cheap_call(comm_conn):
    responses.get(LIST_URL, match=[matchers.query_param_matcher({"per_page": "1"})], json={"data": [], "meta": {"last_page": 1}})
    assert CommHook().test_connection() == (True, "comm.com accepted the credentials of connection 'comm_default'.")
    assert responses.calls[0].request.headers["Authorization"] == f"Bearer {COMM_TOKEN}"


@responses.activate
def test_connection_test_fails_on_401_without_leaking(comm_conn, leak_check):
    responses.get(LIST_URL, status=401, json={"message": "Unauthenticated."})
    ok, message = CommHook().test_connection()
    assert not ok and "HTTP 401" in message and "Unauthenticated." in message
    assert len(responses.calls) == 1
    leak_check([COMM_TOKEN], message)


def test_connection_test_fails_without_a_token(connection):
    connection("comm_default", "comm", host=COMM_HOST)
    ok, message = CommHook().test_connection()
    assert not ok and "password" in message


def listed(ids: list[str], status: str = "in_progress") -> list[dict[str, object]]:
    return [{"id": i, "name": f"n{i[:4]}", "meta": multistep(status)} for i in ids]


@responses.activate
def test_list_campaigns_pages_until_meta_says_last_not_until_a_short_page(comm_conn):
    """A page shorter than per_page (a server-side cap) is not the end: meta.last_page is."""
    pages = [[C1], [C2], [C3]]
    for number, ids in enumerate(pages, start=1):
        responses.get(
            LIST_URL,
            match=[matchers.query_param_matcher({"page": str(number), "per_page": "100"})],
            json={"data": listed(ids), "meta": {"current_page": number, "last_page": 3, "per_page": 100}},
        )
    campaigns = CommHook().list_campaigns()
    assert [c.campaign_id for c in campaigns] == [C1, C2, C3] and len(responses.calls) == 3
    assert {c.state for c in campaigns} == {CampaignState.ACTIVE}


@responses.activate
def test_list_campaigns_follows_links_next_when_meta_has_no_last_page(comm_conn):
    responses.get(
        LIST_URL,
        match=[matchers.query_param_matcher({"page": "1", "per_page": "100"})],
        json={"data": listed([C1]), "links": {"next": "?page=2"}},
    )
    responses.get(
        LIST_URL,
        match=[matchers.query_param_matcher({"page": "2", "per_page": "100"})],
        json={"data": listed([C2]), "links": {"next": None}},
    )
    assert [c.campaign_id for c in CommHook().list_campaigns()] == [C1, C2]


@responses.activate
def test_a_list_without_paging_signals_fails_instead_of_guessing(comm_conn):
    responses.get(LIST_URL, json={"data": listed([C1])})
    with pytest.raises(ContractError, match="no paging signal"):
        CommHook().list_campaigns()
    assert len(responses.calls) == 1


@responses.activate
def test_connection_test_fails_when_the_host_is_not_the_api(comm_conn):
    responses.get(LIST_URL, body="<html>welcome</html>", content_type="text/html")
    ok, message = CommHook().test_connection()
    assert not ok and "not JSON" in message


def active(hook: CommHook, name_contains: str | None = None) -> list[str]:
    return [ref.label for ref in hook.select(hook.selection("test", all_active=True, name_contains=name_contains))]


@responses.activate
def test_all_active_reads_non_final_campaigns_and_keeps_running_sends(comm_conn):
    responses.get(LIST_URL, json={"data": [*listed([C1]), *listed([C2], "completed")], "meta": {"current_page": 1, "last_page": 1}})
    responses.get(
        CAMPAIGN_URL, json={"data": {"id": C1, "meta": multistep("in_progress"), "sends": [send("pending"), send("failed", id=S2)]}}
    )
    assert active(CommHook()) == [f"{C1}/{S1}"]
    assert [c.request.url.split("?")[0] for c in responses.calls] == [LIST_URL, CAMPAIGN_URL]
    assert all(c.request.method == "GET" for c in responses.calls)


@responses.activate
def test_all_active_fails_naming_campaigns_whose_answer_lists_no_sends(comm_conn):
    """The documented campaign answer does not say which sends it has: fail loudly, never skip quietly."""
    responses.get(LIST_URL, json={"data": listed([C1, C2]), "meta": {"current_page": 1, "last_page": 1}})
    responses.get(CAMPAIGN_URL, json=campaign("in_progress"))
    responses.get(f"{LIST_URL}/{C2}", json={"data": {"id": C2, "meta": multistep("in_progress"), "sends": [send("pending", id=S2)]}})
    with pytest.raises(PermanentError) as caught:
        active(CommHook())
    assert C1 in str(caught.value) and C2 not in str(caught.value) and "campaign_sends" in str(caught.value)


@responses.activate
def test_all_active_with_an_empty_list_of_sends_has_nothing_to_stop(comm_conn):
    responses.get(LIST_URL, json={"data": listed([C1]), "meta": {"current_page": 1, "last_page": 1}})
    responses.get(CAMPAIGN_URL, json={"data": {"id": C1, "meta": multistep("in_progress"), "sends": []}})
    assert active(CommHook()) == []


@responses.activate
def test_all_active_filters_names_case_insensitively(comm_conn):
    responses.get(
        LIST_URL,
        json={"data": [{**listed([C1])[0], "name": "Black FRIDAY"}, {**listed([C2])[0], "name": "other"}], "meta": {"last_page": 1}},
    )
    responses.get(CAMPAIGN_URL, json={"data": {"id": C1, "meta": multistep("in_progress"), "sends": [send("pending")]}})
    assert active(CommHook(), "friday") == [f"{C1}/{S1}"]


@responses.activate
def test_all_active_skips_a_campaign_gone_between_list_and_read(comm_conn):
    responses.get(LIST_URL, json={"data": listed([C1, C2]), "meta": {"current_page": 1, "last_page": 1}})
    responses.get(CAMPAIGN_URL, status=404, json={"message": "Not found"})
    responses.get(f"{LIST_URL}/{C2}", json={"data": {"id": C2, "meta": multistep("pending"), "sends": [send("pending", id=S2)]}})
    assert active(CommHook()) == [f"{C2}/{S2}"]


@responses.activate
def test_all_active_fails_on_other_read_errors(comm_conn):
    responses.get(LIST_URL, json={"data": listed([C1]), "meta": {"current_page": 1, "last_page": 1}})
    responses.get(CAMPAIGN_URL, status=401, json={"message": "Unauthenticated."})
    with pytest.raises(AuthenticationError):
        active(CommHook())


@pytest.mark.parametrize(
    "given", [f"{C1}/{S1}", [f"{C1}/{S1}"], [[C1, S1]], [{"campaign_id": C1, "campaign_send_id": S1}], json.dumps([[C1, S1]])]
)
def test_a_send_is_accepted_as_a_label_a_pair_or_a_dict(comm_conn, given):
    hook = CommHook()
    params = {"campaign_id": given} if isinstance(given, str) and "[" not in given else {"campaign_sends": given}
    assert [ref.label for ref in hook.selection("test", **params).refs] == [f"{C1}/{S1}"]
