"""comm.com vendor module: ids and sends, selection, status map, requests, answers, listing (no I/O)."""

from __future__ import annotations

import json
import logging
import uuid
from functools import partial
from typing import Any

import pytest

from airflow_provider_campaigns import exceptions as errors
from airflow_provider_campaigns.protocol.flows import stop_flow
from airflow_provider_campaigns.registry import vendor_spec
from airflow_provider_campaigns.status import ALREADY_FINAL, CampaignState, CampaignStatus
from airflow_provider_campaigns.vendors import comm
from airflow_provider_campaigns.vendors.comm import CommApi, CommOptions, CommSend, validate_uuid
from tests.conftest import fake_connection, vendor_reply

VENDOR = "comm.com"
C1 = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
C2 = "7d2b9c41-1111-4a2b-9c3d-0123456789ab"
S1 = "9f1e2d3c-4b5a-4697-8887-766554433221"
S2 = "0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3"
REF = CommSend(C1, S1)
LOGGER = "airflow_provider_campaigns.vendors.comm"


reply = partial(vendor_reply, VENDOR)


def conn(extra: dict[str, Any] | None = None, password: Any = "tok", host: Any = None) -> Any:
    return fake_connection("comm_default", host, password=password, extra=extra)


def make_api(extra: dict[str, Any] | None = None, status_map: dict[str, str] | None = None, **options: Any) -> CommApi:
    _, api = vendor_spec("comm").connect(conn(extra, host=options.pop("host", None)), options=CommOptions(status_map, **options))
    assert isinstance(api, CommApi)
    return api


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    """The campaign-level warning is given once per process: each test starts with none given."""
    monkeypatch.setattr(comm, "_campaign_level_reported", set())


def campaign(status: str | None = "in_progress", **data: Any) -> dict[str, Any]:
    """A campaign answer as documented: its status at ``data.meta.multistep_status.status``, no top-level status."""
    meta = {"multistep_status": {"status": status, "status_reason": "No segments selected", "total_sent": 0}} if status else {}
    return {"data": {"id": C1, "name": "promo", "meta": meta, "created_at": "2026-01-01T00:00:00Z", **data}}


# -- module and connection ----------------------------------------------------------------------------
def test_module_contract_and_connect():
    assert (comm.VENDOR, comm.KEY, comm.DEFAULT_HOST) == ("comm.com", "comm", "https://api.comm.com")
    settings, api = vendor_spec("comm").connect(conn())
    assert settings.base_url == "https://api.comm.com" and isinstance(api, CommApi)
    assert api.auth.headers("tok") == {"Authorization": "Bearer tok"} and api.auth.refreshable is False
    assert vendor_spec("comm").options is CommOptions


@pytest.mark.parametrize(("host", "path"), [(None, "/api/v1/sms/campaigns"), ("https://api.comm.com/api", "/v1/sms/campaigns")])
def test_the_documented_base_url_ending_in_api_works_too(host, path):
    api = make_api(host=host)
    assert api.campaigns_path == path
    assert api.stop_request(REF).path == f"{path}/{C1}/stop/{S1}"
    assert api.sends_request(C1).path == f"{path}/{C1}"


def test_the_token_is_required_and_send_status_path_is_checked():
    with pytest.raises(errors.InvalidInputError, match=r"has no password \(the comm.com API token\)"):
        vendor_spec("comm").connect(conn(password=" "))
    for bad in ("data. sends", "", 5):
        with pytest.raises(errors.InvalidInputError, match="send_status_path must be a dotted path"):
            make_api(send_status_path=bad)
    assert make_api().send_list_paths == ("data.sends", "data.campaign_sends", "data.sms_campaign_sends")
    assert make_api({"send_status_path": "data.items"}).send_list_paths == ("data.items",)
    assert make_api({"send_status_path": "data.items"}, send_status_path="data.x").send_list_paths == ("data.x",)
    assert make_api({"send_status_path": None}).send_list_paths == comm.SEND_LIST_PATHS  # Airflow 3's form saves null


# -- ids and sends ------------------------------------------------------------------------------------
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
    with pytest.raises(errors.InvalidInputError, match=r"^campaign_send_id"):
        validate_uuid(value, "campaign_send_id")


def test_unrendered_template_is_called_out():
    with pytest.raises(errors.InvalidInputError, match=r"^campaign_id: .*unrendered Jinja template"):
        comm.send("{{ params.campaign }}", S1)


def test_send_reference_label_and_round_trip():
    ref = comm.send(C1.upper(), S1)
    assert ref == REF and ref.label == f"{C1}/{S1}"
    assert ref.as_dict() == {"campaign_id": C1, "send_id": S1}
    assert CommSend.from_dict(ref.as_dict()) == ref
    with pytest.raises(errors.InvalidInputError, match="campaign_send_id"):
        CommSend.from_dict({"campaign_id": C1, "send_id": "x"})


@pytest.mark.parametrize(
    "item",
    [f"{C1}/{S1}", f"{C1.upper()}/{S1.upper()}", (C1, S1), [C1, S1], {"campaign_id": C1, "campaign_send_id": S1, "note": "x"}],
)
def test_send_from_takes_a_label_a_pair_or_a_dict(item):
    assert comm.send_from(item, "campaign_sends[0]") == REF


@pytest.mark.parametrize(
    ("item", "match"),
    [
        (C1, r"^x: a '<campaign>/<send>' id"),
        (f"{C1}/{S1}/{S2}", r"^x: a '<campaign>/<send>' id"),
        ((C1,), r"^x: a '<campaign>/<send>' id"),
        (5, r"^x: a '<campaign>/<send>' id"),
        ({"campaign_id": C1}, r"^x: missing key\(s\) campaign_send_id"),
        ({"send_id": S1}, r"^x: missing key\(s\) campaign_id, campaign_send_id"),
        (f"{C1}/nope", r"^x\.campaign_send_id"),
        (("nope", S1), r"^x\.campaign_id"),
    ],
)
def test_send_from_names_what_is_wrong(item, match):
    with pytest.raises(errors.InvalidInputError, match=match):
        comm.send_from(item, "x")


def test_sends_from_accepts_labels_pairs_dicts_and_json_text_and_drops_duplicates():
    refs = comm.sends_from([(C1, S1), [C1.upper(), S1], f"{C1}/{S1}", {"campaign_id": C1, "campaign_send_id": S2}])
    assert refs == [REF, CommSend(C1, S2)]
    assert comm.sends_from(json.dumps([[C1, S1]])) == [REF]
    assert comm.sends_from(f"{C1}/{S2}") == [CommSend(C1, S2)]  # one label on its own


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ([], "non-empty list"),
        ({"campaign_id": C1, "campaign_send_id": S1}, "non-empty list"),
        (json.dumps({"campaign_id": C1}), r"campaign_sends\[0\]: a '<campaign>/<send>' id"),
        ("not json", r"campaign_sends\[0\]: a '<campaign>/<send>' id"),
        ([(C1, S1), (C1,)], r"campaign_sends\[1\]"),
        ([(C1, S1), {"campaign_id": C1}], r"campaign_sends\[1\]: missing key\(s\) campaign_send_id"),
        ([(C1, S1), (C1, "nope")], r"campaign_sends\[1\]\.campaign_send_id"),
        ([C1], r"campaign_sends\[0\]"),
    ],
)
def test_bad_campaign_sends_fail_naming_the_item(value, match):
    with pytest.raises(errors.InvalidInputError, match=match):
        comm.sends_from(value)


# -- selection -------------------------------------------------------------------------------------
def test_selection_of_one_send_by_pair_or_by_label():
    assert comm.selection("Op", campaign_id=C1, campaign_send_id=S1).refs == (REF,)
    assert comm.selection("Op", campaign_id=f"{C1}/{S1}").refs == (REF,)


def test_selection_of_sends_or_of_every_running_send():
    assert comm.selection("Op", campaign_sends=[f"{C1}/{S1}", (C1, S2)]).refs == (REF, CommSend(C1, S2))
    chosen = comm.selection("Op", all_active=True, name_contains="promo")
    assert (chosen.refs, chosen.all_active, chosen.name_contains) == ((), True, "promo")


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({}, r"^Op: give exactly one of campaign_id_with_campaign_send_id, campaign_sends or all_active\."),
        ({"campaign_id": C1, "campaign_send_id": S1, "all_active": True}, "exactly one"),
        ({"campaign_sends": [REF.label], "all_active": True}, "exactly one"),
        ({"campaign_send_id": S1}, "^campaign_id:"),
        ({"campaign_id": C1}, r"^campaign_id: a '<campaign>/<send>' id"),
        ({"all_active": "yes"}, "all_active must be True or False"),
        ({"all_active": True, "name_contains": ""}, "name_contains must be non-empty text"),
        ({"campaign_sends": []}, "non-empty list"),
    ],
)
def test_selection_rejects_bad_input_naming_the_parameter(params, match):
    with pytest.raises(errors.InvalidInputError, match=match):
        comm.selection("Op", **params)


# -- status map -------------------------------------------------------------------------------------
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
    with pytest.raises(errors.InvalidInputError, match="status_map"):
        make_api(status_map={"archived": "gone"})


def test_final_statuses_extra_makes_statuses_final_keeping_known_final_defaults():
    api = make_api({"final_statuses": " archived, Expired ,,failed, paused"})
    assert api.statuses.normalize("archived") is CampaignState.STOPPED
    assert api.statuses.normalize("expired") is CampaignState.STOPPED
    assert api.statuses.normalize("failed") is CampaignState.FAILED  # already final: kept as is
    assert api.statuses.normalize("paused") is CampaignState.STOPPED  # declared final by the user
    assert make_api({"final_statuses": ["archived"]}).statuses.normalize("archived") is CampaignState.STOPPED
    assert make_api({"final_statuses": ["paused"]}, status_map={"paused": "paused"}).statuses.normalize("paused") is CampaignState.PAUSED
    with pytest.raises(errors.InvalidInputError, match="final_statuses"):
        make_api({"final_statuses": 5})


def test_a_campaign_status_is_read_at_the_documented_path_else_a_top_level_status():
    assert comm.campaign_status({"id": C1, "meta": {"multistep_status": {"status": "in_progress", "total_sent": 0}}}) == "in_progress"
    assert comm.campaign_status({"status": "stopped", "meta": {"multistep_status": {"status": ""}}}) == "stopped"
    assert comm.campaign_status({"status": "stopped"}) == "stopped"
    assert comm.campaign_status({"meta": None}) is None


def test_a_send_status_is_its_own_status_first_as_the_stop_answer_documents_it():
    send = {"status": "stopped", "meta": {"multistep_status": {"status": "in_progress"}}}
    assert comm.send_status(send) == "stopped" and comm.campaign_status(send) == "in_progress"
    assert comm.send_status({"meta": {"multistep_status": {"status": "completed"}}}) == "completed"


# -- stop ----------------------------------------------------------------------------------------------
def test_stop_request_shape_and_label():
    request = make_api().stop_request(REF)
    assert (request.method, request.path, request.json) == ("POST", f"/api/v1/sms/campaigns/{C1}/stop/{S1}", None)
    assert (request.campaign_id, request.action) == (f"{C1}/{S1}", "stop")


def test_stop_answer_gives_status_and_timestamps():
    request = make_api().stop_request(REF)
    data = {
        "id": S1,
        "status": "stopped",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-02T00:00:00Z",
        "next_step_timestamp": None,
        "meta": {"multistep_status": {"status": "in_progress"}},
        "sms_campaign_id": C1,
    }
    status = request.interpret(reply(request, 200, {"data": data}))
    assert (status.state, status.vendor_status, status.campaign_id) == (CampaignState.STOPPED, "stopped", f"{C1}/{S1}")
    assert status.timestamps == {"created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-02T00:00:00Z"}


def test_stop_answer_without_status_uses_multistep_status_and_unknown_never_crashes():
    request = make_api().stop_request(REF)
    status = request.interpret(reply(request, 200, {"data": {"meta": {"multistep_status": {"status": "halted"}}}}))
    assert status.vendor_status == "halted" and status.state is CampaignState.STOPPED
    weird = request.interpret(reply(request, 200, {"data": {"status": "mystery"}}))
    assert weird.state is CampaignState.UNKNOWN and not weird.is_final
    for body in ({"nodata": 1}, {"data": []}, {"data": {"status": None}}, b"", b"<html>"):
        with pytest.raises(errors.ResponseFormatError if isinstance(body, bytes) and not body.startswith(b"[") else errors.ContractError):
            request.interpret(reply(request, 200, body))


@pytest.mark.parametrize("code", [400, 405, 409, 410, 422])
def test_stop_refusals_are_stop_rejected(code):
    request = make_api().stop_request(REF)
    with pytest.raises(errors.StopRejectedError, match="Campaign send is not running") as caught:
        request.interpret(reply(request, code, {"message": "Campaign send is not running."}))
    assert caught.value.http_status == code and f"{C1}/{S1}" in str(caught.value)


@pytest.mark.parametrize(
    ("code", "error"), [(401, errors.AuthenticationError), (403, errors.AuthenticationError), (404, errors.CampaignNotFoundError)]
)
def test_stop_auth_and_not_found_are_not_state_refusals(code, error):
    request = make_api().stop_request(REF)
    with pytest.raises(error) as caught:
        request.interpret(reply(request, code, {"message": "Nope"}))
    assert not isinstance(caught.value, errors.StopRejectedError)


def test_stop_honours_retry_after_on_429(script, budget):
    api = make_api()
    run = script(VENDOR, (429, {"message": "Too Many Attempts."}, {"retry-after": "2"}), (200, {"data": {"status": "stopped"}}))
    assert run.run(stop_flow(api, REF, budget)).status.vendor_status == "stopped"
    assert run.sleeps == [2.0] and run.sent[0].token == "token-1"


def test_a_refused_stop_of_a_stopped_send_is_already_final(script, budget):
    api = make_api()
    body = campaign("in_progress", sends=[{"id": S1, "status": "stopped"}])
    run = script(VENDOR, (409, {"message": "Send is locked."}), (200, body))
    outcome = run.run(stop_flow(api, REF, budget))
    assert (outcome.outcome, outcome.status.vendor_status) == (ALREADY_FINAL, "stopped")
    assert run.calls == [f"POST /api/v1/sms/campaigns/{C1}/stop/{S1}", f"GET /api/v1/sms/campaigns/{C1}"]


# -- status read -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["sends", "campaign_sends", "sms_campaign_sends"])
def test_status_read_finds_the_send_in_the_campaign(key):
    request = make_api().status_request(REF)
    assert (request.method, request.path, request.action) == ("GET", f"/api/v1/sms/campaigns/{C1}", "status read")
    body = campaign(
        "in_progress", **{key: [{"id": S2, "status": "in_progress"}, {"id": S1.upper(), "status": "completed", "updated_at": "t"}]}
    )
    status = request.interpret(reply(request, 200, body))
    assert (status.campaign_id, status.vendor_status, status.state) == (REF.label, "completed", CampaignState.COMPLETED)
    assert status.timestamps == {"updated_at": "t"}


def test_a_listed_send_without_its_own_status_is_read_at_the_documented_status_path():
    request = make_api().status_request(REF)
    body = campaign("in_progress", sends=[{"id": S1, "meta": {"multistep_status": {"status": "paused"}}}])
    assert request.interpret(reply(request, 200, body)).state is CampaignState.PAUSED


def test_a_listed_send_shaped_like_the_documented_send_resource_is_read_as_the_stop_reads_it(documented):
    send = json.loads(documented("comm/stop-200.json"))["data"] | {"id": S1, "status": "stopped"}
    assert send["meta"]["multistep_status"]["status"] == "in_progress"
    api = make_api()
    stop, read = api.stop_request(REF), api.status_request(REF)
    by_stop = stop.interpret(reply(stop, 200, {"data": send}))
    by_read = read.interpret(reply(read, 200, campaign("in_progress", sends=[send])))
    assert by_stop.vendor_status == "stopped"
    assert by_read.vendor_status == by_stop.vendor_status


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


def test_status_read_falls_back_to_the_documented_campaign_status_and_warns_once(caplog):
    request = make_api().status_request(REF)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        first = request.interpret(reply(request, 200, campaign("stopped", sends=[{"id": S2, "status": "x"}])))
        second = request.interpret(reply(request, 200, campaign("stopped")))
    assert first.vendor_status == second.vendor_status == "stopped" and first.state is CampaignState.STOPPED
    assert first.campaign_id == REF.label and first.name == "promo" and first.timestamps == {"created_at": "2026-01-01T00:00:00Z"}
    assert caplog.text.count("documents no status read for a send") == 1
    assert REF.label in caplog.text and "meta.multistep_status.status" in caplog.text


def test_many_sends_read_at_campaign_level_give_one_warning_and_debug_lines_for_the_rest(caplog):
    api = make_api()
    refs = [CommSend(C1, str(uuid.UUID(int=n))) for n in range(1, 251)]
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        for ref in refs:
            request = api.status_request(ref)
            request.interpret(reply(request, 200, campaign("stopped")))
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    debugs = [r for r in caplog.records if r.levelno == logging.DEBUG and "judged by its campaign's status" in r.getMessage()]
    assert len(warnings) == 1 and refs[0].label in warnings[0].getMessage()
    assert "logged at debug level" in warnings[0].getMessage()
    assert len(debugs) == 249


def test_status_read_errors():
    request = make_api().status_request(REF)
    with pytest.raises(errors.ContractError, match="no status for campaign"):
        request.interpret(reply(request, 200, {"data": {"id": C1}}))
    with pytest.raises(errors.ContractError, match="no 'data' object"):
        request.interpret(reply(request, 200, {"data": [campaign()["data"]]}))
    with pytest.raises(errors.CampaignNotFoundError):
        request.interpret(reply(request, 404, {"message": "Not found"}))


# -- sends of a campaign, and every running send -----------------------------------------------------------
def test_sends_request_reads_each_send_of_the_campaign():
    request = make_api().sends_request(C1)
    assert (request.method, request.path, request.action, request.campaign_id) == ("GET", f"/api/v1/sms/campaigns/{C1}", "sends read", C1)
    body = campaign(
        "in_progress",
        campaign_sends=[
            {"id": S1.upper(), "status": "in_progress", "updated_at": "2026-03-01T11:00:00Z"},
            {"id": S2, "meta": {"multistep_status": {"status": "completed"}}},
            "junk",
        ],
    )
    sends = request.interpret(reply(request, 200, body))
    assert [(s.campaign_id, s.state) for s in sends] == [(REF.label, CampaignState.ACTIVE), (f"{C1}/{S2}", CampaignState.COMPLETED)]
    assert sends[0].timestamps == {"updated_at": "2026-03-01T11:00:00Z"}


def test_sends_request_gathers_every_list_it_knows():
    body = campaign(sends=[{"id": S1, "status": "running"}], sms_campaign_sends=[{"id": S2, "status": "done"}])
    sends = make_api().sends_request(C1).interpret(reply(make_api().sends_request(C1), 200, body))
    assert [s.campaign_id for s in sends] == [REF.label, f"{C1}/{S2}"]


def test_sends_request_is_none_when_the_answer_lists_no_sends_and_honours_send_status_path():
    def sends(api: CommApi, body: Any) -> Any:
        request = api.sends_request(C1)
        return request.interpret(reply(request, 200, body))

    assert sends(make_api(), campaign()) is None  # the documented campaign answer
    assert sends(make_api(), campaign(sends="many")) is None
    api = make_api(send_status_path="data.runs")
    assert sends(api, campaign(sends=[{"id": S1, "status": "pending"}])) is None
    assert len(sends(api, campaign(runs=[{"id": S1, "status": "pending"}]))) == 1
    assert sends(api, campaign(runs=[])) == []


def test_sends_request_answer_errors():
    request = make_api().sends_request(C1)
    with pytest.raises(errors.ContractError, match="'data' object"):
        request.interpret(reply(request, 200, {"data": []}))
    with pytest.raises(errors.ContractError, match="lists a send whose id 'nope' is not a UUID"):
        request.interpret(reply(request, 200, campaign(sends=[{"id": "nope", "status": "in_progress"}])))
    with pytest.raises(errors.CampaignNotFoundError):
        request.interpret(reply(request, 404, {"message": "Not found"}))


def listed(campaign_id: str, status: str, name: str | None = "promo") -> CampaignStatus:
    return CampaignStatus(VENDOR, campaign_id, comm.STATUS_MAP.normalize(status), status, name=name)


def send_status(campaign_id: str, send_id: str, status: str) -> CampaignStatus:
    return CampaignStatus(VENDOR, f"{campaign_id}/{send_id}", comm.STATUS_MAP.normalize(status), status)


def test_running_sends_keeps_sends_not_final_once_each():
    campaigns = [listed(C1, "in_progress"), listed(C2, "in_progress")]
    answers = [
        [send_status(C1, S1, "in_progress"), send_status(C1, S2, "completed"), send_status(C1, S1, "in_progress")],
        [send_status(C2, S2, "mystery"), send_status(C2, S1, "stopped")],
    ]
    assert comm.running_sends(campaigns, answers) == [REF, CommSend(C2, S2)]


def test_running_sends_of_campaigns_listing_no_running_send_is_nothing_to_stop():
    assert comm.running_sends([listed(C1, "in_progress")], [[]]) == []
    assert comm.running_sends([], []) == []


def test_running_sends_fails_naming_campaigns_whose_answer_lists_no_sends():
    campaigns = [listed(C1, "in_progress", "Spring"), listed(C2, "pending", None)]
    with pytest.raises(errors.PermanentError) as error:
        comm.running_sends(campaigns, [[send_status(C1, S1, "in_progress")], None])
    text = str(error.value)
    assert f"{C2} (None, pending)" in text and C1 not in text
    assert "cannot tell which sends 1 running campaign(s) have" in text
    assert "pass the sends to stop as campaign_sends" in text and "send_status_path" in text


def test_running_sends_names_at_most_ten_campaigns():
    campaigns = [listed(str(uuid.UUID(int=n)), "in_progress") for n in range(12)]
    with pytest.raises(errors.PermanentError, match=r"12 running campaign\(s\).* \.\.\.\. comm.com's campaign answer"):
        comm.running_sends(campaigns, [None] * 12)


# -- campaign list ----------------------------------------------------------------------------------------
def test_list_request_and_credentials_request():
    api = make_api()
    request = api.list_request(2)
    assert (request.method, request.path, dict(request.params)) == ("GET", "/api/v1/sms/campaigns", {"page": "2", "per_page": "100"})
    check = api.credentials_request()
    assert (check.method, check.path, dict(check.params), check.action) == (
        "GET",
        "/api/v1/sms/campaigns",
        {"per_page": "1"},
        "credentials check",
    )
    assert check.interpret(reply(check, 200, {"data": []})) is None
    with pytest.raises(errors.AuthenticationError):
        check.interpret(reply(check, 401, {"message": "Unauthenticated."}))


ITEMS = [{"id": C1, "name": "a", "meta": {"multistep_status": {"status": "in_progress"}}}, {"id": C2.upper(), "status": "completed"}]


@pytest.mark.parametrize(
    ("paging", "page", "more"),
    [
        ({"meta": {"current_page": 2, "last_page": 3}}, 2, True),
        ({"meta": {"current_page": 3, "last_page": 3}}, 3, False),
        ({"meta": {"last_page": 3}}, 1, True),  # no current_page: the page asked for
        ({"meta": {"last_page": 1}}, 1, False),
        ({"meta": {"current_page": 1, "last_page": 1}, "links": {"next": "https://x/?page=2"}}, 1, False),  # last_page wins
        ({"links": {"next": "https://api.comm.com/api/v1/sms/campaigns?page=3"}}, 2, True),
        ({"links": {"next": None}}, 2, False),
        ({"meta": {"last_page": "3"}, "links": {"next": None}}, 1, False),
    ],
)
def test_list_page_reads_campaign_level_statuses_and_laravel_paging(paging, page, more):
    request = make_api().list_request(page)
    result = request.interpret(reply(request, 200, {"data": ITEMS, **paging}))
    assert [(c.campaign_id, c.state, c.name) for c in result.items] == [
        (C1, CampaignState.ACTIVE, "a"),
        (C2, CampaignState.COMPLETED, None),
    ]
    assert result.more is more


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ({"data": ITEMS}, r"no paging signal \(meta.last_page or links.next\).*cannot be shown complete"),
        ({"data": ITEMS, "meta": {"total": 2}}, "no paging signal"),
        ({"data": ITEMS, "links": {"first": "x"}}, "no paging signal"),
        ({"data": {"items": ITEMS}, "meta": {"last_page": 1}}, "no 'data' list"),
        ({"data": [{"id": "nope", "status": "x"}], "meta": {"last_page": 1}}, "whose id 'nope' is not a UUID"),
        ({"data": ["x"], "meta": {"last_page": 1}}, "whose id None is not a UUID"),
        ({"data": [{"id": C1}], "meta": {"last_page": 1}}, "no status for campaign"),
    ],
)
def test_an_unreadable_campaign_list_fails(body, match):
    request = make_api().list_request(1)
    with pytest.raises(errors.ContractError, match=match):
        request.interpret(reply(request, 200, body))


def test_list_flow_follows_links_next(script, budget):
    run = script(
        VENDOR,
        (200, {"data": ITEMS[:1], "links": {"next": "https://api.comm.com/api/v1/sms/campaigns?page=2"}}),
        (200, {"data": ITEMS[1:], "links": {"next": None}}),
    )
    assert [c.campaign_id for c in run.run(comm.list_flow(make_api(), budget))] == [C1, C2]
    assert [r.params["page"] for r in run.requests] == ["1", "2"]
