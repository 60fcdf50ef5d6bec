"""Fake Cellcast gateway (SMS/MMS), mounted at ``/cellcast``.

A "campaign" is N messages (one per recipient), each with a 24-hex id, sharing a
``customString``; each message is cancelled and read on its own.

Documented behaviour followed: ``Authorization: Bearer <API key>`` (else ``401
{"code": 401, "message": "Token expired", "stack": ...}``); ``GET
/api/v1/user/token/verify``; ``POST /api/v1/gateway/cancelScheduleQuickMessage``
``{"messageId", "type"}`` (success: the full ``"Job Removed successfully"``
envelope; no ``messageId``: ``400 {"code": 400, "message": "messageId is
required", ...}``; unknown id: HTTP 200 ``status: false``, ``"message not found"``);
``GET /api/v2/report/message/{id}`` (ill-formed id: HTTP 200 ``status: false``,
``"internal server error"``, ``error.name: "CastError"``); ``GET
/api/v2/report/message`` with ``campType``, ``page``, ``limit``, ``fromDate``,
``toDate``, ``status``, ``customString``.

Simulator choices where the docs are silent:

- Every JSON answer carries the documented envelope (``app_type`` ... ``is_enc``,
  ``message_type``) around ``status``/``message``/``data``/``error``.
- Cancelling a message that is no longer scheduled/queued (sent, delivered,
  canceled, failed, ...): HTTP 200 ``{..., "status": false, "message": "Job not
  found or already processed", "data": {}, "error": {"error": "Job not found or
  already processed"}}``. A ``type`` that differs from the message's type gives
  ``"message not found"``. An ill-formed ``messageId`` gives the CastError answer.
- Missing ``type``: ``400 "type is required"``; other than sms/mms: ``400 "type
  must be one of [sms, mms]"`` (same ``code``/``message``/``stack`` shape).
- Token check answer: ``{..., "status": true, "message": "Token is valid", "data":
  {"valid": true}}``.
- List: ``page`` is 1-based (default 1), ``limit`` default 10, max 100 (400
  above); newest first; ``fromDate``/``toDate`` inclusive on ``createdAt``
  (``yyyy-mm-dd`` or ISO); ``campType`` defaults to all types. ``nextPage`` is
  ``null`` on the last page. Paging errors answer ``400`` in the ``code`` shape.
- Time: ``scheduled`` -> ``sent`` at ``starts_in`` (its ``scheduleAt``),
  -> ``delivered`` at ``finishes_in``. ``delievered`` is accepted as an alias.
"""

from __future__ import annotations

import hmac
import math
import re
import secrets
import time
from typing import Any

from .clock import iso_ms, parse_when
from .fake_vendor import FakeVendor, phrase
from .http_types import SimRequest, SimResponse, int_param, json_response
from .state import Machine, Record, new_record

MACHINE = Machine(
    statuses=("scheduled", "queued", "sent", "canceled", "delivered", "failed", "blocked", "rejected", "expired", "received"),
    advancing=frozenset({"scheduled", "queued", "sent"}),
    running="sent",
    done="delivered",
    aliases=(("delievered", "delivered"), ("cancelled", "canceled")),
)
CANCELLABLE = frozenset({"scheduled", "queued"})
TYPES = ("sms", "mms")
_HEX24 = re.compile(r"[0-9a-fA-F]{24}")
ENVELOPE: dict[str, Any] = {
    "app_type": "web",
    "app_version": "1.0",
    "maintainence": 0,
    "new_version": 0,
    "force_update": 0,
    "invalid_token": 0,
    "refresh_token": "",
    "show_message": 0,
    "is_enc": False,
}


def envelope(status: bool, message: str, data: Any = None, error: Any = None) -> dict[str, Any]:
    """Cellcast's standard answer envelope."""
    return {
        **ENVELOPE,
        "status": status,
        "message": message,
        "message_type": "toast",
        "data": {} if data is None else data,
        "error": {} if error is None else error,
    }


def api_error(code: int, message: str) -> SimResponse:
    """Cellcast's ``{"code", "message", "stack"}`` error answer."""
    return json_response(code, {"code": code, "message": message, "stack": f"APIError: {message}."})


def not_found() -> SimResponse:
    """HTTP 200, ``status: false``, ``message not found``."""
    return json_response(200, envelope(False, "message not found", error={"error": "message not found"}))


def cast_error(raw: str) -> SimResponse:
    """What an ill-formed ObjectId gives: HTTP 200, ``internal server error``."""
    detail = f'Cast to ObjectId failed for value "{raw}" (type string) at path "_id" for model "Message"'
    return json_response(200, envelope(False, "internal server error", error={"name": "CastError", "message": detail}))


class FakeCellcast(FakeVendor):
    """The Cellcast routes and message resources."""

    name = "cellcast"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Register the routes."""
        super().__init__(*args, **kwargs)
        self._prefix = secrets.token_hex(4)
        add = self.router.add
        add("GET", r"/api/v1/user/token/verify", self._verify)
        add("POST", r"/api/v1/gateway/cancelScheduleQuickMessage", self._cancel)
        add("GET", r"/api/v2/report/message", self._list)
        add("GET", r"/api/v2/report/message/([^/]+)", self._get)

    def authenticate(self, req: SimRequest) -> SimResponse | None:
        """``Authorization: Bearer <API key>`` on every call."""
        expected = f"Bearer {self.creds.cellcast_api_key}".encode()
        given = req.headers.get("authorization", "").strip().encode()
        return None if hmac.compare_digest(given, expected) else self.unauthorized()

    def unauthorized(self) -> SimResponse:
        """Cellcast's documented 401."""
        return api_error(401, "Token expired")

    def not_found(self) -> SimResponse:
        """Unknown route."""
        return api_error(404, "Not found")

    def method_not_allowed(self, req: SimRequest, allowed: list[str]) -> SimResponse:
        """Express answers a wrong method like an unknown route."""
        return self.not_found()

    def error_body(self, status: int) -> Any:
        """``{"code", "message", "stack"}`` for injected status faults."""
        message = "Too many requests" if status == 429 else phrase(status)
        return {"code": status, "message": message, "stack": f"APIError: {message}."}

    # -- campaigns -----------------------------------------------------------------
    def add(
        self,
        *,
        status: str | None = None,
        channel: str = "sms",
        name: str | None = None,
        finishes_in: float | None = None,
        starts_in: float | None = None,
        created_at: object = None,
        wind_down: float | None = None,
        recipients: int = 1,
        custom_string: str | None = None,
        message_type: str | None = None,
        message: str = "Hello from the campaign simulator",
        sender: str = "CELLCAST",
        receivers: list[str] | None = None,
        schedule_at: object = None,
        **extra: Any,
    ) -> list[str]:
        """Create one scheduled message per recipient; returns their 24-hex ids."""
        kind = (message_type or channel).lower()
        if kind not in TYPES:
            raise ValueError(f"cellcast message_type must be one of {TYPES}, not {kind!r}")
        phones = list(receivers) if receivers else [f"+614{10000000 + i:08d}" for i in range(int(recipients))]
        ids: list[str] = []
        for phone in phones:
            number = self.store.next_number(self.name)
            message_id = f"{int(time.time()):08x}{self._prefix}{number:08x}"
            timing: dict[str, Any] = {"starts_in": starts_in, "finishes_in": finishes_in, "created_at": created_at, "wind_down": wind_down}
            record = new_record(self.name, message_id, MACHINE, status or "scheduled", **timing)
            due = starts_in if starts_in is not None else finishes_in if finishes_in is not None else 3600.0
            record.fields = {
                "message": message,
                "sender": sender,
                "receiver": phone,
                "type": kind,
                "customString": custom_string if custom_string is not None else (name or ""),
                "scheduleAt": parse_when(schedule_at) if schedule_at is not None else record.created + due,
                "extra": extra,
            }
            self.store.put(record)
            ids.append(message_id)
        return ids

    def key_of(self, campaign_id: Any) -> str:
        """Message ids compare case-insensitively (they are hex)."""
        return str(campaign_id).lower()

    def stop_count(self, campaign_id: Any) -> int:
        """Per message id; a list/tuple of ids gives the sum."""
        if isinstance(campaign_id, (list, tuple)):
            return sum(super(FakeCellcast, self).stop_count(one) for one in campaign_id)
        return super().stop_count(campaign_id)

    def render(self, record: Record) -> dict[str, Any]:
        """The message resource of the report endpoints."""
        fields = record.fields
        data: dict[str, Any] = {
            "_id": record.id,
            "status": record.status,
            "message": fields["message"],
            "sender": fields["sender"],
            "receiver": fields["receiver"],
            "createdAt": iso_ms(record.created),
            "updatedAt": iso_ms(record.updated),
            "send_time": iso_ms(record.entered.get("sent")),
            "scheduleAt": iso_ms(fields["scheduleAt"]),
            "customString": fields["customString"],
            "type": fields["type"],
        }
        data.update(fields["extra"])
        return data

    # -- routes ----------------------------------------------------------------------
    def _verify(self, req: SimRequest, _: re.Match[str]) -> SimResponse:
        return json_response(200, envelope(True, "Token is valid", {"valid": True}))

    def _cancel(self, req: SimRequest, _: re.Match[str]) -> SimResponse:
        body = req.json if isinstance(req.json, dict) else {}
        message_id, kind = body.get("messageId"), body.get("type")
        if message_id in (None, ""):
            return api_error(400, "messageId is required")
        if kind in (None, ""):
            return api_error(400, "type is required")
        if kind not in TYPES:
            return api_error(400, "type must be one of [sms, mms]")
        if not isinstance(message_id, str) or not _HEX24.fullmatch(message_id):
            return cast_error(str(message_id))
        with self.store.lock:
            record = self.store.get(self.name, message_id.lower())
            if record is None or record.fields["type"] != kind:
                return not_found()
            if record.status not in CANCELLABLE:
                text = "Job not found or already processed"
                return json_response(200, envelope(False, text, error={"error": text}))
            self.accept_stop(record, "canceled")
        text = "Job Removed successfully"
        return json_response(200, envelope(True, text, {"message": text}))

    def _get(self, req: SimRequest, match: re.Match[str]) -> SimResponse:
        raw = match[1]
        if not _HEX24.fullmatch(raw):
            return cast_error(raw)
        with self.store.lock:
            record = self.store.get(self.name, raw.lower())
            if record is None:
                return not_found()
            return json_response(200, envelope(True, "Message details", self.render(record)))

    def _list(self, req: SimRequest, _: re.Match[str]) -> SimResponse:
        query = req.query
        try:
            page = int_param(query.get("page"), 1, minimum=1)
            limit = int_param(query.get("limit"), 10, minimum=1)
        except ValueError:
            return api_error(400, "page and limit must be positive integers")
        if limit > 100:
            return api_error(400, "limit must be less than or equal to 100")
        camp_type = query.get("campType") or None
        if camp_type is not None and camp_type not in TYPES:
            return api_error(400, "campType must be one of [sms, mms]")
        try:
            low = parse_when(query["fromDate"]) if query.get("fromDate") else None
            high = parse_when(query["toDate"], end_of_day=True) if query.get("toDate") else None
        except ValueError:
            return api_error(400, "fromDate and toDate must be valid dates")
        status = query.get("status") or None
        custom = query.get("customString")
        with self.store.lock:
            records = [
                r
                for r in self.store.all(self.name)
                if (camp_type is None or r.fields["type"] == camp_type)
                and (status is None or r.status == status)
                and (custom is None or r.fields["customString"] == custom)
                and (low is None or r.created >= low)
                and (high is None or r.created <= high)
            ]
            records.reverse()
            total = len(records)
            items = [self.render(r) for r in records[(page - 1) * limit : page * limit]]
        pages = math.ceil(total / limit)
        data = {
            "items": items,
            "total": total,
            "totalPages": pages,
            "hasNextPage": page < pages,
            "nextPage": page + 1 if page < pages else None,
            "page": page,
            "limit": limit,
        }
        return json_response(200, envelope(True, "Messages fetched successfully", data))
