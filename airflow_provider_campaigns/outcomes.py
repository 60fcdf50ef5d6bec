"""Judging statuses against what the user accepts, and the JSON-safe result dicts (XCom, events)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from airflow_provider_campaigns.status import CampaignState, CampaignStatus, parse_states

DEFAULT_TARGET_STATES = (CampaignState.STOPPED, CampaignState.COMPLETED)


@dataclass(frozen=True)
class Verdict:
    """Whether waiting is over (``done``) and, if so, whether it ended well (``accepted``)."""

    done: bool
    accepted: bool
    message: str


def target_states(values: Iterable[str | CampaignState] | None) -> frozenset[CampaignState]:
    """Validated target states (default: stopped and completed)."""
    states = parse_states(values if values is not None else DEFAULT_TARGET_STATES, "target_states")
    if not states:
        from airflow_provider_campaigns.exceptions import InvalidInputError

        raise InvalidInputError("target_states must name at least one state.")
    return states


def judge(statuses: Sequence[CampaignStatus], targets: frozenset[CampaignState]) -> Verdict:
    """Done when every campaign is in a target state or final; accepted when all are in a target state."""
    pending = [s for s in statuses if s.state not in targets and not s.is_final]
    if pending:
        sample = ", ".join(f"{s.campaign_id} ({s.vendor_status})" for s in pending[:5])
        return Verdict(False, False, f"{len(pending)} of {len(statuses)} not final yet: {sample}")
    rejected = [s for s in statuses if s.state not in targets]
    if rejected:
        vendor = rejected[0].vendor
        sample = ", ".join(f"{s.campaign_id} is {s.vendor_status!r} ({s.state.value})" for s in rejected[:10])
        wanted = ", ".join(sorted(t.value for t in targets))
        return Verdict(
            True,
            False,
            f"{vendor}: {len(rejected)} campaign(s) ended in a state not accepted ({wanted}): {sample}. "
            "Check them in the vendor's console, or widen target_states.",
        )
    return Verdict(True, True, f"all {len(statuses)} campaign(s) reached {', '.join(sorted({s.state.value for s in statuses}))}")


def status_result(statuses: Sequence[CampaignStatus]) -> dict[str, Any]:
    """One campaign: its status dict; several: ``{"vendor", "campaigns", "totals"}``."""
    if len(statuses) == 1:
        return statuses[0].as_dict()
    return {
        "vendor": statuses[0].vendor if statuses else None,
        "campaigns": [s.as_dict() for s in statuses],
        "totals": dict(Counter(s.state.value for s in statuses)),
    }
