"""Settings every fake vendor reads on each request (changeable while the simulator runs)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from . import fakes
from .drift import check_drift
from .traffic import TrafficSetting, check_settings


@dataclass
class SimConfig:
    """Behaviour switches shared by the fake vendors (per-vendor ones keyed by the keys in :mod:`.fakes`).

    :param strict: answer exactly as the vendors document (``False``: the lenient
        "alternative reading", with the extensions listed in ``docs/vendor-contracts.md``).
    :param wind_down: default seconds an accepted stop takes before the campaign reports its
        stopped state (0 = at once); ``add_campaign(..., wind_down=...)`` overrides it per campaign.
    :param page_caps: per vendor, the most rows one list page holds whatever the client asks
        for (a server-side cap; absent = no cap).
    :param drift: per vendor, a drift switch (``renamed_field``, ``moved_status``,
        ``missing_paging``; see :mod:`.drift`): the vendor answers in that altered shape.
    :param traffic: per vendor, the messages a second (and audience) a new campaign sends when it
        names no ``rate`` itself (see :mod:`.traffic`); absent = no traffic.
    """

    strict: bool = True
    wind_down: float = 0.0
    page_caps: dict[str, int] = field(default_factory=dict)
    drift: dict[str, str] = field(default_factory=dict)
    traffic: dict[str, TrafficSetting] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.update(strict=self.strict, wind_down=self.wind_down, page_caps=self.page_caps, drift=self.drift, traffic=self.traffic)

    def update(self, **changes: Any) -> None:
        """Change some settings at once, validated (``ValueError``/``TypeError``; nothing changes then)."""
        unknown = set(changes) - {"strict", "wind_down", "page_caps", "drift", "traffic"}
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        strict = changes.get("strict", self.strict)
        if not isinstance(strict, bool):
            raise ValueError(f"strict must be true or false, not {strict!r}")
        wind_down = check_wind_down(changes.get("wind_down", self.wind_down))
        caps = check_page_caps(changes.get("page_caps", self.page_caps))
        vendors = fakes.keys()
        drift = check_drift(changes.get("drift", self.drift), vendors)
        traffic = self.traffic
        if "traffic" in changes:
            traffic = {**self.traffic, **check_settings(changes["traffic"], vendors)}
            traffic = {vendor: traffic[vendor] for vendor in vendors if vendor in traffic and not _lifted(changes["traffic"], vendor)}
        self.strict, self.wind_down, self.page_caps, self.drift = strict, wind_down, caps, drift
        self.traffic = traffic

    def page_size(self, vendor: str, requested: int) -> int:
        """How many rows a page really holds: ``requested``, or the vendor's cap if lower."""
        cap = self.page_caps.get(vendor)
        return requested if cap is None else min(requested, cap)

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe settings (for the control API)."""
        traffic = {vendor: setting.as_dict() for vendor, setting in self.traffic.items()}
        return {
            "strict": self.strict,
            "wind_down": self.wind_down,
            "page_caps": dict(self.page_caps),
            "drift": dict(self.drift),
            "traffic": traffic,
        }


def _lifted(given: object, vendor: str) -> bool:
    """Whether a traffic change sets ``vendor`` (or every vendor, ``"*"``) to ``None``."""
    if not isinstance(given, dict):
        return False
    return (vendor in given and given[vendor] is None) or ("*" in given and given["*"] is None and vendor not in given)


def check_wind_down(value: object) -> float:
    """A wind-down in seconds: a finite number >= 0 (``ValueError`` otherwise)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= float(value) < math.inf:
        raise ValueError(f"wind_down must be a number of seconds >= 0, not {value!r}")
    return float(value)


def check_page_caps(value: object) -> dict[str, int]:
    """``{vendor: rows}`` with known vendors and positive integers (``ValueError`` otherwise)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"page_caps must map vendor names to row counts, not {value!r}")
    caps: dict[str, int] = {}
    for vendor, rows in value.items():
        fakes.check_key(vendor, "page_caps")
        if rows is None:
            continue
        if isinstance(rows, bool) or not isinstance(rows, int) or rows < 1:
            raise ValueError(f"page_caps[{vendor!r}] must be a positive integer, not {rows!r}")
        caps[vendor] = rows
    return caps


def parse_page_cap(text: str) -> tuple[str, int]:
    """``"VENDOR=40"`` -> ``("VENDOR", 40)`` (for the command line)."""
    vendor, sep, rows = text.partition("=")
    if not sep or not rows.strip().isdigit():
        raise ValueError(f"expected VENDOR=ROWS, e.g. {fakes.example_key()}=40, not {text!r}")
    check_page_caps({vendor.strip(): int(rows)})
    return vendor.strip(), int(rows)
