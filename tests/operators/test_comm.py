"""CommStopCampaignOperator: validation before any request, single and batch stops, XCom result."""

from __future__ import annotations

import uuid

import pytest
import responses
from responses import matchers

from airflow_provider_campaigns.engine.results import RESULT_KEY
from airflow_provider_campaigns.exceptions import CampaignNotStoppableError, InvalidInputError, PermanentError, TransientError
from airflow_provider_campaigns.operators.comm import CommStopCampaignOperator
from tests.vendor_accounts import COMM_HOST, COMM_TOKEN

pytestmark = pytest.mark.usefixtures("comm_conn")

C1 = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
C2 = "7d2b9c41-1111-4a2b-9c3d-0123456789ab"
S1 = "9f1e2d3c-4b5a-4697-8887-766554433221"
S2 = "0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3"
S3 = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"
C3 = "11111111-2222-4333-8444-555555555555"
C4 = "66666666-7777-4888-9999-aaaaaaaaaaaa"
S4 = "bbbbbbbb-cccc-4ddd-8eee-ffffffffffff"
LIST_URL = f"{COMM_HOST}/api/v1/sms/campaigns"


def stop_url(campaign: str, send: str) -> str:
    return f"{COMM_HOST}/api/v1/sms/campaigns/{campaign}/stop/{send}"


def send_body(send: str, status: str = "stopped") -> dict[str, object]:
    return {"data": {"id": send, "status": status, "updated_at": "2026-03-01T11:00:00Z"}}


@pytest.fixture
def run(ti):
    def execute(**kwargs: object) -> tuple[dict[str, object], object]:
        return CommStopCampaignOperator(task_id="stop", **kwargs).execute({"ti": ti}), ti

    return execute


def only(result: dict[str, object]) -> dict[str, object]:
    (entry,) = result["campaigns"]  # type: ignore[misc]
    return entry  # type: ignore[no-any-return]


@responses.activate
def test_single_send_is_stopped_and_reported(run, leak_check):
    responses.post(stop_url(C1, S1), json=send_body(S1))
    result, _ = run(campaign_id=C1.upper(), campaign_send_id=S1.upper())
    assert responses.calls[0].request.url == stop_url(C1, S1)
    assert only(result) == {
        "vendor": "comm",
        "conn_id": "comm_default",
        "campaign_id": f"{C1}/{S1}",
        "name": None,
        "outcome": "stopped",
        "state": "stopped",
        "vendor_status": "stopped",
        "error": None,
        "started_at": None,
        "finished_at": "2026-03-01T11:00:00Z",
        "ref": {},  # both ids are in the campaign_id
    }
    leak_check([COMM_TOKEN], result)


@responses.activate
def test_a_result_id_is_accepted_as_input(run):
    responses.post(stop_url(C1, S1), json=send_body(S1))
    assert only(run(campaign_id=f"{C1}/{S1}")[0])["outcome"] == "stopped"


@responses.activate
def test_already_stopped_send_succeeds_as_already_final(run):
    responses.post(stop_url(C1, S1), status=422, json={"message": "Campaign send is not running."})
    responses.get(f"{COMM_HOST}/api/v1/sms/campaigns/{C1}", json={"data": {"meta": {"multistep_status": {"status": "cancelled"}}}})
    entry = only(run(campaign_id=C1, campaign_send_id=S1)[0])
    assert (entry["outcome"], entry["vendor_status"], entry["state"]) == ("already_final", "cancelled", "stopped")


@responses.activate
def test_fail_if_already_final_fails_the_task_and_pushes_the_result(ti):
    responses.post(stop_url(C1, S1), status=422, json={"message": "Campaign send is not running."})
    responses.get(
        f"{COMM_HOST}/api/v1/sms/campaigns/{C1}", json={"data": {"status": "completed", "sends": [{"id": S1, "status": "completed"}]}}
    )
    op = CommStopCampaignOperator(task_id="stop", campaign_id=C1, campaign_send_id=S1, fail_if_already_final=True)
    with pytest.raises(CampaignNotStoppableError, match="fail_if_already_final"):
        op.execute({"ti": ti})
    assert only(ti.xcoms[RESULT_KEY])["outcome"] == "failed"


@responses.activate
def test_operator_status_map_decides_what_is_final(run):
    responses.post(stop_url(C1, S1), status=409, json={"message": "Not running."})
    responses.get(f"{COMM_HOST}/api/v1/sms/campaigns/{C1}", json={"data": {"status": "x", "sends": [{"id": S1, "status": "archived"}]}})
    with pytest.raises(CampaignNotStoppableError, match="'archived' \\(unknown\\)"):
        run(campaign_id=C1, campaign_send_id=S1)
    entry = only(run(campaign_id=C1, campaign_send_id=S1, status_map={"archived": "completed"})[0])
    assert (entry["outcome"], entry["state"]) == ("already_final", "completed")


@responses.activate
def test_many_sends_all_attempted_and_the_failure_named_at_the_end(ti):
    responses.post(stop_url(C1, S1), json=send_body(S1))
    responses.post(stop_url(C1, S2), status=404, json={"message": "Not found"})
    responses.post(stop_url(C2, S3), json=send_body(S3))
    op = CommStopCampaignOperator(task_id="stop", campaign_sends=[(C1, S1), [C1, S2], {"campaign_id": C2, "campaign_send_id": S3}])
    with pytest.raises(PermanentError) as caught:
        op.execute({"ti": ti})
    assert len(responses.calls) == 3
    assert f"1 of 3 campaign(s) not stopped: comm {C1}/{S2}" in str(caught.value)
    pushed = ti.xcoms[RESULT_KEY]
    assert [e["outcome"] for e in pushed["campaigns"]] == ["stopped", "failed", "stopped"]
    assert pushed["totals"] == {"stopped": 2, "already_final": 0, "would_stop": 0, "failed": 1, "failed_targets": 0}


@responses.activate
def test_a_transient_failure_in_a_batch_leaves_the_task_retryable(run):
    responses.post(stop_url(C1, S1), json=send_body(S1))
    responses.post(stop_url(C1, S2), status=503, json={"message": "down"})
    with pytest.raises(TransientError) as caught:
        run(campaign_sends=[(C1, S1), (C1, S2)])
    assert not isinstance(caught.value, PermanentError)


@responses.activate
def test_one_element_campaign_sends_gives_the_same_shape(run):
    responses.post(stop_url(C1, S1), json=send_body(S1))
    result, _ = run(campaign_sends=[[C1, S1]])
    assert result["totals"]["stopped"] == 1 and result["campaigns"][0]["campaign_id"] == f"{C1}/{S1}"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "exactly one of campaign_id_with_campaign_send_id, campaign_sends or all_active"),
        ({"campaign_id": C1, "campaign_send_id": S1, "campaign_sends": [(C1, S2)]}, "exactly one"),
        ({"campaign_sends": [(C1, S2)], "all_active": True}, "exactly one"),
        ({"campaign_id": C1, "campaign_send_id": S1, "all_active": True}, "exactly one"),
        ({"campaign_id": C1, "all_active": True}, "exactly one"),
        ({"all_active": "false"}, "all_active must be True or False"),
        ({"all_active": True, "name_contains": 7}, "name_contains must be non-empty text"),
        ({"campaign_id": C1}, "'<campaign>/<send>' id"),
        ({"campaign_send_id": S1}, "campaign_id"),
        ({"campaign_id": C1, "campaign_send_id": f" {S1}"}, "campaign_send_id"),
        ({"campaign_id": f"{C1}/stop", "campaign_send_id": S1}, "campaign_id"),
        ({"campaign_id": 42, "campaign_send_id": S1}, "not int"),
        ({"campaign_id": "{{ params.c }}", "campaign_send_id": S1}, "unrendered"),
        ({"campaign_sends": [(C1, S1), (C1, "nope")]}, r"campaign_sends\[1\]\.campaign_send_id"),
        ({"campaign_sends": []}, "non-empty"),
    ],
)
@responses.activate
def test_invalid_input_fails_before_any_request(run, kwargs, match):
    with pytest.raises(InvalidInputError, match=match):
        run(**kwargs)
    assert len(responses.calls) == 0


def test_ids_and_conn_id_are_templated():
    assert set(CommStopCampaignOperator.template_fields) == {
        "campaign_id",
        "campaign_send_id",
        "campaign_sends",
        "comm_conn_id",
        "name_contains",
    }


# -- all_active: selection by listing -------------------------------------------------------------


def listed(campaign: str, status: str, name: str = "promo") -> dict[str, object]:
    return {"id": campaign, "name": name, "meta": {"multistep_status": {"status": status}}}


def finished(count: int) -> list[dict[str, object]]:
    """Completed campaigns that fill a page (a short page is the last one)."""
    return [listed(str(uuid.uuid4()), "completed") for _ in range(count)]


def list_page(number: int, items: list[dict[str, object]], last_page: int = 1) -> None:
    responses.get(
        LIST_URL,
        match=[matchers.query_param_matcher({"page": str(number), "per_page": "100"})],
        json={"data": items, "meta": {"current_page": number, "last_page": last_page, "per_page": 100}},
    )


def campaign_read(campaign: str, sends: list[tuple[str, str]] | None, status: str = "in_progress", key: str = "sends") -> None:
    data: dict[str, object] = {"id": campaign, "name": "promo", "meta": {"multistep_status": {"status": status}}}
    if sends is not None:
        data[key] = [{"id": send, "status": send_status, "sms_campaign_id": campaign} for send, send_status in sends]
    responses.get(f"{LIST_URL}/{campaign}", json={"data": data})


def posts() -> list[str]:
    return [call.request.url for call in responses.calls if call.request.method == "POST"]


def reads() -> list[str]:
    return [call.request.url for call in responses.calls if call.request.method == "GET" and call.request.url.split("?")[0] != LIST_URL]


@responses.activate
def test_all_active_stops_only_running_sends_of_non_final_matching_campaigns(run):
    list_page(
        1,
        [
            listed(C1, "in_progress", "Spring PROMO"),
            listed(C2, "completed", "promo done"),
            listed(C3, "in_progress", "newsletter"),
            listed(C4, "paused", "other promo"),
        ],
    )
    campaign_read(C1, [(S1, "in_progress"), (S2, "completed")])
    campaign_read(C4, [(S4, "paused")], status="paused", key="campaign_sends")
    responses.post(stop_url(C1, S1), json=send_body(S1))
    responses.post(stop_url(C4, S4), json=send_body(S4))
    result, _ = run(all_active=True, name_contains="promo")
    assert reads() == [f"{LIST_URL}/{C1}", f"{LIST_URL}/{C4}"], "final and non-matching campaigns are not even read"
    assert posts() == [stop_url(C1, S1), stop_url(C4, S4)]
    assert result["totals"] == {"stopped": 2, "already_final": 0, "would_stop": 0, "failed": 0, "failed_targets": 0}
    assert [entry["campaign_id"] for entry in result["campaigns"]] == [f"{C1}/{S1}", f"{C4}/{S4}"]


@responses.activate
def test_all_active_without_filter_reads_every_non_final_campaign(run):
    list_page(1, [listed(C1, "in_progress", "a"), listed(C3, "scheduled", "b"), listed(C2, "stopped", "c")])
    campaign_read(C1, [(S1, "in_progress")])
    campaign_read(C3, [(S3, "scheduled")], status="scheduled")
    responses.post(stop_url(C1, S1), json=send_body(S1))
    responses.post(stop_url(C3, S3), json=send_body(S3))
    result, _ = run(all_active=True)
    assert sorted(posts()) == sorted([stop_url(C1, S1), stop_url(C3, S3)]) and result["totals"]["stopped"] == 2


@responses.activate
def test_all_active_follows_the_list_pages(run):
    list_page(1, [listed(C1, "in_progress"), *finished(99)], last_page=2)
    list_page(2, [listed(C3, "in_progress")], last_page=2)
    campaign_read(C1, [(S1, "in_progress")])
    campaign_read(C3, [(S3, "in_progress")])
    responses.post(stop_url(C1, S1), json=send_body(S1))
    responses.post(stop_url(C3, S3), json=send_body(S3))
    result, _ = run(all_active=True)
    assert sorted(posts()) == sorted([stop_url(C1, S1), stop_url(C3, S3)])
    assert result["totals"]["stopped"] == 2


@responses.activate
def test_all_active_reads_and_stops_each_duplicate_once(run):
    list_page(1, [listed(C1, "in_progress"), listed(C1.upper(), "in_progress"), *finished(98)], last_page=2)
    list_page(2, [listed(C1, "in_progress")], last_page=2)
    campaign_read(C1, [(S1, "in_progress"), (S1.upper(), "in_progress")])
    responses.post(stop_url(C1, S1), json=send_body(S1))
    result, _ = run(all_active=True)
    assert reads() == [f"{LIST_URL}/{C1}"]
    assert posts() == [stop_url(C1, S1)]
    assert result["totals"] == {"stopped": 1, "already_final": 0, "would_stop": 0, "failed": 0, "failed_targets": 0}


@responses.activate
def test_all_active_fails_naming_a_campaign_whose_answer_lists_no_sends_and_stops_the_others(ti):
    """Documented shape: the campaign read lists no sends. Never a quiet success that leaves it sending."""
    list_page(1, [listed(C1, "in_progress", "no sends here"), listed(C3, "in_progress")])
    campaign_read(C1, None)
    campaign_read(C3, [(S3, "in_progress")])
    with pytest.raises(PermanentError) as caught:
        CommStopCampaignOperator(task_id="stop", all_active=True).execute({"ti": ti})
    assert C1 in str(caught.value) and "no sends here" in str(caught.value) and "campaign_sends" in str(caught.value)
    assert posts() == [], "the selection could not be shown complete: nothing is stopped from it"


@responses.activate
def test_all_active_dry_run_lists_and_reads_but_sends_no_stop(run):
    list_page(1, [listed(C1, "in_progress"), listed(C2, "completed")])
    campaign_read(C1, [(S1, "in_progress"), (S2, "pending"), (S3, "cancelled")])
    result, _ = run(all_active=True, dry_run=True)
    assert posts() == []
    assert result["dry_run"] is True
    assert [(e["campaign_id"], e["outcome"]) for e in result["campaigns"]] == [(f"{C1}/{S1}", "would_stop"), (f"{C1}/{S2}", "would_stop")]


@responses.activate
def test_all_active_with_nothing_running_returns_zero_totals(run):
    list_page(1, [listed(C2, "completed")])
    result, _ = run(all_active=True)
    assert posts() == [] and result["campaigns"] == []


@responses.activate
def test_all_active_honours_send_status_path_and_status_map(run):
    list_page(1, [listed(C1, "in_progress")])
    responses.get(f"{LIST_URL}/{C1}", json={"data": {"id": C1, "status": "x", "runs": {"items": [{"id": S1, "status": "warming"}]}}})
    responses.get(f"{LIST_URL}/{C1}", json={"data": {"id": C1, "status": "x", "runs": {"items": [{"id": S1, "status": "warming"}]}}})
    result, _ = run(all_active=True, dry_run=True, send_status_path="data.runs.items", status_map={"warming": "active"})
    assert [(e["campaign_id"], e["outcome"]) for e in result["campaigns"]] == [(f"{C1}/{S1}", "would_stop")]


def test_stopping_a_stopped_send_while_another_send_runs_fails_saying_why(monkeypatch):
    """Doc-shaped comm.com answers have no per-send status: the campaign's stands for the send. With another send
    still running it is not final, so a second stop of the first send cannot be proven harmless: it fails, and says why."""
    import json

    from airflow_provider_campaigns.simulator import Simulator

    with Simulator(port=0) as sim:
        monkeypatch.setenv("AIRFLOW_CONN_COMM_DEFAULT", json.dumps(sim.connections()["comm_default"]))
        campaign, first = sim.add_campaign("comm", status="in_progress")
        sim.add_campaign("comm", status="in_progress", campaign_id=campaign)
        done = CommStopCampaignOperator(task_id="stop", campaign_sends=[f"{campaign}/{first}"]).execute({})
        assert done["totals"]["stopped"] == 1
        with pytest.raises(CampaignNotStoppableError, match="several sends") as again:
            CommStopCampaignOperator(task_id="stop", campaign_sends=[f"{campaign}/{first}"]).execute({})
        assert "campaign_sends" in str(again.value)
