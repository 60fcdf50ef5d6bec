"""The flows written once over every vendor's API (sans-I/O, driven by either transport): the stop and the status
read of one campaign, and a list read to its end.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from airflow_provider_campaigns.core.flow import Budget, Flow, ResendHeld, Sleep, call
from airflow_provider_campaigns.core.wire import ApiRequest
from airflow_provider_campaigns.exceptions import (
    CampaignNotStoppableError,
    ContractError,
    PermanentError,
    ResponseFormatError,
    StopRejectedError,
    TransientError,
)
from airflow_provider_campaigns.status import ALREADY_FINAL, STOPPED, CampaignState, CampaignStatus
from airflow_provider_campaigns.vendors.base import Ref, VendorApi

log = logging.getLogger(__name__)

R = TypeVar("R", bound=Ref)

#: stops sent at most when each 2xx answer is unreadable and the campaign still runs after it
UNREADABLE_STOP_ATTEMPTS = 3



@dataclass(frozen=True)
class StopOutcome:
    """What one stop did: ``stopped`` (this call changed it) or ``already_final``."""

    outcome: str
    status: CampaignStatus



def status_flow(api: VendorApi[R], ref: R, budget: Budget) -> Flow[CampaignStatus]:
    """Read one campaign's status."""
    return call(api.status_request(ref), api.vendor, budget, api.auth.refreshable)


def stop_flow(api: VendorApi[R], ref: R, budget: Budget, fail_if_already_final: bool = False) -> Flow[StopOutcome]:
    """Stop one campaign, idempotently.

    When the vendor refuses the stop because of the campaign's state, the status is read: a final
    campaign counts as ``already_final`` (unless ``fail_if_already_final``); any other state fails
    with both the refusal and the state in the message. A 2xx answer that cannot be read (a
    truncated body, or one that contradicts the documented contract) is never taken on trust: the
    status is read, and the stop is sent again only while the campaign is still running (so a stop
    that was applied is never sent twice). A drifted status answer ends it at once
    (:class:`ContractError`); so does a stop answer that keeps contradicting the contract while the
    campaign keeps running.
    """
    request = api.stop_request(ref)
    if request.retry_unreadable:  # a stop is a write: an unreadable 2xx is checked by a status read, never re-sent blindly
        request = replace(request, retry_unreadable=False)
    deadline = budget.deadline_for_call()
    attempts = held = 0
    while attempts < UNREADABLE_STOP_ATTEMPTS:
        try:
            status = yield from call(request, api.vendor, budget.until(deadline), api.auth.refreshable)
            return StopOutcome(STOPPED, status)
        except ResendHeld as duplicate:
            status = yield from status_flow(api, ref, budget)
            if status.is_final:
                return (yield from _after_refusal(api, ref, budget, _as_refusal(duplicate), fail_if_already_final, status))
            delay, why_not = budget.policy.next_delay(held, duplicate.retry_after, deadline - budget.clock.monotonic())
            if delay is None:
                duplicate.args = (f"{duplicate} {ref.label} is still {status.vendor_status!r}; {why_not}. Retry the task.",)
                raise duplicate from None
            held += 1
            log.warning(
                "%s: the stop of %s met the duplicate-request answer (HTTP %s) and it is still %r; sending it again in %.2f s.",
                api.vendor,
                ref.label,
                duplicate.http_status,
                status.vendor_status,
                delay,
            )
            yield Sleep(delay)
        except (ResponseFormatError, ContractError) as unreadable:
            if unreadable.http_status is None or not 200 <= unreadable.http_status < 300:
                raise
            attempts += 1
            status = yield from status_flow(api, ref, budget)
            if status.is_final:
                return StopOutcome(STOPPED, status)
            log.warning(
                "%s: the stop answer was unreadable and %s is still %r; sending the stop again.",
                api.vendor,
                ref.label,
                status.vendor_status,
            )
            last: ResponseFormatError | ContractError = unreadable
        except StopRejectedError as rejected:
            return (yield from _after_refusal(api, ref, budget, rejected, fail_if_already_final))
    still = f" The campaign is still {status.vendor_status!r} after {UNREADABLE_STOP_ATTEMPTS} stop attempts"
    if isinstance(last, ContractError):
        raise ContractError(
            f"{last}{still}: the stop cannot be confirmed.",
            vendor=api.vendor,
            campaign_id=ref.label,
            http_status=last.http_status,
            endpoint=last.endpoint,
            missing=last.missing,
            doc=last.doc,
        )
    raise TransientError(f"{last}{still}; retry the task.", vendor=api.vendor, campaign_id=ref.label, http_status=last.http_status)


def _as_refusal(held: ResendHeld) -> StopRejectedError:
    """A duplicate-request answer read as a refusal, for :func:`_after_refusal` (the earlier identical stop may have applied)."""
    refusal = StopRejectedError(str(held), vendor=held.vendor, campaign_id=held.campaign_id, http_status=held.http_status)
    refusal.after_lost_answer = True
    return refusal


def _after_refusal(
    api: VendorApi[R],
    ref: R,
    budget: Budget,
    rejected: StopRejectedError,
    fail_if_already_final: bool,
    status: CampaignStatus | None = None,
) -> Flow[StopOutcome]:
    """The vendor refused the stop because of the campaign's state: read it (unless ``status`` was just read) and decide."""
    if status is None:
        status = yield from status_flow(api, ref, budget)
    if rejected.after_lost_answer and status.state is CampaignState.STOPPED:
        return StopOutcome(STOPPED, status)  # our earlier attempt stopped it; its answer was lost
    if not status.is_final:
        raise CampaignNotStoppableError(
            f"{rejected} The campaign is {status.vendor_status!r} ({status.state.value}), not final: {api.refusal_hint}",
            vendor=api.vendor,
            campaign_id=ref.label,
            http_status=rejected.http_status,
        )
    if fail_if_already_final:
        raise CampaignNotStoppableError(
            f"{api.vendor} campaign {ref.label} was already final ({status.vendor_status!r}) and fail_if_already_final=True.",
            vendor=api.vendor,
            campaign_id=ref.label,
        )
    return StopOutcome(ALREADY_FINAL, status)


@dataclass(frozen=True)
class Page:
    """One page of a vendor list: its items and, by the vendor's own signals, whether more follow."""

    items: list[CampaignStatus]
    more: bool



def paged_flow(
    api: VendorApi[Any], page_request: Callable[[int, int], ApiRequest[Page]], budget: Budget, max_pages: int
) -> Flow[list[CampaignStatus]]:
    """Every item of a paged vendor list, deduplicated by id, in order.

    ``page_request(index, received)`` builds the request of page ``index`` (from 0) after
    ``received`` rows so far (the offset for offset paging: a vendor may cap a page below the
    requested size).

    The vendor's own signals say when the list is complete (each vendor's page parser reads them and
    fails when they are missing). A page that signals more but brings nothing new, or needing more
    than ``max_pages`` pages, is an error, never a silently partial list: a kill switch must not
    miss campaigns.
    """
    found: dict[str, CampaignStatus] = {}
    received = 0
    for index in range(max_pages):
        request = page_request(index, received)
        page = yield from call(request, api.vendor, budget, api.auth.refreshable)
        received += len(page.items)
        known = len(found)
        for item in page.items:
            found.setdefault(item.campaign_id, item)
        if not page.more:
            return list(found.values())
        if len(found) == known:
            raise PermanentError(
                f"{api.vendor}: the {request.action} says more pages follow, but page {index + 1} brought nothing new "
                f"({len(page.items)} item(s) already seen): the list cannot be shown complete, so nothing is stopped from it.",
                vendor=api.vendor,
            )
    raise PermanentError(
        f"{api.vendor}: the {request.action} has more than {max_pages} pages; narrow it (filters, names, dates) "
        "so that nothing is silently left out.",
        vendor=api.vendor,
    )
