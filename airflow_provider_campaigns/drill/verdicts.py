"""What a probe finds: a :class:`Verdict` (``confirmed``, ``contradicted`` or ``not probed``, and why)."""

from __future__ import annotations

from dataclasses import dataclass

CONFIRMED = "confirmed"
CONTRADICTED = "contradicted"
NOT_PROBED = "not probed"


@dataclass(frozen=True)
class Verdict:
    """What a probe found: ``confirmed``, ``contradicted`` or ``not probed``, and in words why."""

    outcome: str
    detail: str


def confirmed(detail: str) -> Verdict:
    """The vendor answered as the fact says."""
    return Verdict(CONFIRMED, detail)


def contradicted(detail: str) -> Verdict:
    """The vendor answered otherwise: the fact (and the client code resting on it) no longer holds."""
    return Verdict(CONTRADICTED, detail)


class NotProbed(Exception):
    """A probe could not run (no campaign to read, an earlier step failed); the message says why."""
