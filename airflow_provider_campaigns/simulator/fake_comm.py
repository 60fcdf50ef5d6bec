"""Fake comm.com SMS campaigns API, mounted at ``/comm`` (docs base ``.../api``).

A campaign (UUID) has sends (UUIDs); the stop acts on one send.

Documented behaviour followed (seed ``comm-sms-stop.txt``; docs.commvoice.ai; ``VENDORS.md``):
``Authorization: Bearer <token>``; ``POST /api/v1/sms/campaigns/{campaign}/stop/{campaignSend}``
(both UUIDs) -> ``200 {"data": SmsCampaignSendResource}``; ``GET /api/v1/sms/campaigns/{campaign}``
-> ``{"data": campaign}``; ``GET /api/v1/sms/campaigns`` -> ``{"data": [campaign, ...]}``. The
resources are built by :mod:`.comm_render` (strict: the campaign has no top-level ``status`` and
no sends; lenient adds both).

Guessed (no error bodies, status enum, send read or paging are documented):

- Bad/missing token ``401 {"message": "Unauthenticated."}``; a non-UUID id, an unknown campaign
  or send, or a send of another campaign ``404 {"message": "Not found"}``; wrong method: Laravel's
  405 text; stopping a final send ``422 {"message": "Campaign send is not running."}``.
- Send statuses: pending, scheduled, in_progress (running, stoppable), stopped, completed,
  cancelled, failed (final). Stopping appends a log ``{"caller_type": "Send", "text": "Send
  stopped via API"}``.
- List paging: Laravel's paginator (``page`` from 1, ``per_page`` default 15, at most 100, 422
  above; ``links.next``, ``meta.last_page``, ``meta.total``).
- Time: pending/scheduled -> in_progress at ``starts_in`` -> completed at ``finishes_in``. A send
  with traffic (:mod:`.traffic`) reports its progress in the documented
  ``multistep_status.total_sent`` (its audience, ``send_amount``, in ``total_available_contacts``).
"""

from __future__ import annotations

import hmac
import math
import re
import secrets
import uuid
from typing import Any

from .clock import iso_us
from .comm_render import Progress, campaign_resource, meta
from .credentials import CredentialField, SimulatorCredentials
from .drift import DriftShape
from .fake_vendor import FakeVendor
from .http_types import SimRequest, SimResponse, int_param, json_response
from .state import Machine, Record, Timing, new_record
from .traffic import TrafficSetting

MACHINE = Machine(
    statuses=("pending", "scheduled", "in_progress", "stopped", "completed", "cancelled", "failed"),
    advancing=frozenset({"pending", "scheduled", "in_progress"}),
    running="in_progress",
    done="completed",
    aliases=(("canceled", "cancelled"),),
)
RUNNING = frozenset({"pending", "scheduled", "in_progress"})
REASONS = {"stopped": "Stopped via API", "completed": "Completed", "cancelled": "Cancelled", "failed": "Failed"}
PLANS = ("sms_routing_plan_id", "filter_segment_id", "domain_plan_id")
PER_PAGE_DEFAULT, PER_PAGE_MAX = 15, 100
NOT_FOUND = {"message": "Not found"}
_UUID = r"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
_PATH = "/api/v1/sms/campaigns"


def new_plans() -> dict[str, str]:
    """Fresh routing plan, segment and domain plan UUIDs."""
    return {key: str(uuid.uuid4()) for key in PLANS}


class FakeComm(FakeVendor):
    """The comm.com routes and resources."""

    name = "comm"
    title = "comm.com"
    credential_fields = (
        CredentialField("comm_token", lambda: f"{secrets.randbelow(900) + 100}|{secrets.token_urlsafe(30)}", "comm.com API token (Bearer)"),
    )
    drift_shape = DriftShape(
        ids=(("id",), "uuid"),
        statuses=(("status", "state.status"), ("meta.multistep_status.status", "meta.status")),
        paging=(("", ("links",)), ("meta", ("last_page", "total"))),
    )
    auth_first = False

    @classmethod
    def connection(cls, creds: SimulatorCredentials, url: str) -> dict[str, Any]:
        """The token in ``password``."""
        return cls.connection_to(url, password=creds.comm_token)

    def created(self, result: Any) -> dict[str, Any]:
        """``{"campaign_id", "campaign_send_id"}``: the campaign and its new send."""
        return {"campaign_id": result[0], "campaign_send_id": result[1]}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Register the routes."""
        super().__init__(*args, **kwargs)
        add = self.router.add
        add("GET", rf"{_PATH}", self._list)
        add("GET", rf"{_PATH}/{_UUID}", self._get)
        add("POST", rf"{_PATH}/{_UUID}/stop/{_UUID}", self._stop)

    def authenticate(self, req: SimRequest) -> SimResponse | None:
        """``Authorization: Bearer <token>``."""
        expected = f"Bearer {self.creds.comm_token}".encode()
        given = req.headers.get("authorization", "").strip().encode()
        return None if hmac.compare_digest(given, expected) else self.unauthorized()

    def error_body(self, status: int) -> Any:
        """Laravel-style ``{"message"}``."""
        return {"message": "Too Many Attempts."} if status == 429 else super().error_body(status)

    # -- campaigns -----------------------------------------------------------------
    def create(
        self,
        *,
        status: str | None,
        channel: str,
        name: str | None,
        timing: Timing,
        traffic: TrafficSetting | None = None,
        campaign_id: str | None = None,
        send_amount: int | None = None,
        **extra: Any,
    ) -> tuple[str, str]:
        """Create a send (in a new campaign, or in ``campaign_id``); returns both UUIDs."""
        if channel != "sms":
            raise ValueError("comm.com campaigns are SMS only")
        amount = int(send_amount) if send_amount is not None else traffic.audience if traffic is not None else 200
        send_id = str(uuid.uuid4())
        default = "scheduled" if traffic is not None and timing.starts_in else "in_progress"
        record = new_record(self.name, send_id, MACHINE, status or default, self.with_traffic(timing, traffic, amount), self.store.clock)
        self.attach_flow(record, traffic, amount, timing.starts_in)
        if record.status in ("in_progress", "completed", "stopped"):
            record.entered.setdefault("in_progress", record.created)
        with self.store.lock:
            key = (campaign_id or str(uuid.uuid4())).lower()
            campaign = self.store.group(self.name, key)
            if campaign is None:
                campaign = {"id": key, "name": name or f"Campaign {key[:8]}", "created": record.created, "sends": [], "plans": new_plans()}
                self.store.put_group(self.name, key, campaign)
            campaign["sends"].append(send_id)
            record.fields = {
                "campaign": key,
                "send_amount": amount,
                "plans": new_plans(),
                "extra": extra,
                "logs": [(record.created, "Send started")],
            }
            self.store.put(record)
        return key, send_id

    audience_field = "send_amount"

    def label(self, record: Record) -> str:
        """``"<campaign>/<send>"``, as the kill switch names a send."""
        return f"{record.fields['campaign']}/{record.key}"

    def key_of(self, campaign_id: Any) -> str:
        """A send UUID, or a ``(campaign, send)`` pair."""
        if isinstance(campaign_id, (list, tuple)):
            campaign_id = campaign_id[-1]
        return str(campaign_id).rpartition("/")[2].lower()

    def state(self, campaign_id: Any) -> dict[str, Any] | None:
        """A send's resource; a campaign UUID gives the campaign resource."""
        with self.store.lock:
            found = super().state(campaign_id)
            if found is None:
                campaign = self.store.group(self.name, self.key_of(campaign_id))
                return None if campaign is None else self.render_campaign(campaign)
            return found

    @staticmethod
    def progress(record: Record) -> Progress:
        """A send's ``multistep_status`` facts (``total_sent``: its traffic when it has some, else a fixed share)."""
        started = record.entered.get("in_progress")
        amount = int(record.fields["send_amount"])
        if record.flow is not None:
            sent = record.sent()
        else:
            sent = amount if record.status == "completed" else 0 if started is None else amount // 2
        last = None if started is None else record.updated
        return Progress(record.status, REASONS.get(record.status), amount, sent, started, last)

    def render(self, record: Record) -> dict[str, Any]:
        """An ``SmsCampaignSendResource``."""
        fields = record.fields
        final = record.status not in RUNNING
        data: dict[str, Any] = {
            "id": record.id,
            "next_step_timestamp": None if final else iso_us(record.updated + 300),
            "status": record.status,
            "meta": meta(fields["plans"], fields["send_amount"], self.send_at(record), self.progress(record)),
            "created_at": iso_us(record.created),
            "updated_at": iso_us(record.updated),
            "logs": [
                {"caller_id": record.id, "caller_type": "Send", "text": text, "created_at": iso_us(when)} for when, text in fields["logs"]
            ],
            "sms_campaign_id": fields["campaign"],
        }
        data.update(fields["extra"])
        return data

    def render_campaign(self, campaign: dict[str, Any]) -> dict[str, Any]:
        """The campaign resource (status at ``meta.multistep_status.status``)."""
        sends = [r for r in (self.store.get(self.name, s) for s in campaign["sends"]) if r is not None]
        parts = [self.progress(r) for r in sends]
        running = not sends or any(r.status in RUNNING for r in sends)
        status = campaign_status([r.status for r in sends])
        starts = [p.started for p in parts if p.started is not None]
        lasts = [p.last_sent for p in parts if p.last_sent is not None]
        progress = Progress(
            status,
            None if running else REASONS.get(status),
            sum(p.contacts for p in parts),
            sum(p.sent for p in parts),
            min(starts) if starts else None,
            max(lasts) if lasts else None,
        )
        updated = max([campaign["created"], *(r.updated for r in sends)])
        send_at = min((self.send_at(r) for r in sends), default=None)
        return campaign_resource(campaign, progress, updated, [self.render(r) for r in sends], self.strict, send_at)

    @staticmethod
    def send_at(record: Record) -> float:
        """When a send starts (``send_datetime``): its traffic's start, else its creation."""
        return record.created if record.flow is None else record.flow.start

    # -- routes ----------------------------------------------------------------------
    def _get(self, req: SimRequest, match: re.Match[str]) -> SimResponse:
        with self.store.lock:
            campaign = self.store.group(self.name, match[1].lower())
            if campaign is None:
                return json_response(404, NOT_FOUND)
            return json_response(200, {"data": self.render_campaign(campaign)})

    def _stop(self, req: SimRequest, match: re.Match[str]) -> SimResponse:
        with self.store.lock:
            record = self.store.get(self.name, match[2].lower())
            if record is None or record.fields["campaign"] != match[1].lower():
                return json_response(404, NOT_FOUND)
            if record.status not in RUNNING:
                return json_response(422, {"message": "Campaign send is not running."})
            if self.accept_stop(record, "stopped"):
                record.fields["logs"].append((self.store.clock.time(), "Send stopped via API"))
            return json_response(200, {"data": self.render(record)})

    def _list(self, req: SimRequest, _: re.Match[str]) -> SimResponse:
        try:
            page = int_param(req.query.get("page"), 1, minimum=1)
            per_page = int_param(req.query.get("per_page"), PER_PAGE_DEFAULT, minimum=1)
        except ValueError:
            return invalid("page", "The page and per_page must be positive integers.")
        if per_page > PER_PAGE_MAX:
            return invalid("per_page", f"The per page field must not be greater than {PER_PAGE_MAX}.")
        size = self.page_size(per_page)
        with self.store.lock:
            campaigns = list(self.store.groups.get(self.name, {}).values())
            items = [self.render_campaign(c) for c in campaigns[(page - 1) * size : page * size]]
        return json_response(200, {"data": items, **laravel_paging(page, size, len(campaigns), len(items))})


def campaign_status(sends: list[str]) -> str:
    """A campaign's status from its sends': ``in_progress`` while one sends (or it has none), else ``scheduled`` or
    ``pending`` while one waits to start, else its latest send's.
    """
    for status in ("in_progress", "scheduled", "pending"):
        if status in sends:
            return status
    return sends[-1] if sends else "in_progress"


def invalid(key: str, message: str) -> SimResponse:
    """Laravel's validation 422."""
    return json_response(422, {"message": message, "errors": {key: [message]}})


def laravel_paging(page: int, size: int, total: int, count: int) -> dict[str, Any]:
    """``links`` and ``meta`` of Laravel's length-aware paginator."""
    last = max(1, math.ceil(total / size))
    first_index = (page - 1) * size + 1 if count else None
    return {
        "links": {
            "first": f"{_PATH}?page=1",
            "last": f"{_PATH}?page={last}",
            "prev": f"{_PATH}?page={page - 1}" if page > 1 else None,
            "next": f"{_PATH}?page={page + 1}" if page < last else None,
        },
        "meta": {
            "current_page": page,
            "from": first_index,
            "last_page": last,
            "path": _PATH,
            "per_page": size,
            "to": None if first_index is None else first_index + count - 1,
            "total": total,
        },
    }
