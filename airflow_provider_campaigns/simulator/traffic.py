"""Messages in flight: what each campaign sends, when, and what a stop saves.

A campaign with a :class:`Flow` sends its ``audience`` one message after another, ``rate`` a
second, from ``start`` (wall time, the simulator's clock): message ``k`` goes out at
``start + k / rate`` (``rate`` infinite: every message at ``start``, as one scheduled Cellcast
message). An accepted stop *halts* it when its wind-down ends: messages due before the halt went
out, the rest never do. So the count is exact, a whole number at every moment, and the same
function answers "what did this campaign send by then" for the vendors' progress fields, for
``GET /_sim/traffic`` and for the optimum (:mod:`.optimum`).

Settings (:class:`TrafficSetting`): per vendor, the rate and audience a new campaign gets when it
names none itself (``Simulator(traffic=...)``, ``--traffic``, ``POST /_sim/traffic``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from . import fakes
from .clock import iso_ms, parse_when

#: guards ``ceil`` against a product like 2.0000000001 that is really 2
_EPSILON = 1e-9
DEFAULT_AUDIENCE = 1000


@dataclass(frozen=True)
class Flow:
    """What one campaign sends: ``audience`` messages, ``rate`` a second, from ``start`` (epoch seconds)."""

    rate: float
    audience: int
    start: float

    def __post_init__(self) -> None:
        if not self.rate > 0:
            raise ValueError(f"a campaign's rate must be > 0 messages a second, not {self.rate!r}")
        if self.audience < 0:
            raise ValueError(f"a campaign's audience must be >= 0 messages, not {self.audience!r}")

    @property
    def end(self) -> float:
        """When the last message goes out, unless a stop halts it first."""
        return self.start if math.isinf(self.rate) else self.start + max(0, self.audience - 1) / self.rate

    def sent_by(self, moment: float, halt: float | None = None) -> int:
        """Messages out strictly before ``moment`` (and before ``halt``, when a stop halted the campaign)."""
        until = moment if halt is None else min(moment, halt)
        if until <= self.start:
            return 0
        if math.isinf(self.rate):
            return self.audience
        return min(self.audience, math.ceil((until - self.start) * self.rate - _EPSILON))

    def sent_between(self, after: float, until: float, halt: float | None = None) -> int:
        """Messages out in ``[after, until)`` (``halt`` as in :meth:`sent_by`)."""
        return max(0, self.sent_by(until, halt) - self.sent_by(after, halt))


@dataclass(frozen=True)
class TrafficSetting:
    """A vendor's default traffic: ``rate`` messages a second, ``audience`` messages per campaign."""

    rate: float
    audience: int = DEFAULT_AUDIENCE

    @classmethod
    def build(cls, rate: Any, audience: Any = None) -> TrafficSetting:
        """A validated setting (``ValueError`` naming the bad value)."""
        return cls(check_rate(rate), DEFAULT_AUDIENCE if audience is None else check_audience(audience))

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {"rate": self.rate, "audience": self.audience}


def check_rate(value: object) -> float:
    """Messages a second: a number > 0 (``inf`` allowed: every message at once)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value) > 0:
        raise ValueError(f"rate must be a number of messages a second > 0, not {value!r}")
    return float(value)


def check_audience(value: object) -> int:
    """Messages a campaign sends in all: an integer >= 0."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"audience must be a whole number of messages >= 0, not {value!r}")
    return value


def check_settings(value: object, vendors: tuple[str, ...]) -> dict[str, TrafficSetting]:
    """``{vendor: TrafficSetting}`` from ``{vendor: rate | {"rate", "audience"} | None}`` (``"*"``: every vendor)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"traffic must map vendor names to a rate or {{'rate', 'audience'}}, not {value!r}")
    settings: dict[str, TrafficSetting] = {}
    for vendor, given in value.items():
        if isinstance(given, TrafficSetting):
            given = given.as_dict()
        names = vendors if vendor == "*" else (vendor,)
        if vendor != "*" and vendor not in vendors:
            raise ValueError(f"traffic: unknown vendor {vendor!r}; expected one of {', '.join(vendors)} or '*'")
        for name in names:
            if given is None:
                settings.pop(name, None)
            elif isinstance(given, dict):
                unknown = set(given) - {"rate", "audience"}
                if unknown:
                    raise ValueError(f"traffic[{vendor!r}]: unknown settings {', '.join(sorted(unknown))}; expected rate, audience")
                settings[name] = TrafficSetting.build(given.get("rate"), given.get("audience"))
            else:
                settings[name] = TrafficSetting.build(given)
    return settings


def parse_traffic(text: str) -> tuple[str, TrafficSetting]:
    """``"VENDOR=10"``, ``"10,audience=600"`` (every vendor) or ``"VENDOR=10,audience=600"`` (command line)."""
    head, *options = [part.strip() for part in text.split(",")]
    vendor, sep, rate = head.rpartition("=")
    values: dict[str, Any] = {}
    for option in options:
        key, eq, number = option.partition("=")
        if not eq or key != "audience" or not number.strip().isdigit():
            raise ValueError(f"unknown traffic option {option!r}; expected audience=N")
        values["audience"] = int(number)
    try:
        speed = float(rate)
    except ValueError:
        example = f"{fakes.example_key()}=10,audience=600"
        raise ValueError(f"expected [VENDOR=]RATE[,audience=N], e.g. {example}, not {text!r}") from None
    return (vendor.strip() if sep else "*"), TrafficSetting.build(speed, **values)


def moment(value: object) -> float:
    """Epoch seconds from an epoch number or an ISO 8601 date-time (``ValueError`` otherwise)."""
    if isinstance(value, str):
        text = value.strip()
        try:
            return float(text)
        except ValueError:
            pass
        try:
            return parse_when(text)
        except (TypeError, ValueError):
            raise ValueError(f"expected an epoch number or an ISO 8601 date-time, not {value!r}") from None
    try:
        return parse_when(value)
    except TypeError:
        raise ValueError(f"expected an epoch number or an ISO 8601 date-time, not {value!r}") from None


@dataclass(frozen=True)
class Sending:
    """One campaign's traffic as the simulator knows it (for the control API and :mod:`.optimum`)."""

    vendor: str
    label: str
    flow: Flow
    wind_down: float
    stopped_at: float | None
    halt: float | None

    def describe(self, after: float, until: float) -> dict[str, Any]:
        """JSON-safe facts: what it sent by ``until`` in all and from ``after`` on."""
        flow = self.flow
        return {
            "vendor": self.vendor,
            "id": self.label,
            "rate": None if math.isinf(flow.rate) else flow.rate,
            "audience": flow.audience,
            "start": flow.start,
            "start_iso": iso_ms(flow.start),
            "stopped_at": self.stopped_at,
            "halt": self.halt,
            "sent": flow.sent_by(until, self.halt),
            "sent_after": flow.sent_between(after, until, self.halt),
        }


def report(campaigns: list[Sending], after: float, until: float) -> dict[str, Any]:
    """``GET /_sim/traffic``: per campaign, per vendor and in total, messages sent by ``until`` and after ``after``."""
    rows = [campaign.describe(after, until) for campaign in campaigns]
    vendors: dict[str, dict[str, int]] = {}
    for row in rows:
        totals = vendors.setdefault(row["vendor"], {"campaigns": 0, "sent": 0, "sent_after": 0})
        totals["campaigns"] += 1
        totals["sent"] += row["sent"]
        totals["sent_after"] += row["sent_after"]
    return {
        "after": after,
        "after_iso": iso_ms(after),
        "until": until,
        "until_iso": iso_ms(until),
        "sent": sum(row["sent"] for row in rows),
        "sent_after": sum(row["sent_after"] for row in rows),
        "vendors": vendors,
        "campaigns": rows,
    }
