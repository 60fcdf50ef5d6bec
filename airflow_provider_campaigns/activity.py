"""What a listed campaign says about its sending (read by each vendor module from its list rows).

When a vendor's pace is the limit, stops go out one slot after another and the order decides how
many messages still reach phones (``DESIGN.md``, "Stopping at a vendor's pace"). Vendors do not
report a campaign's sending rate; what their list rows do report (running or scheduled, a start
time, messages sent, contacts left) is read by each vendor module into an :class:`Activity`, and
:mod:`~airflow_provider_campaigns.engine.loudest_first` orders the stops: what is sending now (the largest remaining audience first
where the vendor reports it, else the fastest sender, else the most sent), then what starts soonest,
then the rest; ties and campaigns nothing is known of keep the order they were given in.
"""

from __future__ import annotations

from dataclasses import dataclass

#: the classes of the loudest-first order, in the order they are stopped
SENDING, STARTING, REST = 0, 1, 2


@dataclass(frozen=True)
class Activity:
    """What one list row says about a campaign's sending (``None``: the vendor does not report it).

    :param sending: it is sending now.
    :param starting: it is scheduled (or about) to start sending.
    :param starts_at: when it starts (epoch seconds, UTC), for a scheduled campaign.
    :param remaining: messages it still has to send (contacts left).
    :param sent: messages it has sent so far.
    :param sending_since: when it started sending (epoch seconds): with ``sent``, its rate so far.
    """

    sending: bool = False
    starting: bool = False
    starts_at: float | None = None
    remaining: int | None = None
    sent: int | None = None
    sending_since: float | None = None

    @property
    def rank(self) -> int:
        """0 sending now, 1 starting, 2 the rest (the classes the order of stops goes by)."""
        return SENDING if self.sending else STARTING if self.starting else REST

    def rate(self, now: float) -> float | None:
        """Messages a second since it started sending (``sent`` over the time since ``sending_since``), if both are known."""
        if self.sent is None or self.sending_since is None:
            return None
        return self.sent / max(1.0, now - self.sending_since)


def count(value: object) -> int | None:
    """A count a vendor reported (a whole number >= 0), else ``None``."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def epoch(value: object) -> float | None:
    """Epoch seconds of a vendor timestamp (ISO 8601, or BSG's zone-less ``yyyy-mm-dd hh:mm:ss`` as UTC; epoch numbers as
    they are), else ``None``.
    """
    from datetime import UTC, datetime

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)).timestamp()
