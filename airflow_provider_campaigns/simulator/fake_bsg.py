"""Fake BSG One-API v2 (SMS and RCS campaigns), mounted at ``/bsg``.

Documented behaviour followed (seeds ``bsg-sms-stop.txt``, ``bsg-rcs-stop.txt``; OpenAPI
``bsgworld/go-sdk`` ``api/openapi.yaml``): login and bearer JWTs (:mod:`.bsg_auth`); ``PATCH
/api/campaigns/{id}/stop`` for every campaign type ("universal campaign management
methods"), ``PUT`` for RCS campaigns (RCS page); ``GET /api/campaigns/{id}`` and its
``/detail``; the list (:mod:`.bsg_list`); a stop the state forbids answers ``422 {"message":
"Invalid campaign status", "errors": []}``; timestamps ``yyyy-mm-dd hh:mm:ss`` UTC. The campaign
resource has the fields of the seed examples and of the spec's ``CampaignSchema``/``GET``
example (``calculated_price``, ``currency``, ``alternative_channels``: ``null`` for SMS, the
RCS page's ``{"sms": {"statistic": {...}}}`` for RCS; list items have no ``alternative_channels``).

Strict mode: stoppable statuses per channel as each channel's page lists them (SMS:
creation/paused/sending/scheduled; RCS: moderation/paused/sending/scheduled, the page's
"Planned"); ``PUT`` on an SMS campaign answers Laravel's 405 naming ``PATCH`` (a guess: no
source says what a mismatch answers). Lenient: either method for either type, and the union
of the three stoppable lists.

Guessed: unknown route or non-integer id ``404 {"message": "Not found"}`` (checked before auth,
as Laravel routing does); statistics are 0 before sending, half the ``recipients`` (default
100) while sending/paused/stopped, all when done, 90 % of those delivered. A campaign with traffic
(:mod:`.traffic`) reports its real progress in the documented ``statistics.sent`` (and
``/detail``'s ``total_messages`` is its audience, ``recipients``).
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from . import bsg_list
from .bsg_auth import INVALID, UNAUTHENTICATED, BsgTokens, bearer_token
from .clock import plain
from .credentials import CredentialField, SimulatorCredentials
from .drift import DriftShape
from .fake_vendor import FakeVendor, phrase
from .http_types import SimRequest, SimResponse, json_response
from .state import Machine, Record, Timing, new_record
from .traffic import TrafficSetting

MACHINE = Machine(
    statuses=("creation", "moderation", "scheduled", "sending", "paused", "stopped", "done", "spam"),
    advancing=frozenset({"creation", "moderation", "scheduled", "sending"}),
    running="sending",
    done="done",
)
STOPPABLE = {
    "sms": frozenset({"creation", "paused", "sending", "scheduled"}),
    "rcs": frozenset({"moderation", "paused", "sending", "scheduled"}),
}
LENIENT_STOPPABLE = frozenset({"creation", "moderation", "scheduled", "sending", "paused"})
TYPES = ("sms", "rcs")
NOT_FOUND = {"message": "Not found"}
INVALID_STATUS = {"message": "Invalid campaign status", "errors": []}
_ID = r"([0-9]+)"


class FakeBsg(FakeVendor):
    """The BSG routes and campaign resources."""

    name = "bsg"
    title = "BSG"
    credential_fields = (
        CredentialField("bsg_api_key", lambda: "test_" + secrets.token_hex(20), "BSG API key (``test_`` prefix, like BSG's test keys)"),
        CredentialField("bsg_jwt_ttl", lambda: 3600, "lifetime of the JWTs BSG's login hands out, in seconds"),
    )
    drift_shape = DriftShape(ids=(("id",), "campaign_id"), paging=(("meta.page", ("total",)),))
    audience_field = "recipients"
    auth_first = False

    @classmethod
    def connection(cls, creds: SimulatorCredentials, url: str) -> dict[str, Any]:
        """The API key in ``password``."""
        return cls.connection_to(url, password=creds.bsg_api_key)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Register the routes; create the JWT signer."""
        super().__init__(*args, **kwargs)
        self.tokens = BsgTokens(self.creds)
        add = self.router.add
        add("POST", r"/api/auth/login", lambda req, _: self.tokens.login(req))
        add("POST", r"/api/auth/refresh", lambda req, _: self.tokens.refresh())
        add("GET", r"/api/campaigns", self._list)
        add("GET", rf"/api/campaigns/{_ID}", self._get)
        add("GET", rf"/api/campaigns/{_ID}/detail", self._detail)
        add("PATCH PUT", rf"/api/campaigns/{_ID}/stop", self._stop)

    def authenticate(self, req: SimRequest) -> SimResponse | None:
        """Every route but login needs a valid bearer JWT."""
        if req.path == "/api/auth/login":
            return None
        token = bearer_token(req)
        return None if token is not None and self.tokens.valid(token) else self.unauthorized()

    def unauthorized(self) -> SimResponse:
        """BSG's 401 (body undocumented)."""
        return json_response(401, UNAUTHENTICATED)

    def error_body(self, status: int) -> Any:
        """``{"message"}``; a 429 is BSG's documented duplicate-request detector."""
        return {"message": "Too many duplicate request detected" if status == 429 else phrase(status)}

    def expire_token(self, req: SimRequest) -> SimResponse:
        """Revoke every JWT issued so far, then answer normally."""
        self.tokens.revoke_all()
        return self.handle(req)

    # -- campaigns -----------------------------------------------------------------
    def create(
        self,
        *,
        status: str | None,
        channel: str,
        name: str | None,
        timing: Timing,
        traffic: TrafficSetting | None = None,
        recipients: int | None = None,
        sender: str = "BSG",
        calculated_price: float | None = None,
        currency: str = "USD",
        **extra: Any,
    ) -> int:
        """Create an SMS or RCS campaign; returns its integer id."""
        if channel not in TYPES:
            raise ValueError(f"bsg channel must be one of {TYPES}, not {channel!r}")
        count = int(recipients) if recipients is not None else traffic.audience if traffic is not None else 100
        campaign_id = self.store.next_number(self.name, start=1001)
        default = "scheduled" if traffic is not None and timing.starts_in else "sending"
        record = new_record(self.name, campaign_id, MACHINE, status or default, self.with_traffic(timing, traffic, count), self.store.clock)
        self.attach_flow(record, traffic, count, timing.starts_in)
        record.fields = {
            "name": name or f"{channel.upper()} api campaign / {plain(record.created)}",
            "sender": sender,
            "message_type": channel,
            "recipients": count,
            "start_at": record.created + (timing.starts_in or 0.0),
            "calculated_price": round(count * 0.05, 2) if calculated_price is None else calculated_price,
            "currency": currency,
            "extra": extra,
        }
        if record.status in ("sending", "paused", "done", "stopped"):
            record.entered.setdefault("sending", record.created)
        self.store.put(record)
        return campaign_id

    def statistics(self, record: Record) -> tuple[int, int]:
        """``(sent, delivered)`` so far: the campaign's traffic when it has some, else a fixed share of ``recipients``."""
        total = int(record.fields["recipients"])
        if record.flow is not None:
            sent = record.sent()
            return sent, sent * 9 // 10
        sent = 0 if "sending" not in record.entered else total if record.status == "done" else total // 2
        return sent, sent * 9 // 10

    def render(self, record: Record, listed: bool = False) -> dict[str, Any]:
        """The campaign resource of the stop and status answers (``listed``: a list item)."""
        fields = record.fields
        sent, delivered = self.statistics(record)
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
            "statistics": {"delivered": delivered, "sent": sent},
            "calculated_price": fields["calculated_price"],
            "currency": fields["currency"],
        }
        if not listed:
            rcs = fields["message_type"] == "rcs"
            data["alternative_channels"] = {"sms": {"statistic": {"delivered": 0, "sent": 0}}} if rcs else None
        data.update(fields["extra"])
        return data

    def render_detail(self, record: Record) -> dict[str, Any]:
        """The ``/detail`` resource (OpenAPI ``campaign_details`` example)."""
        data = self.render(record)
        sent, delivered = self.statistics(record)
        recipients = int(record.fields["recipients"])
        counts = dict.fromkeys(("scheduled", "moderation", "accepted", "sending", "expired", "failed", "unknown", "read"), 0)
        counts.update(delivered=delivered, sent=sent - delivered, undelivered=0, not_viber_user=0, not_rcs_user=0)
        if "sending" not in record.entered:
            counts["scheduled"] = recipients
        return {
            "id": data["id"],
            "name": data["name"],
            "sender": data["sender"],
            "status": data["status"],
            "type": data["message_type"],
            "started_at": data["start_at"],
            "actual_start_at": data["real_start_at"],
            "finished_at": data["finished_at"],
            "created_at": data["created_at"],
            "statistics": counts,
            "total_messages": recipients,
            "total_phones": recipients,
            "total_price": f"{float(data['calculated_price']):.2f}",
            "currency": data["currency"],
            "alternative_channels": [],
        }

    def _find(self, raw: str) -> Record | None:
        return self.store.get(self.name, str(int(raw)))

    def _get(self, req: SimRequest, match: re.Match[str]) -> SimResponse:
        with self.store.lock:
            record = self._find(match[1])
            return json_response(404, NOT_FOUND) if record is None else json_response(200, {"data": self.render(record)})

    def _detail(self, req: SimRequest, match: re.Match[str]) -> SimResponse:
        with self.store.lock:
            record = self._find(match[1])
            return json_response(404, NOT_FOUND) if record is None else json_response(200, {"data": self.render_detail(record)})

    def _stop(self, req: SimRequest, match: re.Match[str]) -> SimResponse:
        with self.store.lock:
            record = self._find(match[1])
            if record is None:
                return json_response(404, NOT_FOUND)
            channel = record.fields["message_type"]
            if self.strict and req.method == "PUT" and channel != "rcs":
                return self.method_not_allowed(req, ["PATCH"])
            stoppable = STOPPABLE[channel] if self.strict else LENIENT_STOPPABLE
            if record.status not in stoppable:
                return json_response(422, INVALID_STATUS)
            self.accept_stop(record, "stopped")
            return json_response(200, {"data": self.render(record)})

    def _list(self, req: SimRequest, _: re.Match[str]) -> SimResponse:
        query = bsg_list.parse_query(req.query, self.strict, self.store.clock.time(), MACHINE.statuses)
        if isinstance(query, dict):
            return json_response(422, {"message": INVALID, "errors": query})
        with self.store.lock:
            rows = [(r.created, self.render(r, listed=True)) for r in self.store.all(self.name)]
        items = bsg_list.select(rows, query)
        size = self.page_size(query.limit)
        page = {"total": len(items), "offset": query.offset, "limit": size}
        return json_response(200, {"data": items[query.offset : query.offset + size], "meta": {"page": page}})
