"""Fake comm.com SMS campaigns API, mounted at ``/comm`` (docs base ``.../api``).

A campaign (UUID) has sends (UUIDs); the stop acts on one send.

Documented behaviour followed: ``Authorization: Bearer <token>``; ``POST
/api/v1/sms/campaigns/{campaign}/stop/{campaignSend}`` (both UUIDs) -> ``200
{"data": SmsCampaignSendResource}`` (``id``, ``next_step_timestamp``, ``status``,
``meta{send_type, ..., multistep_status{status, status_reason, ...}}``,
``created_at``, ``updated_at``, ``logs[]``, ``sms_campaign_id``); ``GET
/api/v1/sms/campaigns``; ``GET /api/v1/sms/campaigns/{campaign}``.

Simulator choices where the docs are silent (no error bodies, no status enum, no
send status endpoint are documented):

- Bad/missing token: ``401 {"message": "Unauthenticated."}``. A non-UUID id, an
  unknown campaign or send, or a send of another campaign: ``404 {"message": "Not
  found"}``. Wrong method: Laravel's 405 text.
- Send statuses: pending, scheduled, in_progress (running, stoppable), stopped,
  completed, cancelled, failed (final). Stopping a final send: ``422 {"message":
  "Campaign send is not running."}``.
- ``meta.multistep_status.status`` mirrors the send's ``status``; its
  ``status_reason`` is ``null`` while running, ``"Stopped via API"`` or
  ``"Completed"`` after. Stopping appends a log ``{"caller_type": "Send", "text":
  "Send stopped via API"}``. ``next_step_timestamp`` is ``null`` once final.
  Timestamps are ISO 8601 with microseconds and ``Z`` (Laravel's default).
- ``GET /api/v1/sms/campaigns/{campaign}`` answers ``{"data": {"id", "name",
  "status", "created_at", "updated_at", "sends": [SmsCampaignSendResource...]}}``:
  the ``sends`` array is the simulator's reading. The campaign ``status`` is
  ``in_progress`` while any send runs, else the latest send's status.
- List: Laravel paginator: ``{"data": [...], "links": {...}, "meta":
  {"current_page", "from", "last_page", "path", "per_page", "to", "total"}}``;
  ``page`` from 1, ``per_page`` default 15, max 100 (422 above).
- Time: pending/scheduled -> in_progress at ``starts_in``, -> completed at
  ``finishes_in``.
"""

from __future__ import annotations

import hmac
import math
import re
import time
import uuid
from typing import Any

from .clock import iso_us
from .fake_vendor import FakeVendor
from .http_types import SimRequest, SimResponse, int_param, json_response
from .state import Machine, Record, new_record

MACHINE = Machine(
    statuses=("pending", "scheduled", "in_progress", "stopped", "completed", "cancelled", "failed"),
    advancing=frozenset({"pending", "scheduled", "in_progress"}),
    running="in_progress",
    done="completed",
    aliases=(("canceled", "cancelled"),),
)
RUNNING = frozenset({"pending", "scheduled", "in_progress"})
NOT_FOUND = {"message": "Not found"}
_UUID = r"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"


class FakeComm(FakeVendor):
    """The comm.com routes and resources."""

    name = "comm"
    auth_first = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Register the routes."""
        super().__init__(*args, **kwargs)
        add = self.router.add
        add("GET", r"/api/v1/sms/campaigns", self._list)
        add("GET", rf"/api/v1/sms/campaigns/{_UUID}", self._get)
        add("POST", rf"/api/v1/sms/campaigns/{_UUID}/stop/{_UUID}", self._stop)

    def authenticate(self, req: SimRequest) -> SimResponse | None:
        """``Authorization: Bearer <token>``."""
        expected = f"Bearer {self.creds.comm_token}".encode()
        given = req.headers.get("authorization", "").strip().encode()
        return None if hmac.compare_digest(given, expected) else self.unauthorized()

    def error_body(self, status: int) -> Any:
        """Laravel-style ``{"message"}``."""
        return {"message": "Too Many Attempts."} if status == 429 else super().error_body(status)

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
        campaign_id: str | None = None,
        send_amount: int = 200,
        **extra: Any,
    ) -> tuple[str, str]:
        """Create a send (in a new campaign, or in ``campaign_id``); returns both UUIDs."""
        if channel.lower() != "sms":
            raise ValueError("comm.com campaigns are SMS only")
        send_id = str(uuid.uuid4())
        record = new_record(
            self.name,
            send_id,
            MACHINE,
            status or "in_progress",
            starts_in=starts_in,
            finishes_in=finishes_in,
            created_at=created_at,
            wind_down=wind_down,
        )
        if record.status in ("in_progress", "completed", "stopped"):
            record.entered.setdefault("in_progress", record.created)
        with self.store.lock:
            if campaign_id is None:
                campaign_id = str(uuid.uuid4())
            campaign = self.store.group(self.name, campaign_id.lower())
            if campaign is None:
                campaign = {
                    "id": campaign_id.lower(),
                    "name": name or f"Campaign {campaign_id[:8]}",
                    "created": record.created,
                    "sends": [],
                }
                self.store.put_group(self.name, campaign["id"], campaign)
            campaign["sends"].append(send_id)
            record.fields = {
                "campaign": campaign["id"],
                "send_amount": int(send_amount),
                "extra": extra,
                "logs": [(record.created, "Send started")],
            }
            self.store.put(record)
        return campaign["id"], send_id

    def key_of(self, campaign_id: Any) -> str:
        """A send UUID, or a ``(campaign, send)`` pair."""
        if isinstance(campaign_id, (list, tuple)):
            campaign_id = campaign_id[-1]
        return str(campaign_id).lower()

    def state(self, campaign_id: Any) -> dict[str, Any] | None:
        """A send's resource; a campaign UUID gives the campaign with its sends."""
        with self.store.lock:
            found = super().state(campaign_id)
            if found is None:
                campaign = self.store.group(self.name, self.key_of(campaign_id))
                return None if campaign is None else self.render_campaign(campaign)
            return found

    def render(self, record: Record) -> dict[str, Any]:
        """An ``SmsCampaignSendResource``."""
        fields = record.fields
        final = record.status not in RUNNING
        reason = None if not final else "Stopped via API" if record.status == "stopped" else "Completed"
        started = record.entered.get("in_progress")
        amount = fields["send_amount"]
        sent = amount if record.status == "completed" else 0 if started is None else amount // 2
        data: dict[str, Any] = {
            "id": record.id,
            "next_step_timestamp": None if final else iso_us(record.updated + 300),
            "status": record.status,
            "meta": {
                "send_type": "manual",
                "segment_ids": [],
                "sms_routing_plan_id": None,
                "filter_segment_id": None,
                "domain_plan_id": None,
                "use_dedicated_domains": False,
                "manual_data": {"send_amount": fields["send_amount"], "send_datetime": iso_us(record.created), "throttle_batch_size": 0},
                "multistep_status": {
                    "current_step": 0 if started is None else 1,
                    "total_available_contacts": fields["send_amount"],
                    "total_sent": sent,
                    "last_sent_timestamp": None if started is None else int(record.updated),
                    "start_timestamp": None if started is None else int(started),
                    "initial_brands": [],
                    "steps_performance": [],
                    "status": record.status,
                    "status_reason": reason,
                    "last_timezones": [],
                },
            },
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
        """A campaign with its sends (the ``sends`` array is the simulator's reading)."""
        sends = [r for r in (self.store.get(self.name, s) for s in campaign["sends"]) if r is not None]
        running = any(r.status in RUNNING for r in sends)
        status = "in_progress" if running or not sends else sends[-1].status
        updated = max([campaign["created"], *(r.updated for r in sends)])
        return {
            "id": campaign["id"],
            "name": campaign["name"],
            "status": status,
            "created_at": iso_us(campaign["created"]),
            "updated_at": iso_us(updated),
            "sends": [self.render(r) for r in sends],
        }

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
                record.fields["logs"].append((time.time(), "Send stopped via API"))
            return json_response(200, {"data": self.render(record)})

    def _list(self, req: SimRequest, _: re.Match[str]) -> SimResponse:
        try:
            page = int_param(req.query.get("page"), 1, minimum=1)
            per_page = int_param(req.query.get("per_page"), 15, minimum=1)
        except ValueError:
            return json_response(
                422, {"message": "The given data was invalid.", "errors": {"page": ["The page and per_page must be positive integers."]}}
            )
        if per_page > 100:
            return json_response(
                422,
                {
                    "message": "The per page field must not be greater than 100.",
                    "errors": {"per_page": ["The per page field must not be greater than 100."]},
                },
            )
        with self.store.lock:
            campaigns = list(self.store.groups.get(self.name, {}).values())
            total = len(campaigns)
            items = [self.render_campaign(c) for c in campaigns[(page - 1) * per_page : page * per_page]]
        last = max(1, math.ceil(total / per_page))
        path = "/api/v1/sms/campaigns"
        first_index = (page - 1) * per_page + 1 if items else None
        return json_response(
            200,
            {
                "data": items,
                "links": {
                    "first": f"{path}?page=1",
                    "last": f"{path}?page={last}",
                    "prev": f"{path}?page={page - 1}" if page > 1 else None,
                    "next": f"{path}?page={page + 1}" if page < last else None,
                },
                "meta": {
                    "current_page": page,
                    "from": first_index,
                    "last_page": last,
                    "path": path,
                    "per_page": per_page,
                    "to": None if first_index is None else first_index + len(items) - 1,
                    "total": total,
                },
            },
        )
