"""A dry run's plan with an ETA: per vendor connection, how many campaigns, at what pace, and when the last stop lands.

The estimate is for stopping the dry run's plan (``CampaignKillSwitchOperator(plan=...)``) right after the
dry run, or the same targets when nothing changed meanwhile: every ``would_stop`` campaign costs
:data:`REQUESTS_PER_STOP` request, plus the list reads the selection (or the order of named campaigns) made.

- At a pace (a configured ``requests_per_second``, the vendor's documented default, or a rate learned
  from 429s in this process) the requests go out one slot after another: the last stop lands
  ``(requests - 1) / rate`` seconds after the first, plus one answer's time.
- Unlimited, the stops run ``max_concurrency`` at a time: the answer time measured in the dry run
  times the batches, but never less than the client's own CPU time per stop (:data:`CPU_PER_STOP`).
  A vendor whose limit is neither configured nor documented will refuse the burst and the pace it
  then learns makes the stop slower: configure ``requests_per_second`` for an ETA that holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_campaigns.engine.results import ALREADY_FINAL, WOULD_STOP

if TYPE_CHECKING:
    from airflow_provider_campaigns.hooks.base import CampaignHook

#: every vendor stops one campaign with one documented request (BSG PATCH/PUT, Cellcast cancel, comm.com stop, Kore.ai trigger)
REQUESTS_PER_STOP = 1
#: the client's own CPU per stop (``make benchmarks``: about 1 ms on this project's 2-core machine)
CPU_PER_STOP = 0.001
#: an answer's time when the dry run measured none
DEFAULT_ANSWER_TIME = 0.05


def pace_of(hook: CampaignHook[Any]) -> dict[str, Any]:
    """``{"requests_per_second": ..., "source": ...}``: the pace the connection keeps now, and where it comes from."""
    from airflow_provider_campaigns.core.settings import connection_extras

    pace = hook.transport.pace
    if pace.rate is None:
        return {"requests_per_second": None, "source": "unlimited"}
    if pace.configured is None:
        return {"requests_per_second": round(pace.rate, 4), "source": "learned from 429s in this process"}
    configured = "requests_per_second" in connection_extras(hook.connection)
    source = "configured (extra requests_per_second)" if configured else "the vendor's documented default"
    return {"requests_per_second": round(pace.rate, 4), "source": source}


def answer_time(hook: CampaignHook[Any]) -> float:
    """The mean time of the requests the hook's transport sent so far (:data:`DEFAULT_ANSWER_TIME` before any)."""
    if "transport" not in hook._built:
        return DEFAULT_ANSWER_TIME
    transport = hook.transport
    sent = transport.requests_sent
    return transport.request_seconds / sent if sent else DEFAULT_ANSWER_TIME


def requests_sent(hook: CampaignHook[Any]) -> int:
    """How many requests the hook's transport sent so far (0 before its first)."""
    return hook.transport.requests_sent if "transport" in hook._built else 0


def part_eta(hook: CampaignHook[Any], entries: Sequence[Mapping[str, Any]], list_requests: int) -> dict[str, Any]:
    """One vendor connection's plan: campaigns, pace, requests and when its last stop should land."""
    import pendulum

    campaigns = sum(1 for item in entries if item["outcome"] == WOULD_STOP)
    requests = list_requests + campaigns * REQUESTS_PER_STOP if campaigns else 0
    pace = pace_of(hook)
    answer = answer_time(hook)
    rate = pace["requests_per_second"]
    if not requests:
        seconds = 0.0
    elif rate:
        seconds = (requests - 1) / rate + answer
    else:
        batches = -(-campaigns // max(1, hook.pool_size))
        seconds = list_requests * answer + max(batches * answer, campaigns * CPU_PER_STOP)
    return {
        "vendor": hook.conn_type,
        "conn_id": hook.conn_id,
        "campaigns": campaigns,
        "already_final": sum(1 for item in entries if item["outcome"] == ALREADY_FINAL),
        "pace": pace,
        "requests_per_stop": REQUESTS_PER_STOP,
        "list_requests": list_requests if campaigns else 0,
        "requests": requests,
        "seconds": round(seconds, 1),
        "last_stop_at": pendulum.from_timestamp(hook.clock.time() + seconds, tz="UTC").to_iso8601_string(),
    }


def plan_eta(parts: Sequence[Mapping[str, Any]], now: float) -> dict[str, Any]:
    """The whole plan: the vendors stop concurrently, so the last stop lands when the slowest part's does."""
    import pendulum

    slowest = max(parts, key=lambda part: part["seconds"], default=None)
    seconds = slowest["seconds"] if slowest else 0.0
    return {
        "seconds": seconds,
        "last_stop_at": slowest["last_stop_at"] if slowest else pendulum.from_timestamp(now, tz="UTC").to_iso8601_string(),
        "as_of": pendulum.from_timestamp(now, tz="UTC").to_iso8601_string(),
        "parts": list(parts),
    }


def describe_part(part: Mapping[str, Any]) -> str:
    """``Kore.ai kore_default: 100 campaign(s), 1 request each + 1 list request(s) = 101 at 0.97/s (configured): 104.1 s,
    last stop at 2026-12-07T08:01:44Z``.
    """
    pace = part["pace"]
    at = f"{pace['requests_per_second']:g}/s ({pace['source']})" if pace["requests_per_second"] else "no pace limit (unlimited)"
    return (
        f"{part['vendor']} {part['conn_id']}: {part['campaigns']} campaign(s), {part['requests_per_stop']} request each"
        f" + {part['list_requests']} list request(s) = {part['requests']} at {at}: {part['seconds']:g} s,"
        f" last stop at {part['last_stop_at']}"
    )
