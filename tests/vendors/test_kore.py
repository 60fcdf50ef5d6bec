"""Pure tests of the Kore.ai contract: JWT, selection, request descriptions, answer parsing, listing, validation."""

from __future__ import annotations

from functools import partial
from types import SimpleNamespace
from typing import Any

import jwt
import pytest

from airflow_provider_campaigns import exceptions as errors
from airflow_provider_campaigns.core.errors import error_for
from airflow_provider_campaigns.protocol.flows import stop_flow
from airflow_provider_campaigns.registry import vendor_spec
from airflow_provider_campaigns.status import ALREADY_FINAL, STOPPED, CampaignState, StatusMap
from airflow_provider_campaigns.vendors import kore
from airflow_provider_campaigns.vendors.kore import (
    DEFAULT_HOST,
    STATUS_MAP,
    VENDOR,
    KoreApi,
    KoreCampaign,
    KoreOptions,
    validate_campaign_type,
    validate_id,
)
from tests.conftest import fake_connection, vendor_reply
from tests.vendor_accounts import kore_stopped

CLIENT_ID = "cs-5250bdc9-6bfe-5ece-92c9-ab54aa2d4285"
SECRET = "kore-VENDOR-secret-7f3a9c2e1b4d6f8a0c2e4b6d8f0a1c3e"
ACCOUNT = "67777ce93e25326494abcdef"
STREAM = "st-0603182c-7ffb-53c3-b307-47ca14b12345"
REF = KoreCampaign("cd-1", STREAM)
UNVERIFIED_TIMES = {"verify_exp": False, "verify_iat": False}


def conn(**overrides: Any) -> Any:
    extra = {"account_id": ACCOUNT, "stream_id": STREAM, **overrides.pop("extra", {})}
    fields = {"host": "https://kore.test", "login": CLIENT_ID, "password": SECRET, **overrides}
    return fake_connection("kore_default", **fields, extra=extra)


def api_for(connection: SimpleNamespace | None = None, **options: Any) -> KoreApi:
    _, api = vendor_spec("kore").connect(connection or conn(), options=KoreOptions(**options))
    assert isinstance(api, KoreApi)
    return api


def mint(api: KoreApi, budget: Any) -> Any:
    flow = api.auth.token_flow(budget)
    with pytest.raises(StopIteration) as done:
        next(flow)  # the mint yields no request
    return done.value.value


reply = partial(vendor_reply, VENDOR)


# -- module, connection, JWT ----------------------------------------------------------------------------
def test_module_contract():
    assert (VENDOR, kore.KEY, DEFAULT_HOST) == ("Kore.ai", "kore", "https://platform.kore.ai")
    settings, api = vendor_spec("kore").connect(conn(host=None))
    assert settings.base_url == "https://platform.kore.ai" and isinstance(api, KoreApi)
    assert (api.account_id, api.default_stream) == (ACCOUNT, STREAM)


def test_jwt_is_hs256_signed_with_the_client_secret_and_carries_app_id(budget, clock):
    token = mint(api_for(), budget)
    assert jwt.get_unverified_header(token.value)["alg"] == "HS256"
    claims = jwt.decode(token.value, SECRET, algorithms=["HS256"], options=UNVERIFIED_TIMES)
    assert claims["appId"] == CLIENT_ID and claims["sub"] == CLIENT_ID
    assert claims["iat"] == int(clock.time()) and claims["exp"] - claims["iat"] == 300
    assert token.expires_at == claims["exp"]
    assert len(claims["jti"]) >= 16
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token.value, "another-secret-that-is-long-enough-0123", algorithms=["HS256"], options=UNVERIFIED_TIMES)


def test_every_mint_has_a_fresh_jti(budget):
    api = api_for()
    first, second = mint(api, budget), mint(api, budget)
    assert first.value != second.value
    decoded = [jwt.decode(t.value, SECRET, algorithms=["HS256"], options=UNVERIFIED_TIMES)["jti"] for t in (first, second)]
    assert decoded[0] != decoded[1]


def test_token_goes_in_the_auth_header_and_is_refreshable():
    auth = api_for().auth
    assert auth.headers("abc") == {"auth": "abc"}
    assert auth.refreshable is True


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"login": None}, "Client ID"),
        ({"password": ""}, "Client Secret"),
        ({"extra": {"account_id": None}}, "account_id"),
        ({"extra": {"account_id": "acc 1"}}, "extra 'account_id'"),
        ({"extra": {"stream_id": "st/1"}}, "extra 'stream_id'"),
    ],
)
def test_connection_fields_are_validated(overrides, field):
    with pytest.raises(errors.InvalidInputError, match=field):
        api_for(conn(**overrides))


def test_stream_option_wins_over_the_extra_and_is_validated():
    assert api_for(stream_id="st-option").default_stream == "st-option"
    assert api_for().default_stream == STREAM
    assert api_for(conn(extra={"stream_id": None})).default_stream is None  # Airflow 3's form saves null
    with pytest.raises(errors.InvalidInputError, match=r"^stream_id"):
        api_for(stream_id="{{ params.stream }}")


def test_client_secret_is_registered_with_the_masker():
    from airflow.providers.common.compat.sdk import redact

    api_for()
    assert SECRET not in str(redact(f"value {SECRET} here"))


# -- ids, templates, references ---------------------------------------------------------------------------
@pytest.mark.parametrize("good", ["cd-1", STREAM, "6777ce93e25326494", "a.b", "x" * 128, "Campaign_1~!", "..."[:2] + "x"])
def test_safe_ids_are_accepted_unchanged(good):
    assert validate_id(good) == good


BAD_IDS = ["", " ", "a b", "a\tb", "a\nb", "a/b", "a?b", "a#b", "a%2Fb", "a\\b", "{{ params.id }}", "{{ds}}", "..", ".", "x" * 129, "a\x00"]


@pytest.mark.parametrize("bad", [*BAD_IDS, 12, None, True, ["cd-1"]])
def test_unsafe_ids_fail_naming_the_parameter(bad):
    with pytest.raises(errors.InvalidInputError, match=r"^campaign_ids\[2\]"):
        validate_id(bad, "campaign_ids[2]")


@pytest.mark.parametrize("value", ["st-中", "cd-é", "cd-\u00a0x"])
def test_non_ascii_ids_are_rejected_before_they_reach_an_http_header(value):
    with pytest.raises(errors.InvalidInputError, match="stream_id"):
        validate_id(value, "stream_id")


def test_campaign_type_is_sms_only():
    assert validate_campaign_type("SMS") == "sms"
    for bad in ("mms", "voice", "", None):
        with pytest.raises(errors.InvalidInputError, match="campaign_type"):
            validate_campaign_type(bad)


def test_campaign_reference_label_and_round_trip():
    assert REF.label == "cd-1" and REF.as_dict() == {"id": "cd-1", "stream_id": STREAM, "campaign_type": "sms"}
    assert KoreCampaign.from_dict(REF.as_dict()) == REF
    assert KoreCampaign.from_dict({"id": "cd-1", "stream_id": STREAM}) == REF
    with pytest.raises(errors.InvalidInputError, match="stream_id"):
        KoreCampaign.from_dict({"id": "cd-1", "stream_id": "st/x"})
    with pytest.raises(errors.InvalidInputError, match="campaign_type"):
        KoreCampaign.from_dict({**REF.as_dict(), "campaign_type": "voice"})


BAD_TEMPLATES = ["campaign/{campaign_id}", "/x/{streamId}/{campaign_id}", "/x/{campaign_id:>20}", "/x/{campaign_id!r}", "/x/{stream_id}"]
BAD_TEMPLATES += [
    "/x/{campaign_id}?trigger=stop",
    "/x/{campaign_id}#f",
    "/x /{campaign_id}",
    "/x/{{campaign_id}}",
    "/x/{{y}}/{campaign_id}",
]
BAD_TEMPLATES += ["/x/{campaign_id", "/x/{0}/{campaign_id}", 42]


@pytest.mark.parametrize("template", BAD_TEMPLATES)
def test_bad_path_templates_fail_naming_the_extra(template):
    with pytest.raises(errors.InvalidInputError, match="extra 'stop_path'"):
        api_for(conn(extra={"stop_path": template}))


# -- selection ---------------------------------------------------------------------------------------------
def no_default() -> str | None:
    return None


def test_selection_of_ids_uses_the_given_stream_else_the_default():
    assert kore.selection("Op", lambda: STREAM, campaign_id="cd-1").refs == (REF,)
    chosen = kore.selection("Op", lambda: STREAM, campaign_ids=["a", "b", "a"], stream_id="st-other", campaign_type="SMS")
    assert chosen.refs == (KoreCampaign("a", "st-other"), KoreCampaign("b", "st-other")) and chosen.stream_id == "st-other"


def test_selection_of_every_active_campaign():
    chosen = kore.selection("Op", lambda: STREAM, all_active=True, name_contains="promo")
    assert (chosen.refs, chosen.stream_id, chosen.all_active, chosen.name_contains, chosen.campaign_type) == (
        (),
        STREAM,
        True,
        "promo",
        "sms",
    )


def test_selection_asks_for_the_default_stream_only_after_every_check():
    asked: list[bool] = []

    def default() -> str | None:
        asked.append(True)
        return STREAM

    with pytest.raises(errors.InvalidInputError, match="campaign_id"):
        kore.selection("Op", default, campaign_id="a/b")
    kore.selection("Op", default, campaign_id="cd-1", stream_id="st-given")
    assert asked == [True]  # not asked by the call that failed validation


def test_a_missing_stream_is_named_with_both_ways_to_give_it():
    with pytest.raises(errors.InvalidInputError, match=r"^Op: no Kore.ai stream id: pass stream_id, or set the extra 'stream_id'"):
        kore.selection("Op", no_default, campaign_id="cd-1")
    assert kore.resolve_stream("Op", "st-x", None) == "st-x"
    assert kore.resolve_stream("Op", None, "st-default") == "st-default"
    with pytest.raises(errors.InvalidInputError, match=r"^stream_id"):
        kore.resolve_stream("Op", "st x", "st-default")


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({}, r"^Op: give exactly one of campaign_id, campaign_ids or all_active\."),
        ({"campaign_id": "a", "all_active": True}, "exactly one"),
        ({"campaign_ids": "a,b"}, "campaign_ids must be a list of ids"),
        ({"campaign_ids": []}, "campaign_ids is empty"),
        ({"campaign_ids": ["a", "b c"]}, r"^campaign_ids\[1\]"),
        ({"campaign_id": "a", "stream_id": "st/1"}, "^stream_id"),
        ({"campaign_id": "a", "campaign_type": "voice"}, "campaign_type"),
        ({"all_active": 1}, "all_active must be True or False"),
        ({"all_active": True, "name_contains": " "}, "name_contains must be non-empty text"),
    ],
)
def test_selection_rejects_bad_input_naming_the_parameter(params, match):
    with pytest.raises(errors.InvalidInputError, match=match):
        kore.selection("Op", lambda: STREAM, **params)


# -- requests ------------------------------------------------------------------------------------------------
def test_stop_request_is_the_documented_call_double_slash_included():
    request = api_for().stop_request(REF)
    assert request.method == "POST"
    assert request.path == f"/campaign/api/v2/public/{STREAM}/campaign//trigger/cd-1"
    assert list(request.params.items()) == [("accountId", ACCOUNT), ("campaignType", "sms"), ("trigger", "stop")]
    assert request.json == {}
    assert dict(request.headers) == {"accountid": ACCOUNT, "iid": STREAM}
    assert request.campaign_id == "cd-1" and request.action == "stop" and request.authenticated


def test_status_request_is_a_post_with_view_status():
    request = api_for().status_request(KoreCampaign("cd-1", "st-other"))
    assert request.method == "POST" and request.action == "status read"
    assert request.path == "/campaign/api/v2/public/st-other/campaign/cd-1/status"
    assert dict(request.params) == {"accountId": ACCOUNT, "view": "status"}
    assert request.json == {} and dict(request.headers) == {"accountid": ACCOUNT, "iid": "st-other"}


def test_path_parameters_are_percent_encoded():
    request = api_for().stop_request(KoreCampaign("cp:1@x&y=ä", "st-a+b"))
    assert request.path == "/campaign/api/v2/public/st-a%2Bb/campaign//trigger/cp%3A1%40x%26y%3D%C3%A4"


def test_path_templates_can_be_overridden_from_the_connection():
    api = api_for(conn(extra={"stop_path": "/api/v2/public/{stream_id}/campaign/trigger/{campaign_id}", "status_path": "/s/{campaign_id}"}))
    assert api.stop_request(KoreCampaign("c1", STREAM)).path == f"/api/v2/public/{STREAM}/campaign/trigger/c1"
    assert api.status_request(KoreCampaign("c1", STREAM)).path == "/s/c1"


def test_list_request_body_and_path():
    """The documented request (get-all-campaigns-v2.md): ``type`` required, ``limit``, ``skip``, ``page``, ``sortBy``."""
    api = api_for()
    request = api.list_request(STREAM, None, skip=200, limit=100)
    assert request.method == "POST" and request.path == f"/campaign/api/v2/public/{STREAM}/campaign/getAllCampaignDetails"
    assert dict(request.params) == {"accountId": ACCOUNT} and dict(request.headers) == {"accountid": ACCOUNT, "iid": STREAM}
    assert request.json == {"type": "sms", "limit": 100, "skip": 200, "page": 3, "sortBy": {"createdAt": "asc"}}
    assert (request.action, request.campaign_id) == ("campaign list", None)
    assert request.doc is not None and "get-all-campaigns-v2.md" in request.doc
    assert api.list_request(STREAM, ["Active"], limit=1).json == {
        "type": "sms",
        "limit": 1,
        "skip": 0,
        "page": 1,
        "sortBy": {"createdAt": "asc"},
        "filters": {"status": ["Active"]},
    }


def test_credentials_request_lists_one_campaign_of_the_stream():
    request = api_for().credentials_request("st-check")
    assert request.path == "/campaign/api/v2/public/st-check/campaign/getAllCampaignDetails"
    assert request.json == {"type": "sms", "limit": 1, "skip": 0, "page": 1} and request.headers["iid"] == "st-check"
    assert request.interpret(reply(request, 200, {"anything": 1})) is None
    with pytest.raises(errors.ResponseFormatError):
        request.interpret(reply(request, 200, b"<html>"))


# -- status map and statuses to ask for ------------------------------------------------------------------------
ACTIVE_STATUSES = ["Ready", "Preparing", "Scheduled", "Rescheduled", "Active", "ACTIVE"]
STATES = [*((raw, "active") for raw in ACTIVE_STATUSES), ("Paused", "paused"), ("Stopped", "stopped"), ("stopped", "stopped")]


@pytest.mark.parametrize(("raw", "state"), [*STATES, ("Completed", "completed"), ("Archived", "unknown")])
def test_status_map(raw, state):
    assert STATUS_MAP.normalize(raw) == CampaignState(state)
    assert CampaignState(state).is_final is (state in ("stopped", "completed"))


def test_status_spellings_use_kores_spelling_when_known():
    assert kore.status_spellings(["active", " PAUSED ", "", "custom", "Active"]) == ["Active", "Paused", "custom"]


def test_active_statuses_are_the_documented_ones_not_final_plus_extras():
    assert kore.active_statuses(STATUS_MAP) == ["Ready", "Preparing", "Scheduled", "Rescheduled", "Active", "Paused"]
    assert kore.active_statuses(STATUS_MAP, ["Draft", "stopped", "ready"]) == [*kore.active_statuses(STATUS_MAP), "Draft"]
    custom = STATUS_MAP.extended({"Paused": "stopped", "Archived": "active"})
    assert kore.active_statuses(custom, ["archived"]) == ["Ready", "Preparing", "Scheduled", "Rescheduled", "Active", "archived"]
    assert "Paused" not in kore.active_statuses(StatusMap(VENDOR, {"paused": CampaignState.STOPPED}))


# -- answers ----------------------------------------------------------------------------------------------------
def test_stop_answer_is_read():
    request = api_for().stop_request(REF)
    body = kore_stopped()
    status = request.interpret(reply(request, 200, body))
    assert status.as_dict() == {
        "vendor": "Kore.ai",
        "campaign_id": "cd-1",
        "state": "stopped",
        "vendor_status": "Stopped",
        "timestamps": {"updatedAt": "2025-12-05T12:07:54.225000Z"},
        "finished_at": "2025-12-05T12:07:54.225000Z",  # final: Kore.ai's updatedAt says when (endedAt absent)
    }


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, {"errors": [{"msg": "Campaign is already stopped or completed", "code": 400}]}),
        (409, {"message": "conflict"}),
        (422, {"msg": "Invalid state"}),
        (200, {"status": "failure", "errors": [{"msg": "Campaign already completed"}]}),
        (200, {"status": "error", "message": "cannot stop"}),
    ],
)
def test_stop_refused_because_of_state_is_a_stop_rejection(status, body):
    request = api_for().stop_request(REF)
    with pytest.raises(errors.StopRejectedError, match=f"refused to stop campaign cd-1 .*HTTP {status}"):
        request.interpret(reply(request, status, body))


def test_stop_of_unknown_campaign_is_not_found_with_kore_message():
    request = api_for().stop_request(REF)
    with pytest.raises(errors.CampaignNotFoundError, match='HTTP 404, "Campaign not found"'):
        request.interpret(reply(request, 404, {"errors": [{"msg": "Campaign not found", "code": 404}]}))


@pytest.mark.parametrize("body", [b"", b"<html>"])
def test_an_unreadable_stop_answer_is_a_format_error(body):
    request = api_for().stop_request(REF)
    with pytest.raises(errors.ResponseFormatError):
        request.interpret(reply(request, 200, body))


@pytest.mark.parametrize("body", [{"message": "Campaign Stopped"}, {"status": ""}, ["Stopped"]])
def test_a_stop_answer_without_the_documented_status_is_a_contract_error(body):
    request = api_for().stop_request(REF)
    with pytest.raises(errors.ContractError, match=r"stop-sms-campaign-v2\.md"):
        request.interpret(reply(request, 200, body))


def test_kore_msg_key_is_the_vendor_message_on_401():
    request = api_for().status_request(REF)
    error = error_for(reply(request, 401, {"msg": "Invalid SDK credentials", "code": 4002}))
    assert 'HTTP 401, "Invalid SDK credentials"' in str(error)


def test_status_answer_is_read():
    request = api_for().status_request(REF)
    status = request.interpret(reply(request, 200, {"status": "success", "data": {"id": "cd-1", "status": "Paused", "name": "promo"}}))
    assert (status.campaign_id, status.state, status.vendor_status, status.name) == ("cd-1", CampaignState.PAUSED, "Paused", "promo")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"status": "failure", "errors": [{"msg": "Campaign not found"}]}, errors.CampaignNotFoundError),
        ({"status": "failure", "message": "Campaign does not exist"}, errors.CampaignNotFoundError),
        ({"status": "failure", "msg": "Invalid campaign id"}, errors.CampaignNotFoundError),
        ({"status": "failure", "msg": "Access denied for this stream"}, errors.VendorRejectedError),
    ],
)
def test_status_failure_is_a_clear_error(body, error):
    request = api_for().status_request(REF)
    with pytest.raises(error, match="cd-1") as raised:
        request.interpret(reply(request, 200, body))
    assert type(raised.value) is error


@pytest.mark.parametrize("body", [b"<html>", b""])
def test_unreadable_status_answer_is_a_format_error(body):
    request = api_for().status_request(REF)
    with pytest.raises(errors.ResponseFormatError):
        request.interpret(reply(request, 200, body))


@pytest.mark.parametrize("body", [{"status": "success"}, {"status": "success", "data": {"id": "cd-1"}}, {"data": []}])
def test_a_status_answer_without_the_documented_data_is_a_contract_error(body):
    request = api_for().status_request(REF)
    with pytest.raises(errors.ContractError, match=r"get-campaign-status-v2\.md"):
        request.interpret(reply(request, 200, body))


# -- list (get-all-campaigns-v2.md) ------------------------------------------------------------------------------
def page_body(rows: list[Any], skip: int = 0, limit: int = 100, more: Any = False, total: Any = None, **data: Any) -> dict[str, Any]:
    """A list answer in the documented shape ``{"status", "message", "data": {"results", "skip", "limit", "hasMore", ...}}``."""
    total = skip + len(rows) if total is None else total
    signals = {"skip": skip, "limit": limit, "hasMore": more, "totalPages": 1, "totalResults": total}
    return {"status": "success", "message": "Campaign  retrieved successfully", "data": {"results": rows, **signals, **data}}


def test_list_rows_carry_id_for_sms_and_underscore_id_for_voice():
    request = api_for().list_request(STREAM)
    body = page_body([{"id": "cd-a", "status": "Active", "name": "n"}, {"_id": "cd-b", "status": "Stopped"}])
    page = request.interpret(reply(request, 200, body))
    assert [(s.campaign_id, s.vendor_status, s.is_final) for s in page.items] == [("cd-a", "Active", False), ("cd-b", "Stopped", True)]
    assert page.items[0].name == "n" and page.more is False


@pytest.mark.parametrize(
    ("more", "skip", "total", "expected"),
    [
        (True, 0, 500, True),
        (False, 0, 2, False),
        (False, 100, 102, False),
        (True, 0, 2, True),  # hasMore is the signal; a page that then brings nothing new fails in paged_flow
    ],
)
def test_list_page_more_comes_from_has_more(more, skip, total, expected):
    request = api_for().list_request(STREAM, skip=skip)
    body = page_body([{"id": "a", "status": "Active"}, {"id": "b", "status": "Active"}], skip=skip, more=more, total=total)
    assert request.interpret(reply(request, 200, body)).more is expected


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ({"status": "success", "data": [{"id": "a", "status": "Active"}], "moreAvailable": False}, r"no 'data' object"),
        ({"status": "success", "data": {"campaigns": []}}, r"no 'data.results' list"),
        (page_body([{"id": "a", "status": "Active"}], more=None), r"no boolean 'data.hasMore'.*cannot be shown complete"),
        (page_body([{"id": "a", "status": "Active"}], more="false"), r"no boolean 'data.hasMore'"),
        (page_body([{"id": "a", "status": "Active"}], total="1"), r"no integer 'data.totalResults'"),
        (page_body([{"id": "a", "status": "Active"}], total=True), r"no integer 'data.totalResults'"),
        (page_body([{"id": "a", "status": "Active"}], total=5), r"'data.hasMore' is false but only 1 of 'data.totalResults' 5"),
        (page_body([{"status": "Active"}]), r"without an 'id' \(SMS\) or '_id' \(voice\)"),
        (page_body([{"id": 5, "status": "Active"}]), "without an 'id'"),
        (page_body(["a"]), "without an 'id'"),
        (page_body([{"id": "a"}]), "no status for campaign a"),
        ([{"id": "a", "status": "Active"}], "a JSON list where the documented answer is an object"),
    ],
)
def test_a_list_answer_that_lacks_what_kore_documents_is_a_contract_error(body, match):
    request = api_for().list_request(STREAM)
    with pytest.raises(errors.ContractError, match=match) as raised:
        request.interpret(reply(request, 200, body))
    error = raised.value
    assert isinstance(error, errors.PermanentError) and not isinstance(error, errors.ResponseFormatError)
    assert error.vendor == VENDOR and error.endpoint == f"POST /campaign/api/v2/public/{STREAM}/campaign/getAllCampaignDetails"
    assert "get-all-campaigns-v2.md" in str(error) and error.doc is not None and "get-all-campaigns-v2.md" in error.doc
    assert "Body: " in str(error) and "accountId" not in str(error)  # the endpoint is named without its query


@pytest.mark.parametrize("body", [b"", b"<html>", b'{"status": "success", "data": {"results": ['])
def test_a_truncated_or_non_json_list_stays_transient(body):
    request = api_for().list_request(STREAM)
    with pytest.raises(errors.ResponseFormatError):
        request.interpret(reply(request, 200, body))


def test_a_list_answered_failure_is_a_vendor_refusal():
    request = api_for().list_request(STREAM)
    with pytest.raises(errors.VendorRejectedError, match="answered 'failure' for the campaign list"):
        request.interpret(reply(request, 200, {"status": "failure", "message": "Access denied"}))


def test_a_contract_error_names_no_secret_in_its_body_excerpt():
    request = api_for().list_request(STREAM)
    body = {"status": "success", "data": {"token": SECRET}}
    from airflow.providers.common.compat.sdk import mask_secret

    mask_secret(SECRET)
    with pytest.raises(errors.ContractError) as raised:
        request.interpret(reply(request, 200, body))
    assert SECRET not in str(raised.value)


def campaigns(*pairs: tuple[str, str], name: str = "promo", skip: int = 0, more: bool = False, total: int | None = None) -> dict[str, Any]:
    rows = [{"id": cid, "status": status, "name": f"{name} {cid}"} for cid, status in pairs]
    return page_body(rows, skip=skip, more=more, total=total)


def test_list_flow_pages_by_rows_received_until_has_more_is_false(script, budget):
    api = api_for()
    run = script(
        VENDOR,
        (200, campaigns(("a", "Active"), ("b", "Paused"), more=True, total=3)),  # Kore may serve fewer rows than asked
        (200, campaigns(("c", "Ready"), skip=2, more=False, total=3)),
    )
    statuses = run.run(kore.list_flow(api, STREAM, ["Active"], budget))
    assert [s.campaign_id for s in statuses] == ["a", "b", "c"]
    assert [(r.json["skip"], r.json["page"], r.json["filters"]) for r in run.requests] == [
        (0, 1, {"status": ["Active"]}),
        (2, 1, {"status": ["Active"]}),
    ]


def test_a_short_page_is_not_the_end_while_has_more_is_true(script, budget):
    run = script(VENDOR, (200, campaigns(("a", "Active"), more=True, total=2)), (200, campaigns(("b", "Active"), skip=1, total=2)))
    assert [s.campaign_id for s in run.run(kore.list_flow(api_for(), STREAM, None, budget))] == ["a", "b"]


def test_a_drifted_list_fails_after_one_request_in_no_time(script, budget, clock):
    """The drift test: before ContractError this answer was retried until the budget ran out (the task then said
    "the vendor may be degraded"); now it fails on the first answer, with no sleep at all."""
    started = clock.monotonic()
    run = script(VENDOR, (200, {"status": "success", "data": [{"id": "cd-1", "status": "Active"}], "moreAvailable": False}))
    with pytest.raises(errors.ContractError, match="no 'data' object"):
        run.run(kore.list_flow(api_for(), STREAM, None, budget))
    assert len(run.sent) == 1 and run.sleeps == [] and clock.monotonic() - started == 0


def test_select_flow_asks_for_active_statuses_and_judges_every_campaign_again(script, budget):
    api = api_for()
    chosen = kore.selection("Op", lambda: STREAM, all_active=True, name_contains="PROMO")
    body = campaigns(("a", "Active"), ("b", "Stopped"), ("c", "Completed"), ("d", "Paused"), ("e", "Draft"))
    body["data"]["results"].append({"id": "f", "status": "Active", "name": "other"})
    body["data"]["totalResults"] = 6
    run = script(VENDOR, (200, body))
    refs = run.run(kore.select_flow(api, chosen, budget, ["Draft"]))
    assert refs == [KoreCampaign("a", STREAM), KoreCampaign("d", STREAM), KoreCampaign("e", STREAM)]
    assert run.requests[0].json["filters"] == {"status": [*kore.active_statuses(STATUS_MAP), "Draft"]}
    assert run.requests[0].headers["iid"] == STREAM


def test_select_flow_fails_on_a_listed_campaign_it_cannot_address(script, budget):
    chosen = kore.selection("Op", lambda: STREAM, all_active=True)
    run = script(VENDOR, (200, campaigns(("ok", "Active"), ("a/b", "Active"))))
    with pytest.raises(errors.PermanentError, match="listed a campaign this provider cannot address safely: listed campaign id"):
        run.run(kore.select_flow(api_for(), chosen, budget))


def test_select_flow_ignores_an_unaddressable_campaign_that_is_final(script, budget):
    chosen = kore.selection("Op", lambda: STREAM, all_active=True)
    run = script(VENDOR, (200, campaigns(("ok", "Active"), ("a/b", "Completed"))))
    assert run.run(kore.select_flow(api_for(), chosen, budget)) == [KoreCampaign("ok", STREAM)]


def test_select_flow_of_ids_lists_nothing(script, budget):
    run = script(VENDOR)
    assert run.run(kore.select_flow(api_for(), kore.selection("Op", lambda: STREAM, campaign_ids=["a"]), budget)) == []
    assert run.sent == []


# -- stop, idempotently --------------------------------------------------------------------------------------------
def test_a_refused_stop_of_a_completed_campaign_is_already_final(script, budget):
    api = api_for()
    run = script(VENDOR, (409, {"message": "conflict"}), (200, {"status": "success", "data": {"id": "cd-1", "status": "Completed"}}))
    outcome = run.run(stop_flow(api, REF, budget))
    assert (outcome.outcome, outcome.status.vendor_status) == (ALREADY_FINAL, "Completed")
    assert run.calls == [
        f"POST /campaign/api/v2/public/{STREAM}/campaign//trigger/cd-1",
        f"POST /campaign/api/v2/public/{STREAM}/campaign/cd-1/status",
    ]


def test_a_401_gets_one_fresh_token(script, budget):
    run = script(VENDOR, (401, {"msg": "Invalid SDK credentials", "code": 4002}), (200, {"status": "Stopped"}))
    assert run.run(stop_flow(api_for(), REF, budget)).outcome == STOPPED
    assert [ask.stale for ask in run.token_asks] == [None, "token-1"]
