"""Cellcast's contract in pure code: validators, status map, request builders and answer parsers."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_campaigns.core.settings import transport_settings
from airflow_provider_campaigns.core.wire import ApiRequest, Reply
from airflow_provider_campaigns.exceptions import (
    AuthenticationError,
    CampaignNotFoundError,
    InvalidInputError,
    PermanentError,
    ResponseFormatError,
    StopRejectedError,
    VendorRejectedError,
)
from airflow_provider_campaigns.status import CampaignState
from airflow_provider_campaigns.vendors import cellcast, connect
from airflow_provider_campaigns.vendors.cellcast import (
    CellcastApi,
    build_api,
    list_filters,
    message_ref,
    validate_message_id,
    validate_message_ids,
    validate_message_type,
    validate_selection,
)

MID = "675161d8a000000000000000"
API = CellcastApi("key-not-used-here")


def reply(request: ApiRequest[Any], body: Any, status: int = 200) -> Reply:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Reply("Cellcast", request, status, {"content-type": "application/json"}, content)


def envelope(status: bool, message: str, data: Any = None, error: Any = None) -> dict[str, Any]:
    return {"app_type": "web", "status": status, "message": message, "data": data or {}, "error": error or {}}


NOT_FOUND = envelope(False, "message not found", error={"error": "message not found"})
CAST_ERROR = envelope(False, "internal server error", error={"name": "CastError", "message": "Cast to ObjectId failed"})
ALREADY = envelope(False, "Job not found or already processed", error={"error": "Job not found or already processed"})


def test_module_exposes_what_connect_needs():
    assert cellcast.VENDOR == "Cellcast"
    assert cellcast.DEFAULT_HOST == "https://api.cellcast.com"
    conn = SimpleNamespace(conn_id="cellcast_default", host=None, port=None, schema=None, password="k", extra_dejson={})
    settings, api = connect("cellcast", conn)
    assert settings.base_url == "https://api.cellcast.com"
    assert isinstance(api, CellcastApi)


# -- validation -----------------------------------------------------------------------------
def test_message_id_is_24_hex_digits_and_normalized_to_lower_case():
    assert validate_message_id(MID) == MID
    assert validate_message_id(MID.upper()) == MID


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (None, "NoneType"),
        (675161, "int"),
        (b"675161d8a000000000000000", "bytes"),
        ("", "empty"),
        ("   ", "empty"),
        (" " + MID, "whitespace"),
        (MID[:12] + " " + MID[13:], "whitespace"),
        (MID[:23] + "/", "'/'"),
        (MID[:18] + "%2F" + MID[21:], "'/' or '%'"),
        ("{{ ti.xcom_pull('ids') }}", "unrendered Jinja"),
        (MID[:23], "23 characters"),
        (MID + "0", "25 characters"),
        ("g" * 24, "not hexadecimal"),
    ],
)
def test_message_id_of_the_wrong_shape_is_rejected_naming_the_parameter(value, why):
    with pytest.raises(InvalidInputError, match=r"message_ids\[3\]") as error:
        validate_message_id(value, "message_ids[3]")
    assert why in str(error.value)


def test_message_ids_take_one_id_or_a_list_deduplicated_in_order():
    other = "675161d8a000000000000001"
    assert validate_message_ids(MID) == [MID]
    assert validate_message_ids([other, MID.upper(), other, MID]) == [other, MID]
    assert validate_message_ids((MID,)) == [MID]


@pytest.mark.parametrize("values", [[], (), 5, {MID}, {"id": MID}, None])
def test_message_ids_that_are_not_an_id_or_a_non_empty_list_are_rejected(values):
    with pytest.raises(InvalidInputError, match="message_ids"):
        validate_message_ids(values)


def test_message_ids_error_names_the_index_of_the_bad_entry():
    with pytest.raises(InvalidInputError, match=r"message_ids\[2\]"):
        validate_message_ids([MID, MID, None])


@pytest.mark.parametrize(("value", "expected"), [("sms", "sms"), ("MMS", "mms"), (" Sms ", "sms")])
def test_message_type_is_sms_or_mms_case_insensitively(value, expected):
    assert validate_message_type(value) == expected


@pytest.mark.parametrize("value", ["rcs", "", None, 1, "{{ params.type }}"])
def test_other_message_types_are_rejected(value):
    with pytest.raises(InvalidInputError, match="message_type"):
        validate_message_type(value)


def test_message_ref_is_the_documented_campaign_ref():
    assert message_ref(MID.upper(), "MMS") == {"campaign_id": MID, "message_type": "mms"}


def test_selection_needs_ids_or_custom_string_and_validates_both():
    with pytest.raises(InvalidInputError, match="message_ids, custom_string"):
        validate_selection(None, None, "sms", "Op")
    with pytest.raises(InvalidInputError, match="custom_string"):
        validate_selection(None, "{{ params.campaign }}", "sms", "Op")
    with pytest.raises(InvalidInputError, match="custom_string"):
        validate_selection(None, "  ", "sms", "Op")
    assert validate_selection(MID, "promo", "MMS", "Op") == ([{"campaign_id": MID, "message_type": "mms"}], "promo", "mms")


def test_list_filters_use_cellcast_query_names_and_are_validated():
    assert list_filters("promo", "scheduled", "MMS", "2026-01-01", "2026-01-31") == {
        "campType": "mms",
        "customString": "promo",
        "status": "scheduled",
        "fromDate": "2026-01-01",
        "toDate": "2026-01-31",
    }
    assert list_filters(message_type=None) == {}
    with pytest.raises(InvalidInputError, match="date_from"):
        list_filters(date_from="{{ ds }}")


# -- status map -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "state"),
    [
        ("scheduled", CampaignState.ACTIVE),
        ("queued", CampaignState.ACTIVE),
        ("canceled", CampaignState.STOPPED),
        ("cancelled", CampaignState.STOPPED),
        ("sent", CampaignState.COMPLETED),
        ("delivered", CampaignState.COMPLETED),
        ("delievered", CampaignState.COMPLETED),
        ("received", CampaignState.COMPLETED),
        ("failed", CampaignState.FAILED),
        ("blocked", CampaignState.FAILED),
        ("rejected", CampaignState.FAILED),
        ("expired", CampaignState.FAILED),
        ("Delivered", CampaignState.COMPLETED),
        ("something-new", CampaignState.UNKNOWN),
    ],
)
def test_status_map(raw, state):
    assert cellcast.STATUS_MAP.normalize(raw) is state


# -- cancel ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["sms", "mms"])
def test_cancel_request_is_the_documented_post(kind):
    request = API.stop_request({"campaign_id": MID, "message_type": kind})
    assert (request.method, request.path) == ("POST", "/api/v1/gateway/cancelScheduleQuickMessage")
    assert request.json == {"messageId": MID, "type": kind}
    assert request.campaign_id == MID and request.authenticated


def test_cancel_success_reports_the_message_canceled():
    request = API.stop_request(message_ref(MID))
    status = request.interpret(reply(request, envelope(True, "Job Removed successfully", {"message": "Job Removed successfully"})))
    assert (status.campaign_id, status.state, status.vendor_status) == (MID, CampaignState.STOPPED, "canceled")


def test_cancel_http_200_message_not_found_asks_the_stop_flow_for_a_status_read():
    """Cellcast may say "message not found" for a job it already removed: the status read decides."""
    request = API.stop_request(message_ref(MID))
    with pytest.raises(StopRejectedError, match=MID) as error:
        request.interpret(reply(request, NOT_FOUND))
    assert "message not found" in str(error.value)


def test_cancel_http_200_other_refusal_is_a_stop_rejection_for_the_stop_flow():
    request = API.stop_request(message_ref(MID))
    with pytest.raises(StopRejectedError, match="already processed"):
        request.interpret(reply(request, ALREADY))


def test_cancel_cast_error_is_a_permanent_invalid_id_not_a_stop_rejection():
    request = API.stop_request(message_ref(MID))
    with pytest.raises(VendorRejectedError, match="CastError") as error:
        request.interpret(reply(request, CAST_ERROR))
    assert not isinstance(error.value, StopRejectedError)


@pytest.mark.parametrize("body", [{"message": "ok"}, {"status": "true"}, b"<html>oops</html>", b""])
def test_cancel_answer_without_a_status_boolean_is_unreadable(body):
    request = API.stop_request(message_ref(MID))
    with pytest.raises(ResponseFormatError):
        request.interpret(reply(request, body))


@pytest.mark.parametrize(
    ("status", "body", "cls", "text"),
    [
        (401, {"code": 401, "message": "Token expired", "stack": "APIError: Token expired ...."}, AuthenticationError, "Token expired"),
        (400, {"code": 400, "message": "messageId is required", "stack": "APIError"}, VendorRejectedError, "messageId is required"),
        (404, {"code": 404, "message": "Not found"}, CampaignNotFoundError, "Not found"),
    ],
)
def test_cancel_http_errors_use_the_shared_classification(status, body, cls, text):
    request = API.stop_request(message_ref(MID))
    with pytest.raises(cls, match=text):
        request.interpret(reply(request, body, status))


# -- status ---------------------------------------------------------------------------------
MESSAGE = {
    "_id": MID,
    "status": "delievered",
    "message": "Hello",
    "sender": "CELLCAST",
    "receiver": "+61410000000",
    "createdAt": "2026-01-01T00:00:00.000Z",
    "updatedAt": "2026-01-01T01:00:00.000Z",
    "send_time": None,
    "scheduleAt": "2026-01-01T00:30:00.000Z",
    "customString": "promo-1",
}


def test_status_request_reads_the_v2_report():
    request = API.status_request(message_ref(MID))
    assert (request.method, request.path, request.json) == ("GET", f"/api/v2/report/message/{MID}", None)


def test_status_answer_keeps_raw_status_timestamps_and_custom_string():
    request = API.status_request(message_ref(MID))
    status = request.interpret(reply(request, envelope(True, "Message details", MESSAGE)))
    assert status.state is CampaignState.COMPLETED and status.vendor_status == "delievered"
    assert status.timestamps == {
        "createdAt": "2026-01-01T00:00:00.000Z",
        "updatedAt": "2026-01-01T01:00:00.000Z",
        "scheduleAt": "2026-01-01T00:30:00.000Z",
    }
    assert status.name == "promo-1" and status.campaign_id == MID


def test_status_of_unknown_id_is_not_found_and_ill_formed_id_is_permanent():
    request = API.status_request(message_ref(MID))
    with pytest.raises(CampaignNotFoundError, match=MID):
        request.interpret(reply(request, NOT_FOUND))
    with pytest.raises(VendorRejectedError, match="CastError"):
        request.interpret(reply(request, CAST_ERROR))


def test_status_false_for_an_unknown_reason_is_retryable():
    request = API.status_request(message_ref(MID))
    with pytest.raises(ResponseFormatError, match="status false"):
        request.interpret(reply(request, envelope(False, "internal server error")))


def test_status_answer_without_data_or_status_is_unreadable():
    request = API.status_request(message_ref(MID))
    with pytest.raises(ResponseFormatError):
        request.interpret(reply(request, envelope(True, "ok", None)))
    with pytest.raises(ResponseFormatError):
        request.interpret(reply(request, envelope(True, "ok", {"_id": MID})))


# -- list -----------------------------------------------------------------------------------
def _item(number: int, status: str = "scheduled") -> dict[str, Any]:
    return {**MESSAGE, "_id": f"{number:024x}", "status": status}


def test_list_request_is_a_1_based_paged_get():
    request = API.list_request({"customString": "promo"}, 2)
    assert (request.method, request.path) == ("GET", "/api/v2/report/message")
    assert dict(request.params) == {"customString": "promo", "page": "2", "limit": "100"}


@pytest.mark.parametrize(
    ("paging", "expected"),
    [
        ({"hasNextPage": True, "nextPage": 2}, True),
        ({"hasNextPage": False, "nextPage": None}, False),
        ({"nextPage": 2}, True),
        ({"nextPage": None}, False),
        ({"totalPages": 3}, True),
        ({"totalPages": 1}, False),
        ({}, False),
    ],
)
@pytest.mark.parametrize("nested", [True, False])
def test_list_page_reads_items_and_paging_under_data_or_at_top_level(paging, expected, nested):
    page = {"items": [_item(1), _item(2, "SENT")], "total": 2, **paging}
    body = envelope(True, "Messages fetched successfully", page) if nested else {"status": True, **page}
    request = API.list_request({}, 1)
    items, last = request.interpret(reply(request, body))
    assert [s.campaign_id for s in items] == [f"{1:024x}", f"{2:024x}"]
    assert [s.state for s in items] == [CampaignState.ACTIVE, CampaignState.COMPLETED]
    assert last is not expected  # ``expected``: another page follows


def test_full_page_without_paging_keys_asks_for_the_next_and_empty_page_ends():
    request = API.list_request({}, 1, limit=2)
    assert request.interpret(reply(request, {"items": [_item(1), _item(2)]}))[1] is False  # not the last page
    assert request.interpret(reply(request, envelope(True, "ok", {"items": [], "hasNextPage": True})))[1] is True


def test_list_item_without_a_valid_id_is_unreadable():
    request = API.list_request({}, 1)
    with pytest.raises(ResponseFormatError, match="_id"):
        request.interpret(reply(request, {"items": [{"status": "scheduled", "_id": "nope"}]}))


# -- verify and build -----------------------------------------------------------------------
def test_verify_request_and_a_status_false_answer_is_an_authentication_error():
    request = API.verify_request()
    assert (request.method, request.path) == ("GET", "/api/v1/user/token/verify")
    assert request.interpret(reply(request, envelope(True, "Token is valid", {"valid": True}))) is None
    with pytest.raises(AuthenticationError, match="invalid token"):
        request.interpret(reply(request, envelope(False, "invalid token")))


def _settings(password: Any) -> tuple[Any, Any]:
    conn = SimpleNamespace(conn_id="cc", host="https://api.cellcast.test", port=None, schema=None, password=password, extra_dejson={})
    return conn, transport_settings(conn, "Cellcast", cellcast.DEFAULT_HOST)


def test_build_api_needs_the_api_key_and_takes_no_unknown_options():
    conn, settings = _settings(None)
    with pytest.raises(InvalidInputError, match="password"):
        build_api(conn, settings)
    conn, settings = _settings("k")
    with pytest.raises(InvalidInputError, match="no API options"):
        build_api(conn, settings, stream_id="x")
    api = build_api(conn, settings, status_map={"archived": "stopped"})
    assert api.auth.headers("k") == {"Authorization": "Bearer k"} and not api.auth.refreshable
    assert api.statuses.normalize("archived") is CampaignState.STOPPED
    assert api.label({"campaign_id": MID, "message_type": "sms"}) == MID


def test_errors_are_permanent_where_no_retry_helps():
    assert issubclass(CampaignNotFoundError, PermanentError) and issubclass(VendorRejectedError, PermanentError)
