"""Fake BSG One-API v2 (SMS and RCS campaigns), mounted at ``/bsg``.

Documented behaviour followed: ``POST /api/auth/login`` ``{"api_key"}`` ->
``{"bearer": JWT}``; ``POST /api/auth/refresh``; ``Authorization: Bearer <jwt>`` on
every other call; ``PATCH``/``PUT /api/campaigns/{id}/stop``; ``GET /api/campaigns/{id}``;
``GET /api/campaigns/{id}/detail``; ``GET /api/campaigns`` with ``filter[type]``,
``filter[from]``, ``filter[to]``, ``search[field]``/``search[value]``,
``page[offset]``, ``page[limit]`` (default 50), ``sort`` (default ``id``), ``way``
(default ``asc``); a final campaign's stop answers ``422 {"message": "Invalid
campaign status", "errors": []}``; timestamps ``yyyy-mm-dd hh:mm:ss`` UTC.

The list answer is ``{"data": [CampaignSchema...], "meta": {"page": {"total",
"limit", "offset"}}}``, read from BSG's generated Python SDK (bsgworld/python-sdk:
``docs/SearchCampaignResource.md``, ``docs/Meta.md``, ``docs/MetaPage.md``).

Simulator choices where the docs are silent:

- JWT: HS256 with a per-server secret; ``exp`` = login time + ``bsg_jwt_ttl``.
  Only ``Authorization: Bearer <jwt>`` is accepted (not the prose's ``Bearer:`` header).
  Missing/invalid/expired/revoked JWT or wrong API key: ``401 {"message":
  "Unauthenticated."}``. A login body without ``api_key``: ``422 {"message": "The
  given data was invalid.", "errors": {"api_key": ["The api key field is required."]}}``.
- Unknown route or non-integer id: ``404 {"message": "Not found"}`` (checked before
  auth, as Laravel routing does); wrong method: Laravel's 405 text.
- Stoppable: creation, moderation, scheduled, sending, paused (the union of the
  three sources); ``PUT`` and ``PATCH`` both work for every campaign type.
- List: ``page[limit]`` above 100, a bad ``filter[type]``, date, ``sort`` or
  ``way`` answer 422 "The given data was invalid." with an ``errors`` object.
  ``filter[status]`` (comma-separated) is a simulator-only extension. ``search``
  is a case-insensitive substring match on ``id``, ``name``, ``sender``,
  ``status`` or ``message_type``; ``filter[from]``/``filter[to]`` are inclusive on
  ``created_at`` (a bare date in ``to`` means the end of that day).
- Statistics: 0 before sending, half the ``recipients`` (default 100) while
  sending/paused/stopped, all when done; 90 % of those count as delivered.
- ``/detail`` answers ``{"data": {id, name, sender, type, status, started_at,
  actual_start_at, finished_at, created_at, statistics{total, sent, delivered,
  undelivered}}}``.
"""

from __future__ import annotations

import hmac
import re
import secrets
import time
import uuid
from typing import Any

import jwt

from .clock import parse_when, plain
from .fake_vendor import FakeVendor
from .http_types import SimRequest, SimResponse, int_param, json_response
from .state import Machine, Record, new_record

MACHINE = Machine(
    statuses=("creation", "moderation", "scheduled", "sending", "paused", "stopped", "done", "spam"),
    advancing=frozenset({"creation", "moderation", "scheduled", "sending"}),
    running="sending",
    done="done",
)
STOPPABLE = frozenset({"creation", "moderation", "scheduled", "sending", "paused"})
TYPES = ("sms", "rcs")
SEARCHABLE = ("id", "name", "sender", "status", "message_type")
SORTABLE = ("id", "name", "sender", "status", "message_type", "start_at", "created_at", "finished_at")
NOT_FOUND = {"message": "Not found"}
INVALID = "The given data was invalid."
_ID = r"([0-9]+)"


def bearer_token(req: SimRequest) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else ``None``."""
    scheme, _, token = req.headers.get("authorization", "").strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


class FakeBsg(FakeVendor):
    """The BSG routes and campaign resources."""

    name = "bsg"
    auth_first = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Register the routes; create the JWT signing secret."""
        super().__init__(*args, **kwargs)
        self.secret = secrets.token_bytes(32)
        self.generation = 0
        add = self.router.add
        add("POST", r"/api/auth/login", self._login)
        add("POST", r"/api/auth/refresh", self._refresh)
        add("GET", r"/api/campaigns", self._list)
        add("GET", rf"/api/campaigns/{_ID}", self._get)
        add("GET", rf"/api/campaigns/{_ID}/detail", self._detail)
        add("PATCH PUT", rf"/api/campaigns/{_ID}/stop", self._stop)

    # -- auth -------------------------------------------------------------------
    def mint(self) -> str:
        """A new bearer JWT."""
        now = time.time()
        ttl = float(self.creds.bsg_jwt_ttl)
        exp: float = int(now) + int(ttl) if ttl.is_integer() else now + ttl
        claims = {"iss": "bsg-simulator", "sub": "api", "iat": int(now), "exp": exp, "jti": uuid.uuid4().hex, "gen": self.generation}
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def valid(self, token: str) -> bool:
        """Whether a JWT is ours, unexpired and not revoked."""
        try:
            claims = jwt.decode(token, self.secret, algorithms=["HS256"], options={"verify_exp": False, "verify_iat": False})
        except jwt.PyJWTError:
            return False
        exp = claims.get("exp")
        return isinstance(exp, (int, float)) and exp > time.time() and claims.get("gen") == self.generation

    def authenticate(self, req: SimRequest) -> SimResponse | None:
        """Every route but login needs a valid bearer JWT."""
        if req.path == "/api/auth/login":
            return None
        token = bearer_token(req)
        return None if token is not None and self.valid(token) else self.unauthorized()

    def expire_token(self, req: SimRequest) -> SimResponse:
        """Revoke every JWT issued so far, then answer normally."""
        with self.store.lock:
            self.generation += 1
        return self.handle(req)

    def _login(self, req: SimRequest, _: re.Match[str]) -> SimResponse:
        key = req.json.get("api_key") if isinstance(req.json, dict) else None
        if not isinstance(key, str) or not key:
            return json_response(422, {"message": INVALID, "errors": {"api_key": ["The api key field is required."]}})
        if not hmac.compare_digest(key.encode(), self.creds.bsg_api_key.encode()):
            return self.unauthorized()
        return json_response(200, {"bearer": self.mint()})

    def _refresh(self, req: SimRequest, _: re.Match[str]) -> SimResponse:
        return json_response(200, {"bearer": self.mint()})

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
        recipients: int = 100,
        sender: str = "BSG",
        calculated_price: float | None = None,
        **extra: Any,
    ) -> int:
        """Create a campaign; returns its integer id."""
        kind = channel.lower()
        if kind not in TYPES:
            raise ValueError(f"bsg channel must be one of {TYPES}, not {channel!r}")
        campaign_id = self.store.next_number(self.name, start=1001)
        timing: dict[str, Any] = {"starts_in": starts_in, "finishes_in": finishes_in, "created_at": created_at, "wind_down": wind_down}
        record = new_record(self.name, campaign_id, MACHINE, status or "sending", **timing)
        stamp = plain(record.created)
        record.fields = {
            "name": name or f"{kind.upper()} api campaign / {stamp}",
            "sender": sender,
            "message_type": kind,
            "recipients": int(recipients),
            "start_at": record.created + (starts_in or 0.0),
            "calculated_price": round(int(recipients) * 0.05, 2) if calculated_price is None else calculated_price,
            "extra": extra,
        }
        if record.status in ("sending", "paused", "done", "stopped"):
            record.entered.setdefault("sending", record.created)
        self.store.put(record)
        return campaign_id

    def render(self, record: Record) -> dict[str, Any]:
        """The campaign resource of the stop/status answers."""
        fields = record.fields
        total = fields["recipients"]
        sent = 0 if "sending" not in record.entered else total if record.status == "done" else total // 2
        data: dict[str, Any] = {
            "id": record.id,
            "name": fields["name"],
            "sender": fields["sender"],
            "status": record.status,
            "message_type": fields["message_type"],
            "start_at": plain(fields["start_at"]),
            "real_start_at": plain(record.entered.get("sending")),
            "finished_at": plain(record.entered.get("done", record.entered.get("stopped"))),
            "created_at": plain(record.created),
            "statistics": {"delivered": sent * 9 // 10, "sent": sent},
            "calculated_price": fields["calculated_price"],
        }
        if fields["message_type"] == "rcs":
            data["alternative_channels"] = {"sms": {"statistic": {"delivered": 0, "sent": 0}}}
        data.update(fields["extra"])
        return data

    def _find(self, raw: str) -> Record | None:
        return self.store.get(self.name, str(int(raw)))

    def _get(self, req: SimRequest, match: re.Match[str]) -> SimResponse:
        with self.store.lock:
            record = self._find(match[1])
            return json_response(404, NOT_FOUND) if record is None else json_response(200, {"data": self.render(record)})

    def _detail(self, req: SimRequest, match: re.Match[str]) -> SimResponse:
        with self.store.lock:
            record = self._find(match[1])
            if record is None:
                return json_response(404, NOT_FOUND)
            data = self.render(record)
        stats = data["statistics"]
        detail = {
            "id": data["id"],
            "name": data["name"],
            "sender": data["sender"],
            "type": data["message_type"],
            "status": data["status"],
            "started_at": data["start_at"],
            "actual_start_at": data["real_start_at"],
            "finished_at": data["finished_at"],
            "created_at": data["created_at"],
            "statistics": {
                "total": record.fields["recipients"],
                "sent": stats["sent"],
                "delivered": stats["delivered"],
                "undelivered": stats["sent"] - stats["delivered"],
            },
        }
        return json_response(200, {"data": detail})

    def _stop(self, req: SimRequest, match: re.Match[str]) -> SimResponse:
        with self.store.lock:
            record = self._find(match[1])
            if record is None:
                return json_response(404, NOT_FOUND)
            if record.status not in STOPPABLE:
                return json_response(422, {"message": "Invalid campaign status", "errors": []})
            self.accept_stop(record, "stopped")
            return json_response(200, {"data": self.render(record)})

    def _list(self, req: SimRequest, _: re.Match[str]) -> SimResponse:
        query, errors = req.query, {}
        try:
            offset = int_param(query.get("page[offset]"), 0)
        except ValueError:
            errors["page.offset"] = ["The page.offset must be an integer."]
        try:
            limit = int_param(query.get("page[limit]"), 50, minimum=1)
            if limit > 100:
                errors["page.limit"] = ["The page.limit must not be greater than 100."]
        except ValueError:
            errors["page.limit"] = ["The page.limit must be an integer."]
        kind = query.get("filter[type]") or None
        if kind is not None and kind not in TYPES:
            errors["filter.type"] = ["The selected filter.type is invalid."]
        bounds: list[float | None] = []
        for name, end in (("from", False), ("to", True)):
            raw = query.get(f"filter[{name}]") or None
            try:
                bounds.append(None if raw is None else parse_when(raw, end_of_day=end))
            except ValueError:
                errors[f"filter.{name}"] = [f"The filter.{name} is not a valid date."]
        statuses = {s.strip() for s in query.get("filter[status]", "").split(",") if s.strip()}
        if statuses - set(MACHINE.statuses):
            errors["filter.status"] = ["The selected filter.status is invalid."]
        field, needle = query.get("search[field]") or None, query.get("search[value]") or ""
        if field is not None and field not in SEARCHABLE:
            errors["search.field"] = ["The selected search.field is invalid."]
        sort, way = query.get("sort") or "id", query.get("way") or "asc"
        if sort not in SORTABLE:
            errors["sort"] = ["The selected sort is invalid."]
        if way not in ("asc", "desc"):
            errors["way"] = ["The selected way is invalid."]
        if errors:
            return json_response(422, {"message": INVALID, "errors": errors})
        low, high = bounds
        with self.store.lock:
            rows = [(r.created, self.render(r)) for r in self.store.all(self.name)]
        items = [
            data
            for created, data in rows
            if (kind is None or data["message_type"] == kind)
            and (low is None or created >= low)
            and (high is None or created <= high)
            and (not statuses or data["status"] in statuses)
            and (field is None or needle.lower() in str(data.get(field, "")).lower())
        ]
        items.sort(key=lambda d: (d.get(sort) is None, d.get(sort) or 0), reverse=way == "desc")
        page = items[offset : offset + limit]
        return json_response(200, {"data": page, "meta": {"page": {"total": len(items), "limit": limit, "offset": offset}}})
