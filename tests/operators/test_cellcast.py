"""CellcastStopCampaignOperator: validation, per-id cancels, custom_string selection, batch report."""

from __future__ import annotations

import json
from typing import Any

import pytest
import responses

from airflow_provider_campaigns.engine.results import RESULT_KEY
from airflow_provider_campaigns.exceptions import InvalidInputError, PermanentError
from airflow_provider_campaigns.operators.cellcast import CellcastStopCampaignOperator
from tests.vendor_accounts import CELLCAST_API_KEY, CELLCAST_HOST, cellcast_envelope

pytestmark = pytest.mark.usefixtures("cellcast_conn")

CANCEL = f"{CELLCAST_HOST}/api/v1/gateway/cancelScheduleQuickMessage"
REPORT = f"{CELLCAST_HOST}/api/v2/report/message"
IDS = [f"675161d8a0000000000000{n:02x}" for n in range(4)]


REMOVED = cellcast_envelope(True, "Job Removed successfully", {"message": "Job Removed successfully"})
NOT_FOUND = cellcast_envelope(False, "message not found", error={"error": "message not found"})


def message(message_id: str, status: str) -> dict[str, Any]:
    return {"_id": message_id, "status": status, "customString": "promo-7", "createdAt": "2026-01-01T00:00:00.000Z"}


@pytest.fixture(autouse=True)
def _ti(ti: Any) -> None:
    global TI
    TI = ti


TI: Any = None


def run(**kwargs: Any) -> dict[str, Any]:
    op = CellcastStopCampaignOperator(task_id="stop", **kwargs)
    return op.execute({"ti": TI})


def cancel_bodies(mocked: responses.RequestsMock) -> list[dict[str, Any]]:
    return [json.loads(c.request.body) for c in mocked.calls if c.request.method == "POST"]


def answer_by_id(answers: dict[str, dict[str, Any]]):
    def callback(request: Any) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body)
        return 200, {}, json.dumps(answers.get(body["messageId"], REMOVED))

    return callback


def test_one_id_returns_the_one_result_shape(mocked):
    mocked.post(CANCEL, json=REMOVED)
    result = run(message_ids=IDS[0].upper(), message_type="MMS")
    assert cancel_bodies(mocked) == [{"messageId": IDS[0], "type": "mms"}]
    assert result["totals"] == {"stopped": 1, "already_final": 0, "would_stop": 0, "failed": 0, "failed_targets": 0}
    (entry,) = result["campaigns"]
    assert (entry["vendor"], entry["campaign_id"], entry["outcome"], entry["ref"]) == (
        "cellcast",
        IDS[0],
        "stopped",
        {"type": "mms"},  # the id is the campaign_id; a type other than the default is kept
    )
    assert CELLCAST_API_KEY not in json.dumps(result)


def test_every_id_is_attempted_and_the_task_fails_at_the_end_naming_the_failed_one(mocked):
    mocked.add_callback(responses.POST, CANCEL, callback=answer_by_id({IDS[2]: NOT_FOUND}))
    mocked.get(f"{REPORT}/{IDS[2]}", json=NOT_FOUND)
    with pytest.raises(PermanentError, match=IDS[2]) as error:
        run(message_ids=IDS, max_concurrency=2)
    assert "1 of 4" in str(error.value)
    assert sorted(b["messageId"] for b in cancel_bodies(mocked)) == sorted(IDS)
    pushed = TI.xcoms[RESULT_KEY]
    assert [c["campaign_id"] for c in pushed["campaigns"] if c["outcome"] == "failed"] == [IDS[2]]
    assert pushed["totals"] == {"stopped": 3, "already_final": 0, "would_stop": 0, "failed": 1, "failed_targets": 0}
    assert [c["campaign_id"] for c in pushed["campaigns"]] == IDS


def test_already_final_message_is_reported_after_a_status_read(mocked):
    already = cellcast_envelope(False, "Job not found or already processed", error={"error": "Job not found or already processed"})
    mocked.add_callback(responses.POST, CANCEL, callback=answer_by_id({IDS[1]: already}))
    mocked.get(f"{REPORT}/{IDS[1]}", json=cellcast_envelope(True, "Message details", message(IDS[1], "delivered")))
    result = run(message_ids=IDS[:2])
    assert [c["outcome"] for c in result["campaigns"]] == ["stopped", "already_final"]
    assert result["campaigns"][1]["vendor_status"] == "delivered"


def test_fail_if_already_final(mocked):
    already = cellcast_envelope(False, "Job not found or already processed")
    mocked.post(CANCEL, json=already)
    mocked.get(f"{REPORT}/{IDS[0]}", json=cellcast_envelope(True, "Message details", message(IDS[0], "canceled")))
    with pytest.raises(PermanentError, match="fail_if_already_final"):
        run(message_ids=[IDS[0]], fail_if_already_final=True)


def test_custom_string_cancels_every_message_that_is_not_final_whatever_its_status_is_spelled(mocked):
    """The documented status filter has queued and no scheduled: nothing is selected by one spelling."""
    listed = [message(IDS[0], "scheduled"), message(IDS[1], "queued"), message(IDS[3], "sent")]
    mocked.get(REPORT, json=cellcast_envelope(True, "Messages fetched successfully", {"items": listed, "hasNextPage": False}))
    mocked.post(CANCEL, json=REMOVED)
    result = run(custom_string="promo-7", message_ids=[IDS[2], IDS[0].upper()])
    [listing] = [c for c in mocked.calls if c.request.method == "GET"]
    assert listing.request.params == {"campType": "sms", "customString": "promo-7", "page": "1", "limit": "100"}
    assert sorted(b["messageId"] for b in cancel_bodies(mocked)) == sorted([IDS[0], IDS[1], IDS[2]])
    assert result["totals"]["stopped"] == 3


def test_custom_string_attempts_a_message_in_an_unknown_status_instead_of_skipping_it(mocked):
    mocked.get(REPORT, json=cellcast_envelope(True, "ok", {"items": [message(IDS[0], "on_hold")], "hasNextPage": False}))
    mocked.post(CANCEL, json=REMOVED)
    result = run(custom_string="promo-7")
    assert [b["messageId"] for b in cancel_bodies(mocked)] == [IDS[0]] and result["totals"]["stopped"] == 1


def test_custom_string_pages_by_the_vendors_signals_not_by_a_short_page(mocked):
    first = cellcast_envelope(True, "ok", {"items": [message(IDS[0], "queued")], "hasNextPage": True, "nextPage": 2})
    second = cellcast_envelope(True, "ok", {"items": [message(IDS[1], "scheduled")], "hasNextPage": False, "nextPage": None})
    mocked.get(REPORT, json=first, match=[responses.matchers.query_param_matcher({"page": "1"}, strict_match=False)])
    mocked.get(REPORT, json=second, match=[responses.matchers.query_param_matcher({"page": "2"}, strict_match=False)])
    mocked.post(CANCEL, json=REMOVED)
    assert run(custom_string="promo-7")["totals"]["stopped"] == 2


def test_custom_string_that_selects_nothing_stops_nothing(mocked):
    mocked.get(REPORT, json=cellcast_envelope(True, "ok", {"items": [], "total": 0, "hasNextPage": False}))
    result = run(custom_string="promo-7")
    assert result["campaigns"] == [] and not cancel_bodies(mocked)


def test_dry_run_reads_and_sends_no_cancel(mocked):
    mocked.get(REPORT, json=cellcast_envelope(True, "ok", {"items": [message(IDS[1], "scheduled")], "hasNextPage": False}))
    mocked.get(f"{REPORT}/{IDS[0]}", json=cellcast_envelope(True, "Message details", message(IDS[0], "queued")))
    mocked.get(f"{REPORT}/{IDS[1]}", json=cellcast_envelope(True, "Message details", message(IDS[1], "scheduled")))
    result = run(message_ids=IDS[0], custom_string="promo-7", dry_run=True)
    assert result["dry_run"] is True
    assert [(c["campaign_id"], c["outcome"], c["vendor_status"], c["name"]) for c in result["campaigns"]] == [
        (IDS[0], "would_stop", "queued", "promo-7"),
        (IDS[1], "would_stop", "scheduled", "promo-7"),
    ]
    assert not cancel_bodies(mocked)


def test_request_timeout_reaches_every_request(mocked):
    mocked.post(CANCEL, json=REMOVED)
    run(message_ids=IDS[:2], request_timeout=[1.5, 7])
    assert [c.request.req_kwargs["timeout"] for c in mocked.calls] == [(1.5, 7.0), (1.5, 7.0)]


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
def test_invalid_input_fails_before_anything_is_sent(mocked, kwargs, parameter):
    with pytest.raises(InvalidInputError, match=parameter):
        run(**kwargs)
    assert len(mocked.calls) == 0


def test_authentication_failure_never_leaks_the_key(mocked, leak_check):
    mocked.post(CANCEL, json={"code": 401, "message": "Token expired", "stack": "APIError: Token expired"}, status=401)
    with pytest.raises(PermanentError, match="Token expired") as error:
        run(message_ids=IDS[:2])
    leak_check([CELLCAST_API_KEY], error.value, TI.xcoms)


def test_templated_fields_and_class_defaults():
    assert set(CellcastStopCampaignOperator.template_fields) == {"message_ids", "message_type", "custom_string", "cellcast_conn_id"}
    op = CellcastStopCampaignOperator(task_id="stop", message_ids=IDS[0])
    assert op.cellcast_conn_id == "cellcast_default" and op.message_type == "sms"
