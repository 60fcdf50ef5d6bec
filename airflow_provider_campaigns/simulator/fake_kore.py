"""Fake Kore.ai Campaign Management API v2 (SMS), mounted at ``/kore``.

Documented behaviour followed: every call carries ``auth: <JWT>`` (HS256, signed
with the Client Secret, payload ``appId`` == Client ID; ``exp`` checked when
present; ``jti`` reuse allowed), ``accountid: <account id>``, ``iid: <stream
id>``. Stop: ``POST /campaign/api/v2/public/{streamId}/campaign//trigger/{id}
?accountId=..&campaignType=sms&trigger=stop`` (the documented double slash; the
single-slash siblings are 404) -> ``{"status": "Stopped", "message": "Campaign
Stopped", "updatedAt": ISO-8601 ms Z, "campaignExecutionType": "NORMAL"}``;
``trigger=play`` also works. Status: ``POST .../campaign/{id}/status?accountId=..
&view=status`` -> ``{"status": "success", "data": {"id", "status", "name"}}``.
``GET .../campaign/{id}?accountId=..``. List (Kore's API reference, ``get-all-campaigns-v2.md``):
``POST .../campaign/getAllCampaignDetails?accountId=..`` with ``{"type" (required: "sms" or "voice"),
"limit", "skip", "page", "sortBy": {"name"|"createdAt"|"updatedAt": "asc"|"desc"}, "filters":
{"status": [...]}}`` -> ``{"status": "success", "message": "Campaign  retrieved successfully", "data":
{"results": [...], "skip", "limit", "hasMore", "totalPages", "totalResults"}}``; SMS rows carry ``id``
(``cd-<uuid>``, as in every documented example), ``name``, ``description``, ``status``, ``dncLists``, ``priority``,
``message``, ``createdAt``, ``updatedAt``, ``schedule``, ``totalMessagesSent``,
``campaignInstanceUpdatedAt``, ``campaignExecutionType``, ``contactLists``, ``format``.

Lenient reading (``strict=False``): the stop also answers on the single-slash sibling path
``.../campaign/trigger/{id}`` (voice v2's spelling), for tolerance tests of path overrides.

Simulator choices where the docs are silent:

- Bad/missing JWT (incl. ``auth: Bearer ...``): ``401 {"msg": "Invalid SDK
  credentials", "code": 4002}``; wrong/missing ``accountid`` or ``iid`` header, a
  path ``streamId`` other than ``iid`` or a wrong ``accountId`` query: ``401
  {"msg": "Invalid accountId" | "Invalid iid" | "streamId does not match iid",
  "code": 4002}``. Missing ``accountId`` query: ``400 {"errors": [{"msg":
  "accountId is required", "code": 400}]}``. Auth is checked before routing.
- Unknown route or method: ``404 {"errors": [{"msg": "Route not found", "code": 404}]}``.
- Unknown campaign on stop: ``404 {"errors": [{"msg": "Campaign not found",
  "code": 404}]}``; on status/get: ``404 {"status": "failure", "errors": [...same]}``.
- Stopping a Stopped/Completed campaign: ``400 {"errors": [{"msg": "Campaign is
  already stopped or completed", "code": 400}]}``. Play: Ready/Scheduled/
  Rescheduled/Paused -> Active (``"message": "Campaign Activated"``); Active or
  Preparing: 400 "Campaign is already active"; final: the stop's 400.
  ``campaignType`` other than ``sms``: 400 "campaignType must be sms"; any other
  ``trigger``: 400 "Invalid trigger".
- Full campaign (get and list items): ``{"_id", "id", "name", "status",
  "campaignType", "campaignExecutionType", "streamId", "accountId", "createdAt",
  "updatedAt", "scheduledAt", "startedAt", "endedAt"}``; get wraps it as
  ``{"status": "success", "data": {...}}``.
- List: newest first unless ``sortBy`` says otherwise; ``limit`` default 10 (max 100); ``skip`` wins
  over ``page`` (1-based, pages of the rows really served when a server-side cap applies);
  ``type: "voice"`` lists nothing (voice campaigns are not simulated). Strict: a body without
  ``type`` (or another value), a ``filters.status`` value outside the documented enum, or a
  ``sortBy`` other than the documented fields and ``asc``/``desc`` -> ``400 {"errors": [{"msg",
  "code": 400}]}``. Lenient: ``type`` defaults to ``sms`` and ``filters.status`` matches
  case-insensitively.
- Campaign ids: ``cd-<uuid4>``. Time: Scheduled -> Active at ``starts_in`` ->
  Completed at ``finishes_in``. A campaign with traffic (:mod:`.traffic`) reports its progress in
  the list rows' documented ``totalMessagesSent`` only (no audience size is documented; 0 without
  traffic).
"""

from __future__ import annotations

import re
import secrets
import uuid
from typing import Any

import jwt

from .clock import iso_ms
from .credentials import CredentialField, SimulatorCredentials
from .drift import DriftShape
from .fake_vendor import FakeVendor, phrase
from .http_types import SimRequest, SimResponse, json_response
from .state import Machine, Record, Timing, new_record
from .traffic import TrafficSetting

MACHINE = Machine(
    statuses=("Ready", "Preparing", "Scheduled", "Rescheduled", "Active", "Paused", "Stopped", "Completed"),
    advancing=frozenset({"Ready", "Preparing", "Scheduled", "Rescheduled", "Active"}),
    running="Active",
    done="Completed",
)
FINAL = frozenset({"Stopped", "Completed"})
PLAYABLE = frozenset({"Ready", "Scheduled", "Rescheduled", "Paused"})
LIST_MESSAGE = "Campaign  retrieved successfully"  # two spaces, as every documented example has it
SORT_FIELDS = ("name", "createdAt", "updatedAt")
RATE_LIMIT = "Rate limit for this API has been reached. Please try again after some time."
_BASE = r"/campaign/api/v2/public/([^/]+)/campaign"


def errors(code: int, msg: str, **extra: Any) -> SimResponse:
    """Kore's ``{"errors": [{"msg", "code"}]}`` answer (``extra`` keys first)."""
    return json_response(code, {**extra, "errors": [{"msg": msg, "code": code}]})


def denied(msg: str) -> SimResponse:
    """Kore's 401 answer."""
    return json_response(401, {"msg": msg, "code": 4002})


class FakeKore(FakeVendor):
    """The Kore.ai routes and campaign resources."""

    name = "kore"
    title = "Kore.ai"
    credential_fields = (
        CredentialField("kore_client_id", lambda: f"cs-{uuid.uuid4()}", "Kore app Client ID (the JWT's ``appId``)"),
        CredentialField("kore_client_secret", lambda: secrets.token_urlsafe(32), "Kore app Client Secret (the JWT's HS256 key)"),
        CredentialField("kore_account_id", lambda: secrets.token_hex(12), "Kore account id (``accountid`` header, ``accountId`` query)"),
        CredentialField("kore_stream_id", lambda: f"st-{uuid.uuid4()}", "Kore stream/bot id, ``st-`` + UUID (``iid`` header, path)"),
    )
    drift_shape = DriftShape(
        ids=(("id", "_id"), "campaignId"),
        paging=tuple((path, ("hasMore", "moreAvailable", "total", "totalResults", "totalPages")) for path in ("", "data")),
        whole_answer=("/trigger/",),  # the stop's answer is the campaign itself
    )
    rate_limit_retry_after = "absent"  # Kore.ai documents no Retry-After

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Register the routes."""
        super().__init__(*args, **kwargs)
        add = self.router.add
        add("POST", rf"{_BASE}//trigger/([^/]+)", self._trigger)
        add("POST", rf"{_BASE}/trigger/([^/]+)", lambda req, match: self.not_found() if self.strict else self._trigger(req, match))
        add("POST", rf"{_BASE}/([^/]+)/status", lambda req, match: self._read(req, match, full=False))
        add("POST", rf"{_BASE}/getAllCampaignDetails", self._list)
        add("GET", rf"{_BASE}/([^/]+)", lambda req, match: self._read(req, match, full=True))

    @classmethod
    def connection(cls, creds: SimulatorCredentials, url: str) -> dict[str, Any]:
        """Client ID and Secret as login and password; account and stream in the extras."""
        # the simulator is unlimited unless told otherwise: no documented 60/min here (0 = learn from 429s)
        extra = {"account_id": creds.kore_account_id, "stream_id": creds.kore_stream_id, "requests_per_second": 0}
        return cls.connection_to(url, extra, login=creds.kore_client_id, password=creds.kore_client_secret)

    # -- auth ---------------------------------------------------------------------
    def valid_jwt(self, token: str) -> bool:
        """HS256 with the Client Secret, ``appId`` == Client ID, ``exp`` if present."""
        try:
            claims = jwt.decode(
                token, self.creds.kore_client_secret, algorithms=["HS256"], options={"verify_aud": False, "verify_iss": False}
            )
        except jwt.PyJWTError:
            return False
        return bool(claims.get("appId") == self.creds.kore_client_id)

    def authenticate(self, req: SimRequest) -> SimResponse | None:
        """The ``auth``, ``accountid`` and ``iid`` headers."""
        token = req.headers.get("auth", "").strip()
        if not token or not self.valid_jwt(token):
            return self.unauthorized()
        if req.headers.get("accountid", "").strip() != self.creds.kore_account_id:
            return denied("Invalid accountId")
        if req.headers.get("iid", "").strip() != self.creds.kore_stream_id:
            return denied("Invalid iid")
        return None

    def unauthorized(self) -> SimResponse:
        """Kore's bad-JWT answer."""
        return denied("Invalid SDK credentials")

    def not_found(self) -> SimResponse:
        """Unknown route."""
        return errors(404, "Route not found")

    def method_not_allowed(self, req: SimRequest, allowed: list[str]) -> SimResponse:
        """Express answers a wrong method like an unknown route."""
        return self.not_found()

    def error_body(self, status: int) -> Any:
        """``{"errors": [{"msg", "code"}]}`` for injected status faults."""
        return {"errors": [{"msg": RATE_LIMIT if status == 429 else phrase(status), "code": status}]}

    def _scope(self, req: SimRequest, stream: str) -> SimResponse | None:
        """Path stream id and ``accountId`` query checks."""
        if stream != self.creds.kore_stream_id:
            return denied("streamId does not match iid")
        account = req.query.get("accountId")
        if not account:
            return errors(400, "accountId is required")
        return None if account == self.creds.kore_account_id else denied("Invalid accountId")

    # -- campaigns -----------------------------------------------------------------
    def create(
        self,
        *,
        status: str | None,
        channel: str,
        name: str | None,
        timing: Timing,
        traffic: TrafficSetting | None = None,
        audience: int | None = None,
        **extra: Any,
    ) -> str:
        """Create an SMS campaign; returns its id."""
        if channel != "sms":
            raise ValueError("kore campaigns are SMS only here")
        campaign_id = f"cd-{uuid.uuid4()}"
        count = audience if audience is not None else traffic.audience if traffic is not None else 0
        default = "Scheduled" if traffic is not None and timing.starts_in else "Active"
        record = new_record(self.name, campaign_id, MACHINE, status or default, self.with_traffic(timing, traffic, count), self.store.clock)
        self.attach_flow(record, traffic, count, timing.starts_in)
        record.fields = {
            "name": name or f"SMS campaign {campaign_id[3:11]}",
            "extra": extra,
            "scheduledAt": None if timing.starts_in is None else record.created + timing.starts_in,
        }
        if record.status in ("Active", "Paused", "Completed"):
            record.entered.setdefault("Active", record.created)
        self.store.put(record)
        return campaign_id

    def render(self, record: Record) -> dict[str, Any]:
        """The full campaign resource."""
        ended = record.entered.get("Completed", record.entered.get("Stopped"))
        data: dict[str, Any] = {
            "_id": record.id,
            "id": record.id,
            "name": record.fields["name"],
            "status": record.status,
            "campaignType": "sms",
            "campaignExecutionType": "NORMAL",
            "streamId": self.creds.kore_stream_id,
            "accountId": self.creds.kore_account_id,
            "createdAt": iso_ms(record.created),
            "updatedAt": iso_ms(record.updated),
            "scheduledAt": iso_ms(record.fields["scheduledAt"]),
            "startedAt": iso_ms(record.entered.get("Active")),
            "endedAt": iso_ms(ended),
        }
        data.update(record.fields["extra"])
        return data

    def render_row(self, record: Record) -> dict[str, Any]:
        """A list row, shaped like the SMS rows of Kore's documented list answer."""
        row: dict[str, Any] = {
            "name": record.fields["name"],
            "description": record.fields["name"],
            "status": record.status,
            "dncLists": {"name": "Simulated DNC list"},
            "priority": "5",
            "message": {"message": "TWVzc2FnZSBmb3IgeW91ciB0YXJnZXRlZCBjdXN0b21lcg%3D%3D"},
            "createdAt": iso_ms(record.created),
            "updatedAt": iso_ms(record.updated),
            "schedule": {"isSchedulingEnabled": record.fields["scheduledAt"] is not None, "isRecurrenceEnabled": False},
            "id": record.id,
            "totalMessagesSent": record.sent(),
            "campaignInstanceUpdatedAt": iso_ms(record.updated),
            "campaignExecutionType": "NORMAL",
            "contactLists": ["Simulated contact list"],
            "format": "simple",
        }
        row.update(record.fields["extra"])
        return row

    # -- routes ----------------------------------------------------------------------
    def _trigger(self, req: SimRequest, match: re.Match[str]) -> SimResponse:
        problem = self._scope(req, match[1])
        if problem is not None:
            return problem
        if req.query.get("campaignType") != "sms":
            return errors(400, "campaignType must be sms")
        trigger = req.query.get("trigger")
        if trigger not in ("stop", "play"):
            return errors(400, "Invalid trigger")
        with self.store.lock:
            record = self.store.get(self.name, match[2])
            if record is None:
                return errors(404, "Campaign not found")
            if record.status in FINAL or (trigger == "play" and record.winding_down):
                return errors(400, "Campaign is already stopped or completed")
            if trigger == "stop":
                self.accept_stop(record, "Stopped")
                message = "Campaign Stopped"
            elif record.status in PLAYABLE:
                record.set_status("Active")
                message = "Campaign Activated"
            else:
                return errors(400, "Campaign is already active")
            answer = {"status": record.status, "message": message, "updatedAt": iso_ms(record.updated), "campaignExecutionType": "NORMAL"}
        return json_response(200, answer)

    def _read(self, req: SimRequest, match: re.Match[str], full: bool) -> SimResponse:
        """The status view (``{"id", "status", "name"}``) or, with ``full``, the whole campaign."""
        problem = self._scope(req, match[1])
        if problem is not None:
            return problem
        with self.store.lock:
            record = self.store.get(self.name, match[2])
            if record is None:
                return errors(404, "Campaign not found", status="failure")
            data = self.render(record) if full else {"id": record.id, "status": record.status, "name": record.fields["name"]}
        return json_response(200, {"status": "success", "data": data})

    def _list(self, req: SimRequest, match: re.Match[str]) -> SimResponse:
        problem = self._scope(req, match[1])
        if problem is not None:
            return problem
        body = req.json if isinstance(req.json, dict) else {}
        try:
            limit = int(body.get("limit") or 10)
            size = self.page_size(limit)
            skip = body.get("skip")
            skip = int(skip) if skip not in (None, "") else (int(body.get("page") or 1) - 1) * size
        except (TypeError, ValueError):
            return errors(400, "limit, skip and page must be integers")
        if not 1 <= limit <= 100 or skip < 0:
            return errors(400, "limit must be 1..100 and skip not negative")
        kind = body.get("type")
        if not self.strict:
            kind = str(kind or "sms").lower()
        elif kind not in ("sms", "voice"):
            return errors(400, "type is required and must be one of sms, voice")
        wanted = _status_filter(body.get("filters"))
        if self.strict and not wanted <= set(MACHINE.statuses):
            return errors(400, f"filters.status must be among {', '.join(MACHINE.statuses)}")
        order = _sort(body.get("sortBy"))
        if order is None and self.strict:
            return errors(400, "sortBy takes name, createdAt or updatedAt with asc or desc")
        field, descending = order or ("createdAt", True)
        matches = {s.lower() for s in wanted} if not self.strict else wanted
        with self.store.lock:
            records = [
                r
                for r in self.store.all(self.name)
                if kind == "sms" and (not wanted or (r.status if self.strict else r.status.lower()) in matches)
            ]
            keys = {"name": lambda r: r.fields["name"], "createdAt": lambda r: r.created, "updatedAt": lambda r: r.updated}
            records.sort(key=keys[field], reverse=descending)
            rows = [self.render_row(r) for r in records[skip : skip + size]]
        total = len(records)
        data = {
            "results": rows,
            "skip": skip,
            "limit": size,
            "hasMore": skip + len(rows) < total,
            "totalPages": -(-total // size),
            "totalResults": total,
        }
        return json_response(200, {"status": "success", "message": LIST_MESSAGE, "data": data})


def _status_filter(filters: Any) -> set[str]:
    raw = (filters.get("status") if isinstance(filters, dict) else None) or []
    return {str(s) for s in ([raw] if isinstance(raw, str) else raw)}


def _sort(sort_by: Any) -> tuple[str, bool] | None:
    """``(field, descending)`` from ``sortBy`` (absent: newest first); ``None`` when it is not the documented form."""
    if sort_by in (None, {}):
        return ("createdAt", True)
    if not isinstance(sort_by, dict) or any(key not in SORT_FIELDS or way not in ("asc", "desc") for key, way in sort_by.items()):
        return None
    field, way = next(iter(sort_by.items()))  # the first field orders; ties keep creation order
    return (field, way == "desc")
