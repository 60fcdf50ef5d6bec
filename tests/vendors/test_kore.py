"""Pure tests of the Kore.ai contract: JWT, request descriptions, answer parsing, validation."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace
from typing import Any

import jwt
import pytest

from airflow_provider_campaigns.core.settings import transport_settings
from airflow_provider_campaigns.core.wire import ApiRequest, Reply
from airflow_provider_campaigns.exceptions import (
    CampaignNotFoundError,
    InvalidInputError,
    ResponseFormatError,
    StopRejectedError,
    VendorRejectedError,
)
from airflow_provider_campaigns.status import CampaignState
from airflow_provider_campaigns.vendors import connect
from airflow_provider_campaigns.vendors.kore import (
    DEFAULT_HOST,
    STATUS_MAP,
    VENDOR,
    KoreApi,
    build_api,
    validate_campaign_type,
    validate_id,
    validate_path_template,
)

CLIENT_ID = "cs-5250bdc9-6bfe-5ece-92c9-ab54aa2d4285"
SECRET = "kore-VENDOR-secret-7f3a9c2e1b4d6f8a0c2e4b6d8f0a1c3e"
ACCOUNT = "67777ce93e25326494abcdef"
STREAM = "st-0603182c-7ffb-53c3-b307-47ca14b12345"


def conn(**overrides: Any) -> SimpleNamespace:
    extra = {"account_id": ACCOUNT, "stream_id": STREAM, **overrides.pop("extra", {})}
    fields = {"conn_id": "kore_default", "host": "https://kore.test", "port": None, "schema": None, "login": CLIENT_ID, "password": SECRET}
    fields.update(overrides)
    return SimpleNamespace(extra_dejson=extra, **fields)


def api_for(connection: SimpleNamespace | None = None, **options: Any) -> KoreApi:
    connection = connection or conn()
    return build_api(connection, transport_settings(connection, VENDOR, DEFAULT_HOST), **options)


def mint(api: KoreApi) -> Any:
    flow = api.auth.token_flow()
    with pytest.raises(StopIteration) as done:
        next(flow)  # the mint yields no request
    return done.value.value


def reply(request: ApiRequest[Any], status: int, body: Any) -> Reply:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Reply(VENDOR, request, status, {"content-type": "application/json"}, content)


def test_module_contract():
    assert VENDOR == "Kore.ai" and DEFAULT_HOST == "https://platform.kore.ai"
    settings, api = connect("kore", conn(host=None))
    assert settings.base_url == "https://platform.kore.ai" and isinstance(api, KoreApi)


def test_jwt_is_hs256_signed_with_the_client_secret_and_carries_app_id():
    api = api_for()
    before = int(time.time())
    token = mint(api)
    assert jwt.get_unverified_header(token.value)["alg"] == "HS256"
    claims = jwt.decode(token.value, SECRET, algorithms=["HS256"])
    assert claims["appId"] == CLIENT_ID and claims["sub"] == CLIENT_ID
    assert before <= claims["iat"] <= int(time.time()) and claims["exp"] - claims["iat"] == 300
    assert token.expires_at == claims["exp"]
    assert len(claims["jti"]) >= 16
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token.value, "another-secret-that-is-long-enough-0123", algorithms=["HS256"])


def test_every_mint_has_a_fresh_jti():
    api = api_for()
    first, second = mint(api), mint(api)
    assert first.value != second.value
    assert jwt.decode(first.value, SECRET, algorithms=["HS256"])["jti"] != jwt.decode(second.value, SECRET, algorithms=["HS256"])["jti"]


def test_token_goes_in_the_auth_header_and_is_refreshable():
    auth = api_for().auth
    assert auth.headers("abc") == {"auth": "abc"}
    assert auth.refreshable is True


def test_stop_request_is_the_documented_call_double_slash_included():
    request = api_for().stop_request({"campaign_id": "cp-1", "stream_id": STREAM})
    assert request.method == "POST"
    assert request.path == f"/campaign/api/v2/public/{STREAM}/campaign//trigger/cp-1"
    assert list(request.params.items()) == [("accountId", ACCOUNT), ("campaignType", "sms"), ("trigger", "stop")]
    assert request.json == {}
    assert dict(request.headers) == {"accountid": ACCOUNT, "iid": STREAM}
    assert request.campaign_id == "cp-1" and request.action == "stop" and request.authenticated


def test_status_request_is_a_post_with_view_status():
    request = api_for().status_request({"campaign_id": "cp-1", "stream_id": "st-other"})
    assert request.method == "POST"
    assert request.path == "/campaign/api/v2/public/st-other/campaign/cp-1/status"
    assert dict(request.params) == {"accountId": ACCOUNT, "view": "status"}
    assert request.json == {} and dict(request.headers) == {"accountid": ACCOUNT, "iid": "st-other"}


def test_path_parameters_are_percent_encoded():
    request = api_for().stop_request({"campaign_id": "cp:1@x&y=ä", "stream_id": "st-a+b"})
    assert request.path == "/campaign/api/v2/public/st-a%2Bb/campaign//trigger/cp%3A1%40x%26y%3D%C3%A4"


def test_path_templates_can_be_overridden_from_the_connection():
    api = api_for(conn(extra={"stop_path": "/api/v2/public/{stream_id}/campaign/trigger/{campaign_id}", "status_path": "/s/{campaign_id}"}))
    assert api.stop_request({"campaign_id": "c1", "stream_id": STREAM}).path == f"/api/v2/public/{STREAM}/campaign/trigger/c1"
    assert api.status_request({"campaign_id": "c1", "stream_id": STREAM}).path == "/s/c1"


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
    with pytest.raises(InvalidInputError, match="extra 'stop_path'"):
        api_for(conn(extra={"stop_path": template}))
    assert validate_path_template("/ok/{stream_id}/{campaign_id}", "stop_path", "c") == "/ok/{stream_id}/{campaign_id}"


@pytest.mark.parametrize("good", ["cp-1", STREAM, "6777ce93e25326494", "a.b", "x" * 128, "Campaign_1~!"])
def test_safe_ids_are_accepted_unchanged(good):
    assert validate_id(good) == good


BAD_IDS = ["", " ", "a b", "a\tb", "a\nb", "a/b", "a?b", "a#b", "a%2Fb", "a\\b", "{{ params.id }}", "{{ds}}", "..", ".", "x" * 129, "a\x00"]


@pytest.mark.parametrize("bad", [*BAD_IDS, 12, None, True, ["cp-1"]])
def test_unsafe_ids_fail_naming_the_parameter(bad):
    with pytest.raises(InvalidInputError, match=r"^campaign_ids\[2\]"):
        validate_id(bad, "campaign_ids[2]")


def test_campaign_type_is_sms_only():
    assert validate_campaign_type("SMS") == "sms"
    for bad in ("mms", "voice", "", None):
        with pytest.raises(InvalidInputError, match="campaign_type"):
            validate_campaign_type(bad)


ACTIVE_STATUSES = ["Ready", "Preparing", "Scheduled", "Rescheduled", "Active", "ACTIVE"]
STATES = [*((raw, "active") for raw in ACTIVE_STATUSES), ("Paused", "paused"), ("Stopped", "stopped"), ("stopped", "stopped")]


@pytest.mark.parametrize(("raw", "state"), [*STATES, ("Completed", "completed"), ("Archived", "unknown")])
def test_status_map(raw, state):
    assert STATUS_MAP.normalize(raw) == CampaignState(state)
    assert CampaignState(state).is_final is (state in ("stopped", "completed"))


def test_stop_answer_is_read():
    request = api_for().stop_request({"campaign_id": "cp-1", "stream_id": STREAM})
    body = {"status": "Stopped", "message": "Campaign Stopped", "updatedAt": "2025-12-05T12:07:54.225Z", "campaignExecutionType": "NORMAL"}
    status = request.interpret(reply(request, 200, body))
    assert status.as_dict() == {
        "vendor": "Kore.ai",
        "campaign_id": "cp-1",
        "state": "stopped",
        "vendor_status": "Stopped",
        "timestamps": {"updatedAt": "2025-12-05T12:07:54.225Z"},
    }


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, {"errors": [{"msg": "Campaign is already stopped or completed", "code": 400}]}),
        (409, {"message": "conflict"}),
        (422, {"msg": "Invalid state"}),
        (200, {"status": "failure", "errors": [{"msg": "Campaign already completed"}]}),
    ],
)
def test_stop_refused_because_of_state_is_a_stop_rejection(status, body):
    request = api_for().stop_request({"campaign_id": "cp-1", "stream_id": STREAM})
    with pytest.raises(StopRejectedError, match=f"refused to stop campaign cp-1 .*HTTP {status}"):
        request.interpret(reply(request, status, body))


def test_stop_of_unknown_campaign_is_not_found_with_kore_message():
    request = api_for().stop_request({"campaign_id": "cp-1", "stream_id": STREAM})
    with pytest.raises(CampaignNotFoundError, match='HTTP 404, "Campaign not found"'):
        request.interpret(reply(request, 404, {"errors": [{"msg": "Campaign not found", "code": 404}]}))


def test_kore_msg_key_is_the_vendor_message_on_401():
    from airflow_provider_campaigns.core.errors import error_for

    request = api_for().status_request({"campaign_id": "cp-1", "stream_id": STREAM})
    error = error_for(reply(request, 401, {"msg": "Invalid SDK credentials", "code": 4002}))
    assert 'HTTP 401, "Invalid SDK credentials"' in str(error)


def test_status_answer_is_read():
    request = api_for().status_request({"campaign_id": "cp-1", "stream_id": STREAM})
    status = request.interpret(reply(request, 200, {"status": "success", "data": {"id": "cp-1", "status": "Paused", "name": "promo"}}))
    assert (status.campaign_id, status.state, status.vendor_status, status.name) == ("cp-1", CampaignState.PAUSED, "Paused", "promo")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"status": "failure", "errors": [{"msg": "Campaign not found"}]}, CampaignNotFoundError),
        ({"status": "failure", "message": "Campaign does not exist"}, CampaignNotFoundError),
        ({"status": "failure", "msg": "Access denied for this stream"}, VendorRejectedError),
    ],
)
def test_status_failure_is_a_clear_error(body, error):
    request = api_for().status_request({"campaign_id": "cp-1", "stream_id": STREAM})
    with pytest.raises(error, match="cp-1") as raised:
        request.interpret(reply(request, 200, body))
    assert type(raised.value) is error


@pytest.mark.parametrize("body", [{"status": "success"}, {"status": "success", "data": {"id": "cp-1"}}, b"<html>", b""])
def test_unreadable_status_answer_is_a_format_error(body):
    request = api_for().status_request({"campaign_id": "cp-1", "stream_id": STREAM})
    with pytest.raises(ResponseFormatError):
        request.interpret(reply(request, 200, body))


def test_list_request_body_and_path():
    api = api_for()
    request = api.list_request(STREAM, None, skip=200, limit=100)
    assert request.method == "POST" and request.path == f"/campaign/api/v2/public/{STREAM}/campaign/getAllCampaignDetails"
    assert dict(request.params) == {"accountId": ACCOUNT} and dict(request.headers) == {"accountid": ACCOUNT, "iid": STREAM}
    assert request.json == {"type": "sms", "limit": 100, "skip": 200, "page": 3}
    assert api.list_request(STREAM, ["Active"], limit=1).json == {
        "type": "sms",
        "limit": 1,
        "skip": 0,
        "page": 1,
        "filters": {"status": ["Active"]},
    }


@pytest.mark.parametrize(
    "body",
    [
        {"status": "success", "data": [{"id": "a", "status": "Active", "name": "n"}, {"_id": "b", "status": "Stopped"}]},
        {"data": {"campaigns": [{"id": "a", "status": "Active", "name": "n"}, {"_id": "b", "status": "Stopped"}]}},
        {"campaigns": [{"_id": "a", "status": "Active", "name": "n"}, {"id": "b", "status": "Stopped"}]},
    ],
)
def test_list_answer_shapes(body):
    api = api_for()
    listed = api.parse_list(reply(api.list_request(STREAM), 200, body))
    assert [(s.campaign_id, s.vendor_status, s.is_final) for s in listed] == [("a", "Active", False), ("b", "Stopped", True)]
    assert listed[0].name == "n"


@pytest.mark.parametrize("body", [{"data": None}, {"data": [{"status": "Active"}]}, {"data": [{"id": "a"}]}, {"items": []}])
def test_unreadable_list_is_a_format_error(body):
    api = api_for()
    with pytest.raises(ResponseFormatError):
        api.parse_list(reply(api.list_request(STREAM), 200, body))


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
    with pytest.raises(InvalidInputError, match=field):
        api_for(conn(**overrides))


def test_stream_option_wins_over_the_extra_and_missing_stream_is_named():
    assert api_for(stream_id="st-option").campaign_ref("cp-1") == {"campaign_id": "cp-1", "stream_id": "st-option"}
    assert api_for().campaign_ref("cp-1") == {"campaign_id": "cp-1", "stream_id": STREAM}
    assert api_for().campaign_ref("cp-1", "st-call") == {"campaign_id": "cp-1", "stream_id": "st-call"}
    with pytest.raises(InvalidInputError, match=r"^stream_id.*no extra 'stream_id'"):
        api_for(conn(extra={"stream_id": None})).campaign_ref("cp-1")
    with pytest.raises(InvalidInputError, match=r"^stream_id"):
        api_for(stream_id="{{ params.stream }}")


def test_unknown_api_options_are_rejected():
    with pytest.raises(InvalidInputError, match="channel"):
        api_for(channel="rcs")


def test_client_secret_is_registered_with_the_masker():
    from airflow.providers.common.compat.sdk import redact

    api_for()
    assert SECRET not in str(redact(f"value {SECRET} here"))


@pytest.mark.parametrize("value", ["st-中", "cp-é", "cp-\u00a0x"])
def test_non_ascii_ids_are_rejected_before_they_reach_an_http_header(value):
    from airflow_provider_campaigns.exceptions import InvalidInputError
    from airflow_provider_campaigns.vendors.kore import validate_id

    with pytest.raises(InvalidInputError, match="stream_id"):
        validate_id(value, "stream_id")
