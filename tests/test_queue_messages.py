"""Queue messages that fire the kill switch: signed, fresh, acted on once; anything else stops nothing."""

from __future__ import annotations

import json
from typing import Any

import pendulum
import pytest

from airflow_provider_campaigns.queue_messages import (
    SEEN_VARIABLE,
    RejectedMessageError,
    accept,
    event_payloads,
    make_message,
    message_text,
    sign,
    verify,
)

KEY = "k3y-shared-with-the-alerting-system"
NOW = pendulum.datetime(2026, 12, 7, 5, 0, 0, tz="UTC")
CONF = {"bsg": {"campaign_ids": [1001]}, "kore": {"all_active": True, "name_contains": "black friday"}}


class Store:
    def __init__(self) -> None:
        self.data: dict[str, Any] = {}

    def load(self, key: str) -> dict[str, Any] | None:
        return self.data.get(key)

    def save(self, key: str, value: dict[str, Any]) -> None:
        self.data[key] = json.loads(json.dumps(value))


def message(conf: Any = CONF, key: str = KEY, idem: str = "alert-1", sent_at: pendulum.DateTime = NOW) -> str:
    return make_message(conf, key, idem, sent_at)


def test_a_signed_fresh_message_names_the_rest_conf():
    alert = verify(message(), [KEY], NOW.add(seconds=3))
    assert alert.idempotency_key == "alert-1" and alert.conf == CONF and alert.sent_at == NOW


def test_the_signature_is_hmac_sha256_of_the_body_text():
    import hashlib
    import hmac

    body = '{"idempotency_key": "a", "sent_at": "2026-12-07T05:00:00Z", "conf": {"bsg": {"all_active": true}}}'
    assert sign(body, KEY) == "sha256=" + hmac.new(KEY.encode(), body.encode(), hashlib.sha256).hexdigest()
    text = json.dumps({"body": body, "signature": sign(body, KEY)})
    assert verify(text, [KEY], NOW).conf == {"bsg": {"all_active": True}}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("stop everything!", "not JSON"),
        (json.dumps({"bsg": {"campaign_ids": [1]}}), "must be {'body'"),
        (message(key="someone-else's-key"), "signature does not verify"),
        (json.dumps({"body": json.loads(message())["body"].replace("1001", "1002"), "signature": sign("x", KEY)}), "signature"),
        (message(sent_at=NOW.subtract(minutes=16)), "more than 900 s: stale or replayed"),
        (message(sent_at=NOW.add(minutes=5)), "in the future"),
        (message(conf={}), "conf must name what to stop"),
        (message(idem=" "), "idempotency_key must be non-empty"),
        (json.dumps({"body": "[1]", "signature": sign("[1]", KEY)}), "must be a JSON object"),
    ],
)
def test_malformed_unauthorised_or_stale_messages_are_rejected(text, reason):
    with pytest.raises(RejectedMessageError, match=reason.replace("(", r"\(").replace("{", r"\{")):
        verify(text, [KEY], NOW)


def test_no_configured_key_rejects_everything():
    with pytest.raises(RejectedMessageError, match="no signing key is configured"):
        verify(message(), [""], NOW)


def test_a_previous_key_verifies_while_keys_rotate():
    assert verify(message(key="old"), [KEY, "old"], NOW).idempotency_key == "alert-1"


def test_the_message_text_is_read_from_each_back_ends_payload():
    text = message()
    assert message_text({"type": "message", "channel": "c", "data": text}) == text  # Redis pub/sub
    assert message_text({"Body": text, "MessageId": "1"}) == text  # SQS
    assert message_text(text.encode()) == text
    assert json.loads(message_text(json.loads(text))) == json.loads(text)
    with pytest.raises(RejectedMessageError, match="no message text"):
        message_text({"pattern": None})


def test_every_message_of_every_triggering_event_is_read():
    class Event:
        def __init__(self, payload: Any) -> None:
            self.extra = {"from_trigger": True, "payload": payload}

    sqs = {"status": "success", "message_batch": [{"Body": "a", "MessageId": "1"}, {"Body": "b", "MessageId": "2"}]}
    context = {"triggering_asset_events": {"asset": [Event({"type": "message", "data": "r"}), Event(sqs)]}}
    assert [message_text(p) for p in event_payloads(context)] == ["r", "a", "b"]


def test_a_message_delivered_twice_is_accepted_once():
    store = Store()
    first = accept([{"data": message()}], [KEY], "run-1", store, NOW)
    again = accept([{"data": message()}], [KEY], "run-2", store, NOW.add(seconds=2))
    assert first.targets == CONF and first.accepted == ["alert-1"]
    assert again.targets == {} and again.accepted == [] and again.duplicates == {"alert-1": "run-1"}
    assert accept([{"data": message()}], [KEY], "run-1", store, NOW).accepted == ["alert-1"], "a retry of the same run is not a duplicate"


def test_a_message_delivered_twice_into_one_run_is_acted_on_once():
    outcome = accept([{"data": message()}, {"data": message()}], [KEY], "run-1", Store(), NOW)
    assert outcome.targets == CONF and outcome.accepted == ["alert-1"] and outcome.duplicates == {"alert-1": "run-1"}


def test_seen_keys_are_forgotten_after_twice_the_max_age():
    store = Store()
    accept([message(idem="old")], [KEY], "run-1", store, NOW)
    later = NOW.add(seconds=1801)
    accept([message(idem="new", sent_at=later)], [KEY], "run-2", store, later)
    assert set(store.data[SEEN_VARIABLE]) == {"new"}


def test_a_rejected_message_in_a_batch_stops_nothing_and_claims_nothing():
    store = Store()
    outcome = accept([message(idem="good"), message(key="forged", idem="evil")], [KEY], "run-1", store, NOW)
    assert outcome.targets == {} and outcome.accepted == [] and len(outcome.rejected) == 1
    assert SEEN_VARIABLE not in store.data, "the genuine message can be sent again"


def test_two_alerts_in_one_run_stop_both():
    store = Store()
    other = {"bsg": {"campaign_ids": [7]}, "comm": {"campaign_sends": ["c/s"]}}
    outcome = accept([message(), message(conf=other, idem="alert-2")], [KEY], "run-1", store, NOW)
    assert outcome.targets == {
        "bsg": [{"campaign_ids": [1001]}, {"campaign_ids": [7]}],
        "kore": CONF["kore"],
        "comm": {"campaign_sends": ["c/s"]},
    }


def test_a_rejection_never_shows_the_key_or_the_signature():
    forged = message(key="forged")
    with pytest.raises(RejectedMessageError) as error:
        verify(forged, [KEY], NOW)
    assert KEY not in str(error.value) and json.loads(forged)["signature"] not in str(error.value)
