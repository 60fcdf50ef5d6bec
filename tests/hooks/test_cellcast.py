"""CellcastHook over the sync transport, against recorded-shape answers (``responses``)."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
import responses

from airflow_provider_campaigns.exceptions import (
    AuthenticationError,
    CampaignNotFoundError,
    CampaignNotStoppableError,
    VendorRejectedError,
)
from airflow_provider_campaigns.hooks.cellcast import CellcastHook
from airflow_provider_campaigns.status import CampaignState
from tests.vendor_accounts import CELLCAST_API_KEY, CELLCAST_HOST, cellcast_envelope

MID = "675161d8a000000000000000"
CANCEL = f"{CELLCAST_HOST}/api/v1/gateway/cancelScheduleQuickMessage"
REPORT = f"{CELLCAST_HOST}/api/v2/report/message"
VERIFY = f"{CELLCAST_HOST}/api/v1/user/token/verify"


REMOVED = cellcast_envelope(True, "Job Removed successfully", {"message": "Job Removed successfully"})
NOT_FOUND = cellcast_envelope(False, "message not found", error={"error": "message not found"})
ALREADY = cellcast_envelope(False, "Job not found or already processed", error={"error": "Job not found or already processed"})
EXPIRED = {"code": 401, "message": "Token expired", "stack": "APIError: Token expired ...."}


def message(status: str, message_id: str = MID, **extra: Any) -> dict[str, Any]:
    return {"_id": message_id, "status": status, "createdAt": "2026-01-01T00:00:00.000Z", "customString": "promo", **extra}


@pytest.fixture
def hook(cellcast_conn):
    return CellcastHook()


def test_hook_identity_matches_the_connection_form():
    from airflow_provider_campaigns.connection_forms import forms

    FORMS = forms()

    assert CellcastHook.conn_name_attr == "cellcast_conn_id" and CellcastHook.default_conn_name == "cellcast_default"
    assert CellcastHook.conn_type == "cellcast"
    assert CellcastHook.hook_name == FORMS["cellcast"].hook_name
    assert FORMS["cellcast"].hook_class == f"{CellcastHook.__module__}.{CellcastHook.__qualname__}"
    assert CellcastHook.get_ui_field_behaviour()["relabeling"]["password"] == "API key"


@pytest.mark.parametrize("kind", ["sms", "mms"])
def test_cancel_sends_the_documented_request(hook, mocked, kind):
    mocked.post(CANCEL, json=REMOVED)
    outcome = hook.cancel_message(MID.upper(), message_type=kind.upper())
    assert outcome.outcome == "stopped" and outcome.status.state is CampaignState.STOPPED
    [call] = mocked.calls
    assert call.request.method == "POST" and call.request.url == CANCEL
    assert call.request.headers["Authorization"] == f"Bearer {CELLCAST_API_KEY}"
    assert call.request.headers["Content-Type"] == "application/json"
    assert call.request.headers["Accept"] == "application/json"
    assert json.loads(call.request.body) == {"messageId": MID, "type": kind}
    assert call.request.req_kwargs["timeout"] == (5.0, 15.0)


def test_get_message_reads_the_v2_report(hook, mocked):
    mocked.get(
        f"{REPORT}/{MID}", json=cellcast_envelope(True, "Message details", message("delivered", scheduleAt="2026-01-01T00:30:00.000Z"))
    )
    status = hook.get_message(MID)
    assert mocked.calls[0].request.url == f"{REPORT}/{MID}"
    assert status.state is CampaignState.COMPLETED and status.vendor_status == "delivered"
    assert status.timestamps["scheduleAt"] == "2026-01-01T00:30:00Z"


def test_list_messages_pages_with_the_filters_until_the_last_page(hook, mocked):
    page1 = {
        "items": [message("scheduled", f"{n:024x}") for n in range(1, 3)],
        "total": 3,
        "totalPages": 2,
        "hasNextPage": True,
        "nextPage": 2,
    }
    page2 = {"items": [message("scheduled", f"{3:024x}"), message("scheduled", f"{2:024x}")], "hasNextPage": False, "nextPage": None}
    mocked.get(
        REPORT,
        json=cellcast_envelope(True, "Messages fetched successfully", page1),
        match=[responses.matchers.query_param_matcher({"page": "1"}, strict_match=False)],
    )
    mocked.get(REPORT, json={"status": True, **page2}, match=[responses.matchers.query_param_matcher({"page": "2"}, strict_match=False)])
    listed = hook.list_messages(custom_string="promo", status="scheduled", message_type="mms", date_from="2026-01-01", date_to="2026-01-31")
    assert [s.campaign_id for s in listed] == [f"{n:024x}" for n in (1, 2, 3)]
    assert len(mocked.calls) == 2
    for number, call in enumerate(mocked.calls, start=1):
        assert call.request.params == {
            "campType": "mms",
            "customString": "promo",
            "status": "scheduled",
            "fromDate": "2026-01-01",
            "toDate": "2026-01-31",
            "page": str(number),
            "limit": "100",
        }


def test_list_messages_is_bounded_in_pages(hook, mocked):
    from airflow_provider_campaigns.exceptions import PermanentError
    from airflow_provider_campaigns.vendors.cellcast import list_flow

    pages = iter(range(1, 100))

    def endless(request):
        item = message("scheduled", f"{next(pages):024x}")
        return 200, {}, json.dumps({"status": True, "items": [item], "hasNextPage": True})

    mocked.add_callback(responses.GET, REPORT, callback=endless)
    with pytest.raises(PermanentError, match="more than 3 pages"):
        hook.run(list_flow(hook.cellcast_api, {}, hook.budget(), max_pages=3))
    assert len(mocked.calls) == 3


def test_test_connection_uses_token_verify(hook, mocked):
    mocked.get(VERIFY, json=cellcast_envelope(True, "Token is valid", {"valid": True}))
    assert hook.test_connection() == (True, "Cellcast accepted the credentials of connection 'cellcast_default'.")
    assert mocked.calls[0].request.headers["Authorization"] == f"Bearer {CELLCAST_API_KEY}"


@pytest.mark.parametrize(
    ("status", "body", "text"), [(401, EXPIRED, "Token expired"), (200, cellcast_envelope(False, "invalid token"), "invalid token")]
)
def test_test_connection_fails_with_the_vendor_message_and_without_the_key(hook, mocked, leak_check, status, body, text):
    mocked.get(VERIFY, json=body, status=status)
    ok, text_out = hook.test_connection()
    assert not ok and text in text_out and CELLCAST_API_KEY not in text_out
    assert len(mocked.calls) == 1
    leak_check([CELLCAST_API_KEY], text_out)


def test_unknown_message_fails_naming_the_id_after_the_status_read_confirms_it(hook, mocked):
    mocked.post(CANCEL, json=NOT_FOUND)
    mocked.get(f"{REPORT}/{MID}", json=NOT_FOUND)
    with pytest.raises(CampaignNotFoundError, match=MID):
        hook.cancel_message(MID)
    assert [c.request.method for c in mocked.calls] == ["POST", "GET"]


@pytest.mark.parametrize("final", ["canceled", "sent"])
def test_message_not_found_on_cancel_of_an_already_processed_message_is_already_final(hook, mocked, final):
    """Undocumented: Cellcast may answer "message not found" for a job it already removed."""
    mocked.post(CANCEL, json=NOT_FOUND)
    mocked.get(f"{REPORT}/{MID}", json=cellcast_envelope(True, "Message details", message(final)))
    assert hook.cancel_message(MID).outcome == "already_final"


@pytest.mark.parametrize("final", ["sent", "delivered", "canceled", "failed"])
def test_cancel_of_a_final_message_is_already_final_after_a_status_read(hook, mocked, final):
    mocked.post(CANCEL, json=ALREADY)
    mocked.get(f"{REPORT}/{MID}", json=cellcast_envelope(True, "Message details", message(final)))
    outcome = hook.cancel_message(MID)
    assert outcome.outcome == "already_final" and outcome.status.vendor_status == final
    assert [c.request.method for c in mocked.calls] == ["POST", "GET"]


def test_cancel_refused_while_not_final_fails_clearly(hook, mocked):
    mocked.post(CANCEL, json=ALREADY)
    mocked.get(f"{REPORT}/{MID}", json=cellcast_envelope(True, "Message details", message("queued")))
    with pytest.raises(CampaignNotStoppableError, match="'queued'") as error:
        hook.cancel_message(MID)
    assert MID in str(error.value) and "already processed" in str(error.value)


def test_fail_if_already_final_turns_already_final_into_a_failure(hook, mocked):
    mocked.post(CANCEL, json=ALREADY)
    mocked.get(f"{REPORT}/{MID}", json=cellcast_envelope(True, "Message details", message("delivered")))
    with pytest.raises(CampaignNotStoppableError, match="fail_if_already_final"):
        hook.cancel_message(MID, fail_if_already_final=True)


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (400, {"code": 400, "message": "messageId is required", "stack": "APIError"}, VendorRejectedError),
        (401, EXPIRED, AuthenticationError),
        (404, {"code": 404, "message": "Not found"}, CampaignNotFoundError),
    ],
)
def test_client_errors_are_not_retried(hook, mocked, status, body, cls):
    mocked.post(CANCEL, json=body, status=status)
    with pytest.raises(cls, match=body["message"]):
        hook.cancel_message(MID)
    assert len(mocked.calls) == 1


def test_timeouts_come_from_the_connection_or_the_caller(connection, fast_retry, mocked):
    connection("cellcast_default", "cellcast", host=CELLCAST_HOST, password=CELLCAST_API_KEY, extra={**fast_retry, "timeout": [2, 9]})
    mocked.get(f"{REPORT}/{MID}", json=cellcast_envelope(True, "ok", message("sent")))
    CellcastHook().get_message(MID)
    CellcastHook(request_timeout=4).get_message(MID)
    assert [c.request.req_kwargs["timeout"] for c in mocked.calls] == [(2.0, 9.0), (4.0, 4.0)]


def test_invalid_input_is_rejected_before_any_request(hook, mocked):
    from airflow_provider_campaigns.exceptions import InvalidInputError

    with pytest.raises(InvalidInputError, match="message_id"):
        hook.cancel_message("675161d8a00000000000000/")
    with pytest.raises(InvalidInputError, match="message_type"):
        hook.cancel_message(MID, message_type="rcs")
    with pytest.raises(InvalidInputError, match="custom_string"):
        hook.list_messages(custom_string="{{ params.c }}")
    assert len(mocked.calls) == 0


def test_the_api_key_never_reaches_logs_or_errors(hook, mocked, leak_check, caplog):
    caplog.set_level(logging.DEBUG)
    mocked.post(CANCEL, json=EXPIRED, status=401)
    mocked.get(f"{REPORT}/{MID}", json={"code": 503, "message": "down"}, status=503)
    errors = []
    for action in (lambda: hook.cancel_message(MID), lambda: hook.get_message(MID)):
        with pytest.raises(Exception) as error:
            action()
        errors.append(error.value)
    assert "Token expired" in str(errors[0])
    leak_check([CELLCAST_API_KEY], *errors, *(repr(e) for e in errors))
