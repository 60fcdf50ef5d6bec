"""comm.com's resources as documented: ``SmsCampaignSendResource`` and the campaign resource.

Documented (seed ``comm-sms-stop.txt``; docs.commvoice.ai ``GET /v1/sms/campaigns/{campaign}``):
both carry ``meta`` with ``send_type``, ``segment_ids``, ``sms_routing_plan_id``,
``filter_segment_id``, ``domain_plan_id``, ``use_dedicated_domains``, ``manual_data``,
``multistep_data``, ``planner_data`` and ``multistep_status`` (``current_step``,
``total_available_contacts``, ``total_sent``, ``last_sent_timestamp``, ``start_timestamp``,
``initial_brands``, ``steps_performance``, ``status``, ``status_reason``, ``last_timezones``,
``planner_data``). The send adds ``id``, ``next_step_timestamp``, ``status``, ``created_at``,
``updated_at``, ``logs[]`` and ``sms_campaign_id``. The campaign resource has **no top-level
``status`` and no list of sends**: its status is ``data.meta.multistep_status.status``; its
``id`` and ``name`` are the fields of the documented update body.

Guessed: the campaign's ``created_at``/``updated_at``; a campaign's status is ``in_progress``
while any of its sends is sending (or it has none), else ``scheduled`` (or ``pending``) while one
waits to start, else its latest send's status; ``status_reason`` is ``null``
while running, ``"Stopped via API"`` or ``"Completed"`` after; ``next_step_timestamp``,
``last_sent_timestamp`` and ``start_timestamp`` are ``null`` when they do not apply;
timestamps are ISO 8601 with microseconds and ``Z`` (Laravel's default); ``send_datetime`` (in
``manual_data`` and ``multistep_data``) is when the send starts (a scheduled send's start time).

Lenient reading (``strict=False``): the campaign resource also carries a top-level ``status``
and a ``sends`` array of send resources (the simulator's earlier reading).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .clock import iso_us

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Progress:
    """What ``multistep_status`` reports about a send or a campaign."""

    status: str
    reason: str | None
    contacts: int
    sent: int
    started: float | None
    last_sent: float | None


def multistep(send_amount: int, when: float) -> dict[str, Any]:
    """A ``multistep_data`` block."""
    return {
        "step_size": send_amount,
        "step_delay": 5,
        "min_ctr": 0,
        "max_sms_to_send": send_amount,
        "max_minutes_to_send": 60,
        "send_datetime": iso_us(when),
        "is_active": False,
    }


def planner(send_amount: int, when: float) -> dict[str, Any]:
    """A ``planner_data`` block."""
    hours = {"start": "09:00", "end": "21:00"}
    return {
        "days_of_week": list(DAYS),
        "weekly_schedule": {"default": dict(hours), **{day: dict(hours) for day in DAYS}},
        "multistep_data": multistep(send_amount, when),
        "weekly_sms_contact_limit": 5,
        "daily_sms_contact_limit": 1,
        "is_active": False,
    }


def meta(plans: dict[str, str], send_amount: int, created: float, progress: Progress) -> dict[str, Any]:
    """The documented ``meta`` block; ``plans`` holds the three plan/segment UUIDs."""
    return {
        "send_type": "manual",
        "segment_ids": [],
        "sms_routing_plan_id": plans["sms_routing_plan_id"],
        "filter_segment_id": plans["filter_segment_id"],
        "domain_plan_id": plans["domain_plan_id"],
        "use_dedicated_domains": False,
        "manual_data": {"send_amount": send_amount, "send_datetime": iso_us(created), "throttle_batch_size": 0},
        "multistep_data": multistep(send_amount, created),
        "planner_data": planner(send_amount, created),
        "multistep_status": {
            "current_step": 0 if progress.started is None else 1,
            "total_available_contacts": progress.contacts,
            "total_sent": progress.sent,
            "last_sent_timestamp": None if progress.last_sent is None else int(progress.last_sent),
            "start_timestamp": None if progress.started is None else int(progress.started),
            "initial_brands": [],
            "steps_performance": [],
            "status": progress.status,
            "status_reason": progress.reason,
            "last_timezones": [],
            "planner_data": planner(send_amount, created),
        },
    }


def campaign_resource(
    campaign: dict[str, Any], progress: Progress, updated: float, sends: list[dict[str, Any]], strict: bool, send_at: float | None = None
) -> dict[str, Any]:
    """The campaign resource (``send_at``: its sends' first start, default its creation); lenient adds ``status`` and ``sends``."""
    data: dict[str, Any] = {
        "id": campaign["id"],
        "name": campaign["name"],
        "meta": meta(campaign["plans"], progress.contacts, campaign["created"] if send_at is None else send_at, progress),
        "created_at": iso_us(campaign["created"]),
        "updated_at": iso_us(updated),
    }
    if not strict:
        data["status"] = progress.status
        data["sends"] = sends
    return data
