"""Cellcast's contract in pure code: validators, selection, status map, request builders, answer parsers, flows."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from airflow_provider_campaigns import exceptions as errors
from airflow_provider_campaigns.core.flow import TransportFailure
from airflow_provider_campaigns.core.wire import ApiRequest, Reply
from airflow_provider_campaigns.protocol.flows import stop_flow
from airflow_provider_campaigns.registry import vendor_spec
from airflow_provider_campaigns.status import ALREADY_FINAL, STOPPED, CampaignState
from airflow_provider_campaigns.vendors import cellcast
from airflow_provider_campaigns.vendors.base import ApiOptions
from airflow_provider_campaigns.vendors.cellcast import (
    CellcastApi,
    CellcastMessage,
    list_filters,
    validate_message_id,
    validate_message_type,
)
from tests.conftest import fake_connection, vendor_reply
from tests.vendor_accounts import cellcast_envelope

VENDOR = "Cellcast"
MID = "675161d8a000000000000000"
OTHER = "675161d8a000000000000001"
API = CellcastApi("key-not-used-here")


def reply(request: ApiRequest[Any], body: Any, status: int = 200) -> Reply:
    return vendor_reply(VENDOR, request, status, body)


def conn(password: Any = "key") -> Any:
    return fake_connection("cellcast_default", password=password)


NOT_FOUND = cellcast_envelope(False, "message not found", error={"error": "message not found"})
CAST_ERROR = cellcast_envelope(False, "internal server error", error={"name": "CastError", "message": "Cast to ObjectId failed"})
ALREADY = cellcast_envelope(False, "Job not found or already processed", error={"error": "Job not found or already processed"})
CANCELLED = cellcast_envelope(True, "Job Removed successfully", {"message": "Job Removed successfully"})


# -- module and connection -------------------------------------------------------------------------
def test_module_contract_and_connect():
    assert (cellcast.VENDOR, cellcast.KEY, cellcast.DEFAULT_HOST) == ("Cellcast", "cellcast", "https://api.cellcast.com")
    settings, api = vendor_spec("cellcast").connect(conn())
    assert settings.base_url == "https://api.cellcast.com" and isinstance(api, CellcastApi)
    assert api.auth.headers("key") == {"Authorization": "Bearer key"} and api.auth.refreshable is False


def test_the_api_key_is_required_and_status_map_extends_the_defaults():
    with pytest.raises(errors.InvalidInputError, match=r"has no password \(the Cellcast API key\)"):
        vendor_spec("cellcast").connect(conn(None))
    _, api = vendor_spec("cellcast").connect(conn(), options=ApiOptions(status_map={"archived": "stopped"}))
    assert api.statuses.normalize("archived") is CampaignState.STOPPED and api.statuses.normalize("sent") is CampaignState.COMPLETED


# -- validation ----------------------------------------------------------------------------------------
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
    with pytest.raises(errors.InvalidInputError, match=r"message_ids\[3\]") as error:
        validate_message_id(value, "message_ids[3]")
    assert why in str(error.value)


@pytest.mark.parametrize(("value", "expected"), [("sms", "sms"), ("MMS", "mms"), (" Sms ", "sms")])
def test_message_type_is_sms_or_mms_case_insensitively(value, expected):
    assert validate_message_type(value) == expected


@pytest.mark.parametrize("value", ["rcs", "", None, 1, "{{ params.type }}"])
def test_other_message_types_are_rejected(value):
    with pytest.raises(errors.InvalidInputError, match="message_type"):
        validate_message_type(value)


def test_message_reference_label_and_round_trip():
    ref = cellcast.message(MID.upper(), "MMS")
    assert ref == CellcastMessage(MID, "mms") and ref.label == MID
    assert ref.as_dict() == {"id": MID, "type": "mms"}
    assert CellcastMessage.from_dict(ref.as_dict()) == ref
    assert CellcastMessage.from_dict({"id": MID}) == CellcastMessage(MID, "sms")
    with pytest.raises(errors.InvalidInputError):
        CellcastMessage.from_dict({"id": "nope"})


# -- selection -----------------------------------------------------------------------------------------
def test_selection_takes_one_id_or_a_list_deduplicated_in_order():
    assert cellcast.selection("Op", message_ids=MID).refs == (CellcastMessage(MID),)
    chosen = cellcast.selection("Op", message_ids=[OTHER, MID.upper(), OTHER, MID], message_type="MMS")
    assert chosen.refs == (CellcastMessage(OTHER, "mms"), CellcastMessage(MID, "mms"))
    assert (chosen.custom_string, chosen.all_active) == (None, False)
    assert cellcast.selection("Op", message_ids=(MID,)).refs == (CellcastMessage(MID),)


def test_selection_by_custom_string_lists_and_may_add_ids():
    chosen = cellcast.selection("Op", custom_string="promo-1", message_type="mms")
    assert (chosen.refs, chosen.custom_string, chosen.message_type, chosen.all_active) == ((), "promo-1", "mms", True)
    both = cellcast.selection("Op", message_ids=[MID], custom_string="promo-1")
    assert both.refs == (CellcastMessage(MID),) and both.all_active


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({}, "^Op: give message_ids, custom_string, or both"),
        ({"message_ids": []}, "message_ids is empty"),
        ({"message_ids": 5}, "message_ids must be a list of ids"),
        ({"message_ids": {MID}}, "message_ids must be a list of ids"),
        ({"message_ids": {"id": MID}}, "message_ids must be a list of ids"),
        ({"message_ids": [MID, MID, None]}, r"message_ids\[2\]"),
        ({"custom_string": "{{ params.campaign }}"}, "custom_string: .* unrendered Jinja"),
        ({"custom_string": "  "}, "custom_string must be a non-empty string"),
        ({"custom_string": 5}, "custom_string must be a non-empty string"),
        ({"custom_string": "x" * 501}, "custom_string is 501 characters long"),
        ({"message_ids": [MID], "message_type": "rcs"}, "message_type"),
    ],
)
def test_selection_rejects_bad_input_naming_the_parameter(params, match):
    with pytest.raises(errors.InvalidInputError, match=match):
        cellcast.selection("Op", **params)


def test_list_filters_use_cellcast_query_names_and_are_validated():
    assert list_filters("promo", "MMS", "2026-01-01", "2026-01-31", "queued") == {
        "campType": "mms",
        "customString": "promo",
        "fromDate": "2026-01-01",
        "toDate": "2026-01-31",
        "status": "queued",
    }
    assert list_filters(message_type=None) == {}
    assert list_filters() == {"campType": "sms"}
    with pytest.raises(errors.InvalidInputError, match="date_from"):
        list_filters(date_from="{{ ds }}")
    with pytest.raises(errors.InvalidInputError, match="status"):
        list_filters(status="")


# -- status map --------------------------------------------------------------------------------------
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


# -- cancel ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["sms", "mms"])
def test_cancel_request_is_the_documented_post(kind):
    request = API.stop_request(cellcast.message(MID, kind))
    assert (request.method, request.path) == ("POST", "/api/v1/gateway/cancelScheduleQuickMessage")
    assert request.json == {"messageId": MID, "type": kind}
    assert (request.campaign_id, request.action, request.authenticated) == (MID, "cancel", True)


def test_cancel_success_reports_the_message_canceled():
    request = API.stop_request(cellcast.message(MID))
    status = request.interpret(reply(request, CANCELLED))
    assert (status.campaign_id, status.state, status.vendor_status) == (MID, CampaignState.STOPPED, "canceled")


def test_cancel_http_200_message_not_found_asks_the_stop_flow_for_a_status_read():
    """Cellcast may say "message not found" for a job it already removed: the status read decides."""
    request = API.stop_request(cellcast.message(MID))
    with pytest.raises(errors.StopRejectedError, match=MID) as error:
        request.interpret(reply(request, NOT_FOUND))
    assert "message not found" in str(error.value) and "status false" in str(error.value)


def test_cancel_http_200_other_refusal_is_a_stop_rejection_for_the_stop_flow():
    request = API.stop_request(cellcast.message(MID))
    with pytest.raises(errors.StopRejectedError, match=r"refused the cancel of message .*already processed"):
        request.interpret(reply(request, ALREADY))


def test_cancel_cast_error_is_a_permanent_invalid_id_not_a_stop_rejection():
    request = API.stop_request(cellcast.message(MID))
    with pytest.raises(errors.VendorRejectedError, match="CastError") as error:
        request.interpret(reply(request, CAST_ERROR))
    assert not isinstance(error.value, errors.StopRejectedError)


@pytest.mark.parametrize("body", [{"message": "ok"}, {"status": "true"}, {"status": None}, b"<html>oops</html>", b"", b"[true]"])
def test_cancel_answer_without_a_status_boolean_is_unreadable(body):
    request = API.stop_request(cellcast.message(MID))
    with pytest.raises(errors.ResponseFormatError if isinstance(body, bytes) and not body.startswith(b"[") else errors.ContractError):
        request.interpret(reply(request, body))


@pytest.mark.parametrize(
    ("status", "body", "cls", "text"),
    [
        (
            401,
            {"code": 401, "message": "Token expired", "stack": "APIError: Token expired ...."},
            errors.AuthenticationError,
            "Token expired",
        ),
        (400, {"code": 400, "message": "messageId is required", "stack": "APIError"}, errors.VendorRejectedError, "messageId is required"),
        (404, {"code": 404, "message": "Not found"}, errors.CampaignNotFoundError, "Not found"),
    ],
)
def test_cancel_http_errors_use_the_shared_classification(status, body, cls, text):
    request = API.stop_request(cellcast.message(MID))
    with pytest.raises(cls, match=text):
        request.interpret(reply(request, body, status))


# -- status ------------------------------------------------------------------------------------------
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
    request = API.status_request(cellcast.message(MID))
    assert (request.method, request.path, request.json, request.action) == ("GET", f"/api/v2/report/message/{MID}", None, "status read")


def test_status_answer_keeps_raw_status_timestamps_and_custom_string_as_name():
    request = API.status_request(cellcast.message(MID))
    status = request.interpret(reply(request, cellcast_envelope(True, "Message details", MESSAGE)))
    assert status.state is CampaignState.COMPLETED and status.vendor_status == "delievered"
    assert status.timestamps == {
        "createdAt": "2026-01-01T00:00:00Z",
        "updatedAt": "2026-01-01T01:00:00Z",
        "scheduleAt": "2026-01-01T00:30:00Z",
    }
    assert status.name == "promo-1" and status.campaign_id == MID


def test_status_of_unknown_id_is_not_found_and_ill_formed_id_is_permanent():
    request = API.status_request(cellcast.message(MID))
    with pytest.raises(errors.CampaignNotFoundError, match=f"does not know message {MID}.*Check the id, that it belongs to this account"):
        request.interpret(reply(request, NOT_FOUND))
    with pytest.raises(errors.VendorRejectedError, match="CastError"):
        request.interpret(reply(request, CAST_ERROR))


def test_status_false_for_an_unknown_reason_is_retryable():
    request = API.status_request(cellcast.message(MID))
    with pytest.raises(errors.ResponseFormatError, match="status false"):
        request.interpret(reply(request, cellcast_envelope(False, "internal server error")))


def test_status_answer_without_data_or_status_is_unreadable():
    request = API.status_request(cellcast.message(MID))
    with pytest.raises(errors.ContractError, match="no 'data' object"):
        request.interpret(reply(request, {"status": True, "data": None}))
    with pytest.raises(errors.ContractError, match="no status for campaign"):
        request.interpret(reply(request, cellcast_envelope(True, "ok", {"_id": MID})))


# -- list --------------------------------------------------------------------------------------------
def item(number: int, status: str = "scheduled", custom: str = "promo-1") -> dict[str, Any]:
    return {**MESSAGE, "_id": f"{number:024x}", "status": status, "customString": custom}


def test_list_request_is_a_1_based_paged_get():
    request = API.list_request({"customString": "promo"}, 2)
    assert (request.method, request.path, request.action) == ("GET", "/api/v2/report/message", "message list")
    assert dict(request.params) == {"customString": "promo", "page": "2", "limit": "100"}


@pytest.mark.parametrize(
    ("paging", "page", "more"),
    [
        ({"hasNextPage": True, "nextPage": 2}, 1, True),
        ({"hasNextPage": False, "nextPage": None}, 1, False),
        ({"hasNextPage": False, "nextPage": 3, "totalPages": 9}, 2, False),  # hasNextPage wins
        ({"nextPage": 2}, 1, True),
        ({"nextPage": None}, 1, False),
        ({"nextPage": False, "totalPages": 5}, 1, False),  # nextPage wins over totalPages
        ({"totalPages": 3}, 1, True),
        ({"totalPages": 3}, 3, False),
        ({"totalPages": 1}, 1, False),
        ({"totalPages": 0}, 1, False),
        ({"hasNextPage": "yes", "totalPages": 2}, 1, True),  # not a boolean: the next signal decides
    ],
)
@pytest.mark.parametrize("nested", [True, False])
def test_list_page_reads_items_and_paging_under_data_or_at_top_level(paging, page, more, nested):
    content = {"items": [item(1), item(2, "SENT")], "total": 2, **paging}
    body = cellcast_envelope(True, "Messages fetched successfully", content) if nested else {"status": True, **content}
    request = API.list_request({}, page)
    result = request.interpret(reply(request, body))
    assert [s.campaign_id for s in result.items] == [f"{1:024x}", f"{2:024x}"]
    assert [s.state for s in result.items] == [CampaignState.ACTIVE, CampaignState.COMPLETED]
    assert [s.name for s in result.items] == ["promo-1", "promo-1"]
    assert result.more is more


@pytest.mark.parametrize(
    "body",
    [
        {"items": [item(1), item(2)]},
        {"items": [], "total": 0},
        cellcast_envelope(True, "ok", {"items": [item(1)], "total": 1}),
    ],
)
def test_a_page_without_any_paging_signal_cannot_be_shown_complete(body):
    request = API.list_request({}, 1)
    with pytest.raises(errors.ContractError, match=r"no paging signal \(hasNextPage, nextPage or totalPages\).*cannot be shown complete"):
        request.interpret(reply(request, body))


@pytest.mark.parametrize(
    ("items", "match"),
    [
        ([{"status": "scheduled", "_id": "nope"}], "valid '_id'"),
        ([{"status": "scheduled"}], "valid '_id'"),
        (["675161d8a000000000000000"], "not an object"),
        ([{"_id": MID}], "no status for campaign"),
    ],
)
def test_list_items_that_cannot_be_read_make_the_page_unreadable(items, match):
    request = API.list_request({}, 1)
    with pytest.raises(errors.ContractError, match=match):
        request.interpret(reply(request, {"items": items, "hasNextPage": False}))


def test_a_list_answered_with_status_false_is_classified():
    request = API.list_request({}, 1)
    with pytest.raises(errors.ResponseFormatError, match="status false"):
        request.interpret(reply(request, cellcast_envelope(False, "internal server error")))
    with pytest.raises(errors.ContractError, match="no 'items' list"):
        request.interpret(reply(request, {"status": True, "data": {"rows": []}}))


def test_list_flow_follows_the_paging_signals(script, budget):
    run = script(
        VENDOR,
        (200, cellcast_envelope(True, "ok", {"items": [item(1), item(2)], "hasNextPage": True, "nextPage": 2})),
        (200, cellcast_envelope(True, "ok", {"items": [item(3)], "hasNextPage": False, "nextPage": None})),
    )
    statuses = run.run(cellcast.list_flow(API, list_filters("promo-1"), budget))
    assert [s.campaign_id for s in statuses] == [f"{n:024x}" for n in (1, 2, 3)]
    assert [r.params["page"] for r in run.requests] == ["1", "2"]


def test_select_flow_lists_by_custom_string_without_a_status_filter_and_keeps_what_is_not_final(script, budget, caplog):
    items = [
        item(1, "scheduled"),
        item(2, "queued"),
        item(3, "sent"),
        item(4, "canceled"),
        item(5, "pending_review"),
        item(6, "delievered"),
        item(7, "failed"),
        item(8, "Scheduled"),
    ]
    run = script(VENDOR, (200, cellcast_envelope(True, "ok", {"items": items, "totalPages": 1})))
    with caplog.at_level(logging.WARNING):
        refs = run.run(cellcast.select_flow(API, cellcast.selection("Op", custom_string="promo-1", message_type="mms"), budget))
    assert refs == [CellcastMessage(f"{n:024x}", "mms") for n in (1, 2, 5, 8)]
    assert dict(run.requests[0].params) == {"campType": "mms", "customString": "promo-1", "page": "1", "limit": "100"}
    assert "pending_review" in caplog.text  # a status nobody documented is selected, and said so


def test_select_flow_of_message_ids_alone_lists_nothing(script, budget):
    run = script(VENDOR)
    assert run.run(cellcast.select_flow(API, cellcast.selection("Op", message_ids=[MID]), budget)) == []
    assert run.sent == []


# -- cancel, idempotently ---------------------------------------------------------------------------
def test_not_found_on_cancel_of_a_canceled_message_is_already_final(script, budget):
    run = script(VENDOR, (200, NOT_FOUND), (200, cellcast_envelope(True, "ok", {**MESSAGE, "status": "canceled"})))
    outcome = run.run(stop_flow(API, cellcast.message(MID), budget))
    assert (outcome.outcome, outcome.status.vendor_status) == (ALREADY_FINAL, "canceled")
    assert run.calls == ["POST /api/v1/gateway/cancelScheduleQuickMessage", f"GET /api/v2/report/message/{MID}"]


def test_not_found_on_cancel_and_on_the_status_read_is_an_unknown_message(script, budget):
    run = script(VENDOR, (200, NOT_FOUND), (200, NOT_FOUND))
    with pytest.raises(errors.CampaignNotFoundError, match=MID):
        run.run(stop_flow(API, cellcast.message(MID), budget))


def test_not_found_after_a_lost_cancel_answer_is_our_cancel(script, budget):
    run = script(
        VENDOR,
        TransportFailure("timeout", "read timed out"),
        (200, NOT_FOUND),
        (200, cellcast_envelope(True, "ok", {**MESSAGE, "status": "canceled"})),
    )
    assert run.run(stop_flow(API, cellcast.message(MID), budget)).outcome == STOPPED


def test_a_refused_cancel_of_a_message_still_queued_is_not_stoppable(script, budget):
    from airflow_provider_campaigns.exceptions import CampaignNotStoppableError

    run = script(VENDOR, (200, ALREADY), (200, cellcast_envelope(True, "ok", {**MESSAGE, "status": "queued"})))
    with pytest.raises(CampaignNotStoppableError, match="'queued' \\(active\\), not final"):
        run.run(stop_flow(API, cellcast.message(MID), budget))


def test_a_cancel_answer_without_a_status_boolean_is_checked_by_a_status_read(script, budget):
    run = script(VENDOR, (200, {"message": "ok"}), (200, cellcast_envelope(True, "ok", {**MESSAGE, "status": "canceled"})))
    outcome = run.run(stop_flow(API, cellcast.message(MID), budget))
    assert (outcome.outcome, len(run.sent)) == (STOPPED, 2)


# -- token check ----------------------------------------------------------------------------------------
def test_verify_request_and_a_status_false_answer_is_an_authentication_error():
    request = API.verify_request()
    assert (request.method, request.path, request.action) == ("GET", "/api/v1/user/token/verify", "token check")
    assert request.interpret(reply(request, cellcast_envelope(True, "Token is valid", {"valid": True}))) is None
    with pytest.raises(errors.AuthenticationError, match="invalid token"):
        request.interpret(reply(request, cellcast_envelope(False, "invalid token")))
    with pytest.raises(errors.AuthenticationError, match="Token expired"):
        request.interpret(reply(request, {"code": 401, "message": "Token expired"}, 401))


def test_errors_are_permanent_where_no_retry_helps():
    assert issubclass(errors.CampaignNotFoundError, errors.PermanentError) and issubclass(errors.VendorRejectedError, errors.PermanentError)
