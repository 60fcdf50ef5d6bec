"""Kill-switch messages from a queue (Airflow 3 event-driven scheduling): signed, fresh, acted on once.

An alerting system publishes one message per alert. Its text is JSON::

    {"body": "<JSON text of the alert>", "signature": "sha256=<hex HMAC-SHA256 of the body text>"}

and the alert (the body, decoded) names what to stop in the same shape as the kill switch's REST
conf, with an idempotency key and the time it was sent::

    {"idempotency_key": "alert-4711", "sent_at": "2026-12-07T05:00:00Z",
     "conf": {"bsg": {"campaign_ids": [1001]}, "kore": {"all_active": true}}}

The signature is an HMAC-SHA256 over the exact body text, with a key shared between the alerting
system and Airflow (the password of an Airflow connection; ``extra.previous_keys`` accepts older
keys while a key is rotated). A message is **rejected** — nothing is stopped, the task fails
naming why — when it is not that JSON, its signature does not verify with any key, it was sent
more than ``max_age`` seconds ago (or ``max_skew`` seconds in the future), or its conf is not a
mapping. A message whose idempotency key an earlier run already claimed is a **duplicate**: it
stops nothing (at-least-once queues deliver twice; a publisher may re-send until it sees a run).
Keys are remembered in an Airflow Variable for twice ``max_age`` (older messages are rejected
as stale anyway).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pendulum

from airflow_provider_campaigns.exceptions import InvalidInputError

log = logging.getLogger(__name__)

SIGNATURE_PREFIX = "sha256="
#: the Variable that remembers claimed idempotency keys
SEEN_VARIABLE = "campaigns_kill_switch_queue_seen"
DEFAULT_MAX_AGE = 900.0
DEFAULT_MAX_SKEW = 60.0
#: payload keys under which queue back-ends carry the message text (Redis ``data``, SQS ``Body``, ...)
PAYLOAD_TEXT_KEYS = ("data", "Body", "body", "value", "message")
MAX_KEY_LENGTH = 200


class RejectedMessageError(InvalidInputError):
    """A queue message that must stop nothing: malformed, unsigned or wrongly signed, stale, or naming no conf."""


@dataclass(frozen=True)
class Alert:
    """A verified alert: its idempotency key, when it was sent, and the conf (what to stop)."""

    idempotency_key: str
    sent_at: pendulum.DateTime
    conf: dict[str, Any]


def sign(body: str, key: str) -> str:
    """The signature of a body text: ``sha256=`` and the hex HMAC-SHA256 of its UTF-8 bytes with ``key``."""
    return SIGNATURE_PREFIX + hmac.new(key.encode(), body.encode(), hashlib.sha256).hexdigest()


def make_message(conf: Mapping[str, Any], key: str, idempotency_key: str, sent_at: pendulum.DateTime | None = None) -> str:
    """A signed message text for a publisher written in Python (others follow the module docstring)."""
    body = json.dumps(
        {"idempotency_key": idempotency_key, "sent_at": (sent_at or pendulum.now("UTC")).to_iso8601_string(), "conf": dict(conf)}
    )
    return json.dumps({"body": body, "signature": sign(body, key)})


def message_text(payload: Any) -> str:
    """The message text of an asset event's payload (the back-end's message, or the text itself)."""
    if isinstance(payload, Mapping):
        if "body" in payload and "signature" in payload:
            return json.dumps(dict(payload))
        for key in PAYLOAD_TEXT_KEYS:
            if key in payload:
                return message_text(payload[key])
        raise RejectedMessageError(f"the queue event carries no message text (payload keys: {sorted(payload)[:10]}).")
    if isinstance(payload, bytes):
        return payload.decode("utf-8", errors="replace")
    if isinstance(payload, str):
        return payload
    raise RejectedMessageError(f"the queue event carries no message text (payload {type(payload).__name__}).")


def _excerpt(text: str) -> str:
    return repr(text[:120]) + ("..." if len(text) > 120 else "")


def verify(
    text: str, keys: Sequence[str], now: pendulum.DateTime, max_age: float = DEFAULT_MAX_AGE, max_skew: float = DEFAULT_MAX_SKEW
) -> Alert:
    """The alert of a message text, or :class:`RejectedMessageError` saying why it must stop nothing."""
    if not any(keys):
        raise RejectedMessageError("no signing key is configured: every message is rejected (set the signing connection's password).")
    try:
        envelope = json.loads(text)
    except ValueError:
        raise RejectedMessageError(f"the message is not JSON: {_excerpt(text)}.") from None
    if not isinstance(envelope, Mapping) or not isinstance(envelope.get("body"), str) or not isinstance(envelope.get("signature"), str):
        raise RejectedMessageError(f"the message must be {{'body': '<JSON text>', 'signature': 'sha256=<hex>'}}, not {_excerpt(text)}.")
    body, signature = envelope["body"], envelope["signature"]
    if not any(hmac.compare_digest(sign(body, key), signature) for key in keys if key):
        raise RejectedMessageError(
            f"the signature does not verify (HMAC-SHA256 of the body with the signing key): body {_excerpt(body)}. "
            "The sender must sign with the key of the signing connection."
        )
    try:
        alert = json.loads(body)
    except ValueError:
        raise RejectedMessageError(f"the body is not JSON: {_excerpt(body)}.") from None
    if not isinstance(alert, Mapping):
        raise RejectedMessageError(f"the body must be a JSON object, not {_excerpt(body)}.")
    key = alert.get("idempotency_key")
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise RejectedMessageError(f"idempotency_key must be non-empty text of at most {MAX_KEY_LENGTH} characters, not {key!r:.80}.")
    try:
        sent_at = pendulum.parse(str(alert.get("sent_at")))
    except (ValueError, TypeError, pendulum.parsing.exceptions.ParserError):
        raise RejectedMessageError(f"message {key!r}: sent_at must be an ISO-8601 time, not {alert.get('sent_at')!r:.60}.") from None
    if not isinstance(sent_at, pendulum.DateTime):
        raise RejectedMessageError(f"message {key!r}: sent_at must be a date and time, not {alert.get('sent_at')!r:.60}.")
    age = (now - sent_at).total_seconds()
    if age > max_age:
        raise RejectedMessageError(f"message {key!r} was sent {age:.0f} s ago, more than {max_age:.0f} s: stale or replayed.")
    if age < -max_skew:
        raise RejectedMessageError(f"message {key!r} is dated {-age:.0f} s in the future (clock skew over {max_skew:.0f} s).")
    conf = alert.get("conf")
    if not isinstance(conf, Mapping) or not conf:
        raise RejectedMessageError(f"message {key!r}: conf must name what to stop per vendor ({{'bsg': {{...}}, ...}}), not {conf!r:.80}.")
    return Alert(key.strip(), sent_at, dict(conf))


class SeenStore(Protocol):
    """Where claimed idempotency keys are kept (an Airflow Variable; a dict in tests)."""

    def load(self, key: str) -> dict[str, Any] | None:
        """The saved record, or ``None``."""
        ...

    def save(self, key: str, value: dict[str, Any]) -> None:
        """Save (replace) the record."""
        ...


def claim(alert: Alert, run_id: str, store: SeenStore, now: pendulum.DateTime, keep_for: float) -> str | None:
    """Record the alert's key for this run; returns the run that claimed it before (a duplicate), or ``None``.

    Claims must not run concurrently (the example DAG's claiming task has ``max_active_tis_per_dag=1``).
    """
    seen = store.load(SEEN_VARIABLE) or {}
    earlier = seen.get(alert.idempotency_key)
    if isinstance(earlier, Mapping) and earlier.get("run_id") != run_id:
        return str(earlier.get("run_id"))
    cutoff = now.subtract(seconds=keep_for)
    kept = {k: v for k, v in seen.items() if isinstance(v, Mapping) and _after(v.get("at"), cutoff)}
    kept[alert.idempotency_key] = {"run_id": run_id, "at": now.to_iso8601_string()}
    store.save(SEEN_VARIABLE, kept)
    return None


def _after(value: Any, cutoff: pendulum.DateTime) -> bool:
    try:
        parsed = pendulum.parse(str(value))
    except (ValueError, TypeError, pendulum.parsing.exceptions.ParserError):
        return False
    return isinstance(parsed, pendulum.DateTime) and parsed > cutoff


def merged_targets(alerts: Iterable[Alert]) -> dict[str, Any]:
    """The kill switch's targets of one or more alerts (a vendor named twice gets a list of its targets)."""
    targets: dict[str, list[Any]] = {}
    for alert in alerts:
        for vendor, target in alert.conf.items():
            if target in (None, {}, []):
                continue
            targets.setdefault(vendor, []).extend(target if isinstance(target, list) else [target])
    return {vendor: items[0] if len(items) == 1 else items for vendor, items in targets.items()}


@dataclass
class Accepted:
    """What one run's messages came to: the targets to stop, and the keys accepted, duplicated and rejected."""

    targets: dict[str, Any]
    accepted: list[str]
    duplicates: dict[str, str]
    rejected: list[str]


def accept(
    payloads: Sequence[Any],
    keys: Sequence[str],
    run_id: str,
    store: SeenStore,
    now: pendulum.DateTime,
    max_age: float = DEFAULT_MAX_AGE,
    max_skew: float = DEFAULT_MAX_SKEW,
) -> Accepted:
    """Verify every message of a run, then claim the fresh ones and merge what they name.

    If any message is rejected, none is claimed and nothing is to be stopped: the run fails, and a
    genuine message of the same batch can be sent again.
    """
    alerts: list[Alert] = []
    rejected: list[str] = []
    for payload in payloads:
        try:
            alerts.append(verify(message_text(payload), keys, now, max_age, max_skew))
        except RejectedMessageError as error:
            rejected.append(str(error))
    if rejected:
        return Accepted({}, [], {}, rejected)
    fresh: list[Alert] = []
    duplicates: dict[str, str] = {}
    for alert in alerts:
        if alert.idempotency_key in (a.idempotency_key for a in fresh):
            duplicates[alert.idempotency_key] = run_id  # delivered twice into this very run
            continue
        earlier = claim(alert, run_id, store, now, keep_for=2 * max_age)
        if earlier is not None:
            duplicates[alert.idempotency_key] = earlier
        else:
            fresh.append(alert)
    return Accepted(merged_targets(fresh), [a.idempotency_key for a in fresh], duplicates, [])


class SeenVariable:
    """Claimed idempotency keys in the Airflow Variable :data:`SEEN_VARIABLE` (JSON text)."""

    def load(self, key: str) -> dict[str, Any] | None:
        """``Variable.get``, JSON decoded."""
        from airflow.providers.common.compat.sdk import Variable

        text = Variable.get(key, None)
        value = json.loads(text) if isinstance(text, str) else None
        return value if isinstance(value, dict) else None

    def save(self, key: str, value: dict[str, Any]) -> None:
        """``Variable.set`` of the JSON text."""
        from airflow.providers.common.compat.sdk import Variable

        Variable.set(key, json.dumps(value), description="airflow-provider-campaigns: queue messages already acted on (idempotency keys)")


def signing_keys(conn_id: str) -> list[str]:
    """The signing keys of an Airflow connection: its password, then ``extra.previous_keys`` (rotation)."""
    from airflow.providers.common.compat.sdk import BaseHook

    conn = BaseHook.get_connection(conn_id)
    previous = conn.extra_dejson.get("previous_keys") or []
    keys = [conn.password or "", *(k for k in previous if isinstance(k, str))]
    return [k for k in keys if k]


def messages_of(payload: Any) -> list[Any]:
    """The messages of one event's payload: one, or each of a batch (SQS: ``{"message_batch": [...]}``)."""
    if isinstance(payload, Mapping) and isinstance(payload.get("message_batch"), list):
        return list(payload["message_batch"])
    return [payload]


def event_payloads(context: Mapping[str, Any]) -> list[Any]:
    """The messages of the asset events that triggered this run."""
    events = context.get("triggering_asset_events") or {}
    payloads = []
    for batch in events.values():
        for event in batch:
            extra = getattr(event, "extra", None) or {}
            payloads.extend(messages_of(extra.get("payload")))
    return payloads


def accept_from_context(
    context: Mapping[str, Any], signing_conn_id: str, max_age: float = DEFAULT_MAX_AGE, max_skew: float = DEFAULT_MAX_SKEW
) -> dict[str, Any]:
    """The task body: the targets of this run's messages; fails when any was rejected, skips when all were duplicates."""
    from airflow.providers.common.compat.sdk import AirflowFailException, AirflowSkipException

    payloads = event_payloads(context)
    run = context.get("dag_run")
    outcome = accept(payloads, signing_keys(signing_conn_id), str(getattr(run, "run_id", "")), SeenVariable(), pendulum.now("UTC"))
    for key, earlier in outcome.duplicates.items():
        log.warning("Message %r was already handled by run %s: stopping nothing for it (a duplicate delivery).", key, earlier)
    if outcome.rejected:
        raise AirflowFailException(
            f"{len(outcome.rejected)} of {len(payloads)} queue message(s) rejected; nothing was stopped: " + " | ".join(outcome.rejected)
        )
    if not outcome.accepted:
        reason = (
            "every message of this run was already handled ("
            + ", ".join(f"{k!r} by run {r}" for k, r in outcome.duplicates.items())
            + "): nothing is stopped twice"
            if outcome.duplicates
            else "the run carries no queue message (triggered by hand?): nothing to stop"
        )
        raise AirflowSkipException(reason)
    log.info("Accepted queue message(s) %s: stopping %s", ", ".join(map(repr, outcome.accepted)), sorted(outcome.targets))
    return outcome.targets
