"""Drive the simulator process through its ``/_sim`` control API and read its request log."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx

VENDORS = ("bsg", "cellcast", "comm", "kore")

_BSG_STOP = re.compile(r"^/api/campaigns/(\d+)/stop$")
_COMM_STOP = re.compile(r"^/api/v1/sms/campaigns/([0-9a-fA-F-]{36})/stop/([0-9a-fA-F-]{36})$")
_KORE_STOP = re.compile(r"^/campaign/api/v2/public/[^/]+/campaign//trigger/([^/]+)$")


@dataclass(frozen=True)
class StopRequest:
    """One stop request as the vendor saw it."""

    vendor: str
    key: str
    status: int | None
    time: float


def stop_request(entry: dict[str, Any]) -> StopRequest | None:
    """The stop request in a log entry (``None`` for status reads, logins, lists...)."""
    vendor, method, path = entry.get("vendor"), entry.get("method"), str(entry.get("path") or "")
    key: str | None = None
    if vendor == "bsg" and method in ("PATCH", "PUT"):
        match = _BSG_STOP.match(path)
        key = match[1] if match else None
    elif vendor == "cellcast" and method == "POST" and path == "/api/v1/gateway/cancelScheduleQuickMessage":
        body = entry.get("json")
        key = str(body.get("messageId")).lower() if isinstance(body, dict) else None
    elif vendor == "comm" and method == "POST":
        match = _COMM_STOP.match(path)
        key = match[2].lower() if match else None
    elif vendor == "kore" and method == "POST" and (entry.get("query") or {}).get("trigger") == "stop":
        match = _KORE_STOP.match(path)
        key = match[1] if match else None
    if key is None:
        return None
    return StopRequest(str(vendor), key, entry.get("status"), float(entry["time"]))


class SimClient:
    """A small client of the control API (one keep-alive connection)."""

    def __init__(self, url: str) -> None:
        """``url`` is the simulator's root, e.g. ``http://127.0.0.1:PORT``."""
        self.url = url
        self.http = httpx.Client(base_url=f"{url}/_sim", timeout=30)

    def close(self) -> None:
        """Close the connection."""
        self.http.close()

    def add(self, vendor: str, **spec: Any) -> Any:
        """Create a campaign; returns the id as the provider takes it (int, message id, [campaign, send], str)."""
        answer = self.http.post("/campaigns", json={"vendor": vendor, **spec})
        answer.raise_for_status()
        data = answer.json()
        if vendor == "cellcast":
            return data["ids"]
        if vendor == "comm":
            return [data["campaign_id"], data["campaign_send_id"]]
        return data["id"]

    def state(self, vendor: str, key: str) -> dict[str, Any]:
        """``{"state": resource, "stop_count": n}`` of one campaign (comm: the send id)."""
        answer = self.http.get(f"/campaigns/{vendor}/{key}")
        answer.raise_for_status()
        return dict(answer.json())

    def requests(self, vendor: str | None = None) -> list[dict[str, Any]]:
        """The request log, oldest first."""
        answer = self.http.get("/requests", params={"vendor": vendor} if vendor else None)
        answer.raise_for_status()
        return list(answer.json())

    def inject(self, **spec: Any) -> dict[str, Any]:
        """Queue a fault."""
        answer = self.http.post("/faults", json=spec)
        answer.raise_for_status()
        return dict(answer.json())

    def clear_faults(self) -> None:
        """Drop pending faults."""
        self.http.delete("/faults").raise_for_status()

    def reset(self) -> None:
        """Forget every campaign, fault and logged request (the fault generator restarts from its seed)."""
        self.http.post("/reset").raise_for_status()

    def config(self, **changes: Any) -> dict[str, Any]:
        """Change the simulator's settings (``drift={"kore": "missing_paging"}``); returns them all."""
        answer = self.http.post("/config", json=changes)
        answer.raise_for_status()
        return dict(answer.json())

    def outage(self, seconds: float) -> None:
        """Refuse connections for ``seconds`` (state kept); answered before the server goes down."""
        self.http.post("/outage", json={"seconds": seconds}).raise_for_status()

    def stopped(self, vendor: str, key: str, status: str) -> bool:
        """Whether the campaign shows ``status`` now; ``False`` while the simulator is unreachable."""
        try:
            return bool(self.state(vendor, key)["state"].get("status") == status)
        except httpx.HTTPError:
            return False

    def stops(self, since: float = 0.0) -> list[StopRequest]:
        """Every stop request logged at or after ``since``."""
        found = (stop_request(entry) for entry in self.requests() if float(entry["time"]) >= since)
        return [stop for stop in found if stop is not None]


def stop_counts(stops: list[StopRequest]) -> Counter[tuple[str, str]]:
    """(vendor, campaign key) → number of stop requests."""
    return Counter((s.vendor, s.key) for s in stops)


def tokens_in_log(entries: list[dict[str, Any]]) -> set[str]:
    """Every bearer token and Kore JWT the clients sent (BSG's issued JWTs, Kore's minted ones, API keys)."""
    found: set[str] = set()
    for entry in entries:
        headers = entry.get("headers") or {}
        for name in ("authorization", "auth"):
            value = str(headers.get(name) or "").strip()
            if value.lower().startswith("bearer "):
                value = value[7:].strip()
            if len(value) >= 16:
                found.add(value)
    return found
