"""A kill switch's report held against the simulator's truth, on plain values.

The truth is what the control API says of each named campaign (``GET /_sim/campaigns/{vendor}/{id}``:
its ``state`` and its ``stop_count``); the report is the result's entries. Any client of the control
API judges a run with it (the ceilings benchmark, the deployment suite in its own environment with the
wheel installed); it needs nothing but the standard library.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

#: ``(vendor, simulator key) -> the control API's answer for that campaign``
StateReader = Callable[[str, str], Mapping[str, Any]]


def campaign_key(campaign_id: object) -> str:
    """The simulator's key of a campaign reference or a result entry's ``campaign_id`` (of ``<campaign>/<send>``, the send)."""
    return str(campaign_id).rsplit("/", 1)[-1].lower()


def report_mistakes(
    named: Mapping[str, Iterable[str]],
    entries: Iterable[Mapping[str, Any]],
    state_of: StateReader,
    final: Mapping[str, Collection[str]],
    unreported_final_ok: bool = False,
) -> tuple[list[str], int]:
    """(where the report contradicts the simulator, how many campaigns are left running).

    Every campaign ``named`` (per vendor) must be final in the simulator (a status in ``final[vendor]``), and its entry
    must say ``stopped`` if this run stopped it (its stop count is 1), else ``already_final``. With
    ``unreported_final_ok``, a campaign final by itself may have no entry (a listing does not select it).
    """
    reported = {(str(entry["vendor"]), campaign_key(entry["campaign_id"])): str(entry["outcome"]) for entry in entries}
    mistakes: list[str] = []
    running = 0
    for vendor, references in named.items():
        for reference in references:
            key = campaign_key(reference)
            seen = state_of(vendor, key)
            status, stopped = str(seen["state"].get("status")), int(seen["stop_count"]) == 1
            outcome = reported.get((vendor, key))
            if status not in final[vendor]:
                running += 1
                mistakes.append(f"{vendor} {key}: still {status!r} (reported {outcome!r})")
            elif stopped and outcome != "stopped":
                mistakes.append(f"{vendor} {key}: stopped by this run, reported {outcome!r}")
            elif not stopped and outcome != "already_final" and not (outcome is None and unreported_final_ok):
                mistakes.append(f"{vendor} {key}: final by itself ({status}), reported {outcome!r}")
    return mistakes, running
