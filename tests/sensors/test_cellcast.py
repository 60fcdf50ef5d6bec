"""CellcastCampaignStatusSensor: per-message v2 status reads, custom_string listing, poke and deferral."""

from __future__ import annotations

import json
from typing import Any

import pytest
import responses
from airflow.providers.common.compat.sdk import AirflowFailException, TaskDeferred

from airflow_provider_campaigns.exceptions import CampaignNotFoundError, InvalidInputError
from airflow_provider_campaigns.sensors.cellcast import CellcastCampaignStatusSensor
from tests.vendor_accounts import CELLCAST_API_KEY, CELLCAST_HOST, cellcast_envelope

pytestmark = pytest.mark.usefixtures("cellcast_conn")

REPORT = f"{CELLCAST_HOST}/api/v2/report/message"
IDS = [f"675161d8a0000000000000{n:02x}" for n in range(3)]


def message(message_id: str, status: str) -> dict[str, Any]:
    return {"_id": message_id, "status": status, "customString": "promo-7", "updatedAt": "2026-01-01T00:00:00.000Z"}


def statuses(mocked: responses.RequestsMock, **by_id: str) -> None:
    for message_id, status in by_id.items():
        mocked.get(f"{REPORT}/{message_id}", json=cellcast_envelope(True, "Message details", message(message_id, status)))


def sensor(**kwargs: Any) -> CellcastCampaignStatusSensor:
    return CellcastCampaignStatusSensor(task_id="wait", poke_interval=5, timeout=60, **kwargs)


def test_done_when_every_message_is_final(mocked):
    statuses(mocked, **{IDS[0]: "canceled", IDS[1]: "delievered"})
    result = sensor(message_ids=[IDS[0], IDS[1].upper()]).poke({})
    assert result.is_done
    assert sorted(c.request.url for c in mocked.calls) == [f"{REPORT}/{IDS[0]}", f"{REPORT}/{IDS[1]}"]  # read concurrently
    assert [(e["campaign_id"], e["state"], e["outcome"]) for e in result.xcom_value["campaigns"]] == [
        (IDS[0], "stopped", "already_final"),
        (IDS[1], "completed", "already_final"),
    ]


def test_one_message_result_has_the_same_shape(mocked):
    statuses(mocked, **{IDS[0]: "sent"})
    result = sensor(message_ids=IDS[0]).poke({})
    (entry,) = result.xcom_value["campaigns"]
    assert result.is_done and entry["campaign_id"] == IDS[0] and entry["vendor_status"] == "sent" and entry["name"] == "promo-7"


def test_pending_while_one_message_is_still_scheduled(mocked):
    statuses(mocked, **{IDS[0]: "canceled", IDS[1]: "scheduled"})
    assert not sensor(message_ids=IDS[:2]).poke({}).is_done


def test_a_failed_message_fails_the_task(mocked):
    statuses(mocked, **{IDS[0]: "delivered", IDS[1]: "failed"})
    with pytest.raises(AirflowFailException, match=IDS[1]):
        sensor(message_ids=IDS[:2]).poke({})


def test_a_transient_read_error_is_one_more_poke(mocked):
    mocked.get(f"{REPORT}/{IDS[0]}", json={"code": 503, "message": "Service Unavailable"}, status=503)
    assert not sensor(message_ids=IDS[0]).poke({}).is_done


def test_unknown_message_fails_the_task(mocked):
    mocked.get(f"{REPORT}/{IDS[0]}", json=cellcast_envelope(False, "message not found", error={"error": "message not found"}))
    with pytest.raises(CampaignNotFoundError, match=IDS[0]):
        sensor(message_ids=IDS[0]).poke({})


def test_custom_string_watches_every_listed_message_of_any_status_plus_named_ids(mocked):
    listed = [message(IDS[0], "delivered"), message(IDS[1], "canceled")]
    mocked.get(REPORT, json=cellcast_envelope(True, "Messages fetched successfully", {"items": listed, "hasNextPage": False}))
    statuses(mocked, **{IDS[0]: "delivered", IDS[1]: "canceled", IDS[2]: "sent"})
    result = sensor(custom_string="promo-7", message_type="MMS", message_ids=[IDS[2], IDS[0]]).poke({})
    assert result.is_done
    listing = mocked.calls[0].request
    assert listing.params == {"campType": "mms", "customString": "promo-7", "page": "1", "limit": "100"}
    read = sorted(c.request.url for c in mocked.calls[1:])
    assert read == sorted(f"{REPORT}/{i}" for i in IDS)


def test_custom_string_that_lists_nothing_fails_clearly(mocked):
    mocked.get(REPORT, json=cellcast_envelope(True, "ok", {"items": [], "hasNextPage": False}))
    with pytest.raises(CampaignNotFoundError, match="promo-7"):
        sensor(custom_string="promo-7").poke({})


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({}, "message_ids, custom_string"),
        ({"message_ids": []}, "message_ids is empty"),
        ({"message_ids": [IDS[0], "nope"]}, r"message_ids\[1\]"),
        ({"message_ids": IDS[0], "message_type": "rcs"}, "message_type"),
        ({"custom_string": "{{ params.c }}"}, "custom_string"),
    ],
)
def test_invalid_input_fails_before_any_request(mocked, kwargs, text):
    with pytest.raises(InvalidInputError, match=text):
        sensor(**kwargs).poke({})
    assert len(mocked.calls) == 0


def test_deferrable_sensor_defers_with_a_trigger_free_of_secrets(mocked, leak_check, ti):
    statuses(mocked, **{IDS[0]: "scheduled", IDS[1]: "canceled"})
    with pytest.raises(TaskDeferred) as deferred:
        sensor(message_ids=IDS[:2], message_type="mms", deferrable=True, request_timeout=3).execute({"ti": ti})
    classpath, kwargs = deferred.value.trigger.serialize()
    assert classpath.endswith("CampaignStatusTrigger")
    (group,) = kwargs["groups"]
    assert group["vendor"] == "cellcast" and group["conn_id"] == "cellcast_default"
    assert group["refs"] == {"shared": {"type": "mms"}, "fields": ["id"], "rows": IDS[:2]}  # packed: see engine/wait_payload
    assert group["request_timeout"] == [3.0, 3.0] and group["options"] == {"status_map": None}
    assert CELLCAST_API_KEY not in json.dumps(kwargs, default=str)
    leak_check([CELLCAST_API_KEY], kwargs)


def test_deferrable_sensor_returns_at_once_when_already_final(mocked, ti):
    statuses(mocked, **{IDS[0]: "received"})
    result = sensor(message_ids=IDS[0], deferrable=True).execute({"ti": ti})
    assert result["campaigns"][0]["state"] == "completed"


def test_templated_fields():
    assert set(CellcastCampaignStatusSensor.template_fields) == {"message_ids", "custom_string", "message_type", "cellcast_conn_id"}
