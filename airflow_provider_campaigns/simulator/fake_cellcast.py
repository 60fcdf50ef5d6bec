"""Fake Cellcast gateway (SMS/MMS), mounted at ``/cellcast``.

A "campaign" is N messages (one per recipient), each with a 24-hex id, sharing a
``customString``; each message is cancelled and read on its own.

Documented behaviour followed (seed ``cellcast-cancel.txt``; developer.cellcast.com;
``VENDORS.md``): ``Authorization: Bearer <API key>`` (else the documented 401); ``GET
/api/v1/user/token/verify``; ``POST /api/v1/gateway/cancelScheduleQuickMessage``
``{"messageId", "type"}`` (success: the ``"Job Removed successfully"`` envelope; no
``messageId``: the documented 400; unknown id: HTTP 200 ``status: false``, ``"message not
found"``); ``GET /api/v2/report/message/{id}`` with the documented message fields (``_id``,
``status``, ``replyStop``, ``message``, ``sender``, ``receiver``, ``smsDetail``,
``creditAmount``, ``createdAt``, ``updatedAt``, ``send_time``, ``scheduleAt``,
``customerResponse*``, ``customString``, ``media``, ``replyMessage``); the list
(:mod:`.cellcast_list`). Statuses: ``scheduled`` (third-party recording) and ``queued``
(documented) are pending; ``delievered`` is accepted as ``delivered``.

Lenient reading: message resources also carry ``type`` (sms/mms), and the list's ``status``
filter takes any status the simulator knows (``scheduled`` included).

Guessed: cancelling a message no longer scheduled/queued answers HTTP 200 ``status: false``,
``"Job not found or already processed"``; a ``type`` other than the message's gives ``"message
not found"``; an ill-formed ``messageId`` the CastError answer; missing ``type`` ``400 "type is
required"``; other than sms/mms ``400 "type must be one of [sms, mms]"``; the token check
answers ``"Token is valid"`` with ``{"valid": true}``. Time: ``scheduled`` -> ``sent`` at
``starts_in`` (its ``scheduleAt``) -> ``delivered`` at ``finishes_in``. With traffic
(:mod:`.traffic`) a campaign's messages are scheduled ``1 / rate`` seconds apart; each is one
message sent at its ``scheduleAt`` unless cancelled before (the documented ``scheduleAt``,
``send_time`` and ``status`` are all a client sees of it).
"""

from __future__ import annotations

import hmac
import math
import re
import secrets
from dataclasses import replace
from typing import Any

from . import cellcast_list
from .cellcast_answers import api_error, cast_error, envelope, not_found, refused
from .clock import iso_ms, parse_when
from .credentials import CredentialField, SimulatorCredentials
from .drift import DriftShape
from .fake_vendor import FakeVendor, phrase
from .http_types import SimRequest, SimResponse, json_response
from .state import Machine, Record, Timing, new_record
from .traffic import TrafficSetting

MACHINE = Machine(
    statuses=("scheduled", "queued", "sent", "canceled", "delivered", "failed", "blocked", "rejected", "expired", "received"),
    advancing=frozenset({"scheduled", "queued", "sent"}),
    running="sent",
    done="delivered",
    aliases=(("delievered", "delivered"), ("cancelled", "canceled")),
)
CANCELLABLE = frozenset({"scheduled", "queued"})
TYPES = cellcast_list.TYPES
COST_PER_SMS = 0.031
_HEX24 = re.compile(r"[0-9a-fA-F]{24}")


class FakeCellcast(FakeVendor):
    """The Cellcast routes and message resources."""

    name = "cellcast"
    title = "Cellcast"
    credential_fields = (CredentialField("cellcast_api_key", lambda: secrets.token_hex(24), "Cellcast API key (sent as a Bearer token)"),)
    drift_shape = DriftShape(
        ids=(("_id",), "message_id"),
        paging=(("data", ("hasNextPage", "nextPage", "totalPages", "total")), ("", ("hasNextPage", "nextPage", "totalPages"))),
    )
    audience_field = "recipients"

    @classmethod
    def connection(cls, creds: SimulatorCredentials, url: str) -> dict[str, Any]:
        """The API key in ``password``."""
        return cls.connection_to(url, password=creds.cellcast_api_key)

    def created(self, result: Any) -> dict[str, Any]:
        """``{"ids"}``: one message id per recipient."""
        return {"ids": result}

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

    def rate_limit_body(self) -> Any:
        """The legacy API's refusal (15 calls/s, status ``OVER_LIMIT``) in its ``meta``/``msg``/``data`` envelope.

        The v1 gateway documents no rate limit; the envelope's shape is the legacy API's, the
        message text is ours (see docs/vendor-contracts.md).
        """
        return {"meta": {"code": 429, "status": "OVER_LIMIT"}, "msg": "You have exceeded the API rate limit.", "data": []}

    # -- campaigns -----------------------------------------------------------------
    def create(
        self,
        *,
        status: str | None,
        channel: str,
        name: str | None,
        timing: Timing,
        traffic: TrafficSetting | None = None,
        recipients: int = 1,
        custom_string: str | None = None,
        message_type: str | None = None,
        message: str = "Hello from the campaign simulator",
        sender: str = "CELLCAST",
        receivers: list[str] | None = None,
        schedule_at: object = None,
        **extra: Any,
    ) -> list[str]:
        """Create one scheduled message per recipient; returns their 24-hex ids.

        With ``traffic`` the messages go out ``traffic.rate`` a second from ``starts_in``: message
        ``k`` is scheduled ``k / rate`` seconds after the first (its ``scheduleAt``) and is sent then.
        """
        kind = (message_type or channel).lower()
        if kind not in TYPES:
            raise ValueError(f"cellcast message_type must be one of {TYPES}, not {kind!r}")
        phones = list(receivers) if receivers else [f"+614{10000000 + i:08d}" for i in range(int(recipients))]
        ids: list[str] = []
        for index, phone in enumerate(phones):
            number = self.store.next_number(self.name)
            message_id = f"{int(self.store.clock.time()):08x}{self._prefix}{number:08x}"
            own = timing if traffic is None else replace(timing, starts_in=(timing.starts_in or 0.0) + index / traffic.rate)
            record = new_record(self.name, message_id, MACHINE, status or "scheduled", own, self.store.clock)
            self.attach_flow(record, None if traffic is None else TrafficSetting(math.inf, 1), 1, own.starts_in)
            due = next((s for s in (own.starts_in, own.finishes_in) if s is not None), 3600.0)
            record.fields = {
                "message": message,
                "sender": sender,
                "receiver": phone,
                "type": kind,
                "customString": custom_string if custom_string is not None else (name or ""),
                "scheduleAt": parse_when(schedule_at) if schedule_at is not None else record.created + due,
                "request_from": "API",
                "request_name": "CellcastAPI",
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

    def render(self, record: Record, listed: bool = False) -> dict[str, Any]:
        """The message resource of the report endpoints (``listed``: with a list item's extra fields)."""
        fields = record.fields
        length = len(fields["message"])
        parts = max(1, math.ceil(length / 160))
        sms_detail = {"messagelength": length, "smscount": parts, "deductibleCredit": round(parts * COST_PER_SMS, 3)}
        data: dict[str, Any] = {
            "_id": record.id,
            "status": record.status,
            "replyStop": False,
            "message": fields["message"],
            "sender": fields["sender"],
            "receiver": fields["receiver"],
            "smsDetail": sms_detail,
            "creditAmount": parts,
            "createdAt": iso_ms(record.created),
            "updatedAt": iso_ms(record.updated),
            "send_time": iso_ms(record.entered.get("sent")),
            "scheduleAt": iso_ms(fields["scheduleAt"]),
            "customerResponse": None,
            "customerResponseAt": None,
            "customerResponseMedia": None,
            "customString": fields["customString"],
            "media": None,
            "replyMessage": None,
        }
        if listed:
            data.update(gateway_count=1, request_from=fields["request_from"], request_name=fields["request_name"])
            data["smsDetail"] = {"_id": record.id, **sms_detail, "costpersms": COST_PER_SMS}
        if not self.strict:
            data["type"] = fields["type"]
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
                return refused("Job not found or already processed")
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
            return json_response(200, envelope(True, "Success", self.render(record)))

    def _list(self, req: SimRequest, _: re.Match[str]) -> SimResponse:
        query = cellcast_list.parse_query(req.query, self.strict, MACHINE)
        if isinstance(query, SimResponse):
            return query
        with self.store.lock:
            data = cellcast_list.page_data(self.store.all(self.name), query, self.page_size(query.limit), self.render)
        return json_response(200, envelope(True, "Success", data))
