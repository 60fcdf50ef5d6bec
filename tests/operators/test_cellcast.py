"""CellcastStopCampaignOperator: validation, per-id cancels, custom_string selection, batch report."""

from __future__ import annotations

import json
from typing import Any
from unittest.mock import MagicMock

import pytest
import responses

from airflow_provider_campaigns.exceptions import InvalidInputError, PermanentError
from airflow_provider_campaigns.operators.cellcast import CellcastStopCampaignOperator

BASE = "https://api.cellcast.test"
SECRET = "cc-op-secret-91c2e44b"
CANCEL = f"{BASE}/api/v1/gateway/cancelScheduleQuickMessage"
REPORT = f"{BASE}/api/v2/report/message"
IDS = [f"675161d8a0000000000000{n:02x}" for n in range(4)]


def envelope(status: bool, message: str, data: Any = None, error: Any = None) -> dict[str, Any]:
    return {"app_type": "web", "status": status, "message": message, "data": data or {}, "error": error or {}}


REMOVED = envelope(True, "Job Removed successfully", {"message": "Job Removed successfully"})
NOT_FOUND = envelope(False, "message not found", error={"error": "message not found"})


def message(message_id: str, status: str) -> dict[str, Any]:
    return {"_id": message_id, "status": status, "customString": "promo-7", "createdAt": "2026-01-01T00:00:00.000Z"}


@pytest.fixture(autouse=True)
def _conn(connection, fast_retry):
    connection("cellcast_default", "cellcast", host=BASE, password=SECRET, extra={**fast_retry})


@pytest.fixture
def mock():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def run(**kwargs: Any) -> tuple[dict[str, Any], MagicMock]:
    ti = MagicMock()
    op = CellcastStopCampaignOperator(task_id="stop", **kwargs)
    return op.execute({"ti": ti}), ti


def cancel_bodies(mock: responses.RequestsMock) -> list[dict[str, Any]]:
    return [json.loads(c.request.body) for c in mock.calls if c.request.method == "POST"]


def answer_by_id(answers: dict[str, dict[str, Any]]):
    def callback(request: Any) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body)
        return 200, {}, json.dumps(answers.get(body["messageId"], REMOVED))

    return callback


def test_one_id_returns_the_batch_dict(mock):
    mock.post(CANCEL, json=REMOVED)
    result, _ = run(message_ids=IDS[0].upper(), message_type="MMS")
    assert cancel_bodies(mock) == [{"messageId": IDS[0], "type": "mms"}]
    assert result["totals"] == {"requested": 1, "stopped": 1, "already_final": 0, "failed": 0}
    assert result["campaigns"][0]["campaign_id"] == IDS[0] and result["campaigns"][0]["outcome"] == "stopped"
    assert result["vendor"] == "Cellcast" and result["failed_ids"] == []
    assert SECRET not in json.dumps(result)


def test_every_id_is_attempted_and_the_task_fails_at_the_end_naming_the_failed_one(mock):
    mock.add_callback(responses.POST, CANCEL, callback=answer_by_id({IDS[2]: NOT_FOUND}))
    mock.get(f"{REPORT}/{IDS[2]}", json=NOT_FOUND)
    ti = MagicMock()
    op = CellcastStopCampaignOperator(task_id="stop", message_ids=IDS, max_concurrency=2)
    with pytest.raises(PermanentError, match=IDS[2]) as error:
        op.execute({"ti": ti})
    assert "1 of 4" in str(error.value)
    assert sorted(b["messageId"] for b in cancel_bodies(mock)) == sorted(IDS)
    ti.xcom_push.assert_called_once()
    pushed = ti.xcom_push.call_args.kwargs
    assert pushed["key"] == "stop_result"
    assert pushed["value"]["failed_ids"] == [IDS[2]]
    assert pushed["value"]["totals"] == {"requested": 4, "stopped": 3, "already_final": 0, "failed": 1}
    assert [c["campaign_id"] for c in pushed["value"]["campaigns"]] == IDS


def test_already_final_message_is_reported_after_a_status_read(mock):
    already = envelope(False, "Job not found or already processed", error={"error": "Job not found or already processed"})
    mock.add_callback(responses.POST, CANCEL, callback=answer_by_id({IDS[1]: already}))
    mock.get(f"{REPORT}/{IDS[1]}", json=envelope(True, "Message details", message(IDS[1], "delivered")))
    result, _ = run(message_ids=IDS[:2])
    assert [c["outcome"] for c in result["campaigns"]] == ["stopped", "already_final"]
    assert result["campaigns"][1]["vendor_status"] == "delivered"


def test_fail_if_already_final(mock):
    already = envelope(False, "Job not found or already processed")
    mock.post(CANCEL, json=already)
    mock.get(f"{REPORT}/{IDS[0]}", json=envelope(True, "Message details", message(IDS[0], "canceled")))
    with pytest.raises(PermanentError, match="fail_if_already_final"):
        run(message_ids=[IDS[0]], fail_if_already_final=True)


def test_custom_string_cancels_only_still_scheduled_messages_united_with_message_ids(mock):
    listed = [message(IDS[0], "scheduled"), message(IDS[1], "scheduled"), message(IDS[3], "sent")]
    mock.get(REPORT, json=envelope(True, "Messages fetched successfully", {"items": listed, "hasNextPage": False}))
    mock.post(CANCEL, json=REMOVED)
    result, _ = run(custom_string="promo-7", message_ids=[IDS[2], IDS[0].upper()])
    [listing] = [c for c in mock.calls if c.request.method == "GET"]
    assert listing.request.params == {"campType": "sms", "customString": "promo-7", "status": "scheduled", "page": "1", "limit": "100"}
    assert sorted(b["messageId"] for b in cancel_bodies(mock)) == sorted([IDS[0], IDS[1], IDS[2]])
    assert result["totals"]["requested"] == 3


def test_custom_string_that_selects_nothing_stops_nothing(mock):
    mock.get(REPORT, json=envelope(True, "ok", {"items": [], "total": 0, "hasNextPage": False}))
    result, _ = run(custom_string="promo-7")
    assert result["totals"]["requested"] == 0 and not cancel_bodies(mock)


def test_dry_run_sends_no_cancel(mock):
    mock.get(REPORT, json=envelope(True, "ok", {"items": [message(IDS[1], "scheduled")], "hasNextPage": False}))
    result, _ = run(message_ids=IDS[0], custom_string="promo-7", dry_run=True)
    assert result["dry_run"] is True and result["would_stop"] == [IDS[0], IDS[1]]
    assert not cancel_bodies(mock)


def test_request_timeout_reaches_every_request(mock):
    mock.post(CANCEL, json=REMOVED)
    run(message_ids=IDS[:2], request_timeout=[1.5, 7])
    assert [c.request.req_kwargs["timeout"] for c in mock.calls] == [(1.5, 7.0), (1.5, 7.0)]


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"message_ids": []}, "message_ids is empty"),
        ({"message_ids": None}, "message_ids, custom_string"),
        ({}, "message_ids, custom_string"),
        ({"message_ids": 675161}, "message_ids"),
        ({"message_ids": [IDS[0], IDS[1], IDS[2], None]}, r"message_ids\[3\]"),
        ({"message_ids": [IDS[0], 5]}, r"message_ids\[1\]"),
        ({"message_ids": [IDS[0], "  "]}, r"message_ids\[1\]"),
        ({"message_ids": [IDS[0] + " "]}, r"message_ids\[0\].*whitespace"),
        ({"message_ids": "675161d8a00000000000000/"}, "message_ids"),
        ({"message_ids": "675161d8a00000000000%2F0"}, "message_ids"),
        ({"message_ids": "{{ ti.xcom_pull('ids') }}"}, "unrendered"),
        ({"message_ids": IDS[0], "message_type": "rcs"}, "message_type"),
        ({"message_ids": IDS[0], "message_type": None}, "message_type"),
        ({"custom_string": "{{ params.campaign }}"}, "custom_string"),
        ({"custom_string": ""}, "custom_string"),
        ({"custom_string": "promo", "message_ids": [IDS[0], "zz"]}, r"message_ids\[1\]"),
    ],
)
def test_invalid_input_fails_before_anything_is_sent(mock, kwargs, parameter):
    with pytest.raises(InvalidInputError, match=parameter):
        run(**kwargs)
    assert len(mock.calls) == 0


def test_authentication_failure_never_leaks_the_key(mock, leak_check):
    mock.post(CANCEL, json={"code": 401, "message": "Token expired", "stack": "APIError: Token expired"}, status=401)
    ti = MagicMock()
    with pytest.raises(PermanentError, match="Token expired") as error:
        CellcastStopCampaignOperator(task_id="stop", message_ids=IDS[:2]).execute({"ti": ti})
    leak_check([SECRET], error.value, ti.xcom_push.call_args)


def test_templated_fields_and_class_defaults():
    assert set(CellcastStopCampaignOperator.template_fields) == {"message_ids", "message_type", "custom_string", "cellcast_conn_id"}
    op = CellcastStopCampaignOperator(task_id="stop", message_ids=IDS[0])
    assert op.cellcast_conn_id == "cellcast_default" and op.message_type == "sms" and op.single is False
