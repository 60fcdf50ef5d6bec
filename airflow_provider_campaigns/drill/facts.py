"""A fact of the fire drill: what the client relies on (or ``docs/vendor-contracts.md`` marks as a guess) and the
read-only probe that tests it, or why none exists.

Each vendor's facts module declares its own facts (``DRILL_FACTS``, built with :func:`named`); every vendor
also gets :func:`core_facts`, the kill switch's own reads. :mod:`.runner` finds them through the registry.
"""

from __future__ import annotations

from dataclasses import dataclass

from airflow_provider_campaigns.drill import probes
from airflow_provider_campaigns.drill.probes import Probe

#: why a guess has no read-only probe, in the words the results use
NEEDS_A_STOP = "only a stop (or cancel) would show it, and the drill stops nothing"
NEEDS_A_TRIGGER = "only a trigger (play or stop) would show it, and the drill triggers nothing"
VALUES_VARY = "the values are the simulator's choice; a vendor's own differ by campaign, so no answer contradicts them"
NOT_A_READ = "a wrong method would be a write to the vendor, and a 429 cannot be provoked without flooding it"
FLOODING = "a 429 cannot be provoked without flooding the vendor with calls"
MEANING = "what a status or a count means for sending is not in any answer"
UNFALSIFIABLE = "the fields are undocumented and the client never reads that answer: no answer could contradict the guess"
UNREAD_ENVELOPE = "the client reads no envelope key beyond status, message, data and error: no answer could contradict the guess"


@dataclass(frozen=True)
class Fact:
    """One fact: where it is written, what it says, and its probe (``None``: ``why_not``).

    :param key: the fact's name: the first column of its row in ``docs/vendor-contracts.md``
        (``kore.list.skip_wins``), or ``<vendor>.credentials``/``.list``/``.status`` for the core checks.
    :param vendor: the vendor key (``kore``).
    :param claim: the fact in a few words.
    :param guess: whether that page marks it a guess.
    :param named: whether a row of that page names it (the core checks are the client's own reads).
    """

    key: str
    vendor: str
    claim: str
    guess: bool = False
    probe: Probe | None = None
    why_not: str = ""
    named: bool = False


def core_facts(vendor: str) -> list[Fact]:
    """The three checks every connection gets: the calls the kill switch makes (no row of the page: code, not a claim)."""
    return [
        Fact(f"{vendor}.credentials", vendor, "the connection's credentials are accepted", probe=probes.credentials),
        Fact(f"{vendor}.list", vendor, "one list page reads as the client reads it, paging signals included", probe=probes.list_page),
        Fact(
            f"{vendor}.status",
            vendor,
            "one campaign's status reads where the client reads it, in a status it knows",
            probe=probes.status_read,
        ),
    ]


def named(key: str, claim: str, probe: Probe | None = None, why_not: str = "", guess: bool = True) -> Fact:
    """A fact a row of ``docs/vendor-contracts.md`` names: ``key`` is the row's name (``<vendor>.<...>``)."""
    return Fact(key, key.split(".", 1)[0], claim, guess, probe, why_not, named=True)
