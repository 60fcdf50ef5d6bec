"""What every vendor module provides, and the stop/status flows written once for all of them.

A vendor module is pure: it builds :class:`~airflow_provider_campaigns.core.wire.ApiRequest`
objects and reads answers. Whether they travel through the sync hook or the async trigger is
not its business.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from dataclasses import fields as dataclass_fields
from typing import Any, ClassVar

from airflow_provider_campaigns.core.flow import Authenticator, Flow, Token, call
from airflow_provider_campaigns.core.retry import RetryPolicy
from airflow_provider_campaigns.core.wire import ApiRequest, Reply
from airflow_provider_campaigns.exceptions import (
    CampaignNotStoppableError,
    PermanentError,
    ResponseFormatError,
    StopRejectedError,
    TransientError,
)
from airflow_provider_campaigns.status import CampaignState, CampaignStatus, StatusMap

#: A campaign reference: always ``campaign_id``, plus vendor-specific keys (``channel``,
#: ``campaign_send_id``, ``stream_id``...). Plain strings, so it serializes into trigger kwargs.
CampaignRef = Mapping[str, str]

log = logging.getLogger(__name__)

STOPPED = "stopped"
ALREADY_FINAL = "already_final"


@dataclass(frozen=True)
class StopOutcome:
    """What one stop did: ``stopped`` (this call changed it) or ``already_final``."""

    outcome: str
    status: CampaignStatus

    def as_dict(self) -> dict[str, Any]:
        """The JSON-safe result for XCom."""
        return {**self.status.as_dict(), "outcome": self.outcome}


class VendorApi(ABC):
    """One vendor's API contract in code: request builders, answer parsers, status map."""

    vendor: ClassVar[str]
    auth: Authenticator
    statuses: StatusMap

    @abstractmethod
    def stop_request(self, ref: CampaignRef) -> ApiRequest[CampaignStatus]:
        """The stop call; its interpreter raises :class:`StopRejectedError` when the state forbids it."""

    @abstractmethod
    def status_request(self, ref: CampaignRef) -> ApiRequest[CampaignStatus]:
        """The status read of one campaign."""

    def label(self, ref: CampaignRef) -> str:
        """How messages name the campaign."""
        return ref["campaign_id"]


def status_flow(api: VendorApi, ref: CampaignRef, policy: RetryPolicy) -> Flow[CampaignStatus]:
    """Read one campaign's status."""
    return call(api.status_request(ref), api.vendor, policy, api.auth.refreshable)


def stop_flow(api: VendorApi, ref: CampaignRef, policy: RetryPolicy, fail_if_already_final: bool = False) -> Flow[StopOutcome]:
    """Stop one campaign, idempotently.

    When the vendor refuses the stop because of the campaign's state, the status is read: a final
    campaign counts as ``already_final`` (unless ``fail_if_already_final``); any other state fails
    with both the refusal and the state in the message. A 2xx answer that cannot be read is never
    taken on trust: the status is read, and the stop is sent again only while the campaign is
    still running (so a stop that was applied is never sent twice).
    """
    request = replace(api.stop_request(ref), retry_unreadable=False)
    for _ in range(policy.max_retries + 1):
        try:
            status = yield from call(request, api.vendor, policy, api.auth.refreshable)
            return StopOutcome(STOPPED, status)
        except ResponseFormatError as unreadable:
            if unreadable.http_status is None or not 200 <= unreadable.http_status < 300:
                raise
            status = yield from status_flow(api, ref, policy)
            if status.is_final:
                return StopOutcome(STOPPED, status)
            label, running = api.label(ref), status.vendor_status
            log.warning("%s: the stop answer was unreadable and %s is still %r; sending the stop again.", api.vendor, label, running)
            last = unreadable
        except StopRejectedError as rejected:
            return (yield from _after_refusal(api, ref, policy, rejected, fail_if_already_final))
    raise TransientError(
        f"{last} The campaign is still {status.vendor_status!r} after {policy.max_retries + 1} stop attempt(s); retry the task.",
        vendor=api.vendor,
        campaign_id=api.label(ref),
        http_status=last.http_status,
    )


def _after_refusal(
    api: VendorApi, ref: CampaignRef, policy: RetryPolicy, rejected: StopRejectedError, fail_if_already_final: bool
) -> Flow[StopOutcome]:
    """The vendor refused the stop because of the campaign's state: read it and decide."""
    status = yield from status_flow(api, ref, policy)
    if rejected.after_lost_answer and status.state is CampaignState.STOPPED:
        return StopOutcome(STOPPED, status)  # our earlier attempt stopped it; its answer was lost
    if not status.is_final:
        raise CampaignNotStoppableError(
            f"{rejected} The campaign is {status.vendor_status!r} ({status.state.value}), not final: "
            "the vendor does not let it be stopped in this state; check it in the vendor's console.",
            vendor=api.vendor,
            campaign_id=api.label(ref),
            http_status=rejected.http_status,
        )
    if fail_if_already_final:
        raise CampaignNotStoppableError(
            f"{api.vendor} campaign {api.label(ref)} was already final ({status.vendor_status!r}) and fail_if_already_final=True.",
            vendor=api.vendor,
            campaign_id=api.label(ref),
        )
    return StopOutcome(ALREADY_FINAL, status)


#: one page of a vendor list: its campaigns, and whether it is the last page
Page = tuple[list[CampaignStatus], bool]


def last_when_short(request: ApiRequest[list[CampaignStatus]], size: int) -> ApiRequest[Page]:
    """A list request whose page counts as the last when it holds fewer than ``size`` items."""
    read = request.interpret

    def interpret(reply: Reply) -> Page:
        items = read(reply)
        return items, len(items) < size

    fields = {f.name: getattr(request, f.name) for f in dataclass_fields(request)}
    return ApiRequest(**{**fields, "interpret": interpret})


def paged_flow(
    api: VendorApi, page_request: Callable[[int], ApiRequest[Page]], policy: RetryPolicy, max_pages: int
) -> Flow[list[CampaignStatus]]:
    """Every campaign of a paged vendor list (page index from 0), deduplicated by id, in order.

    Stops on the last page, or on a page that brings nothing new (a vendor ignoring the paging
    parameter). Needing more than ``max_pages`` pages is an error, never a silently partial list:
    a kill switch must not miss campaigns.
    """
    found: dict[str, CampaignStatus] = {}
    for index in range(max_pages):
        request = page_request(index)
        items, last = yield from call(request, api.vendor, policy, api.auth.refreshable)
        known = len(found)
        for item in items:
            found.setdefault(item.campaign_id, item)
        if last or len(found) == known:
            return list(found.values())
    raise PermanentError(
        f"{api.vendor}: the {request.action} has more than {max_pages} pages; narrow it (filters, names, dates) "
        "so that nothing is silently left out.",
        vendor=api.vendor,
    )


class StaticBearerAuth:
    """A long-lived key sent as ``Authorization: Bearer <key>`` (Cellcast, comm.com).

    Nothing to refresh: a 401 is final (:class:`~airflow_provider_campaigns.exceptions.AuthenticationError`).
    """

    refreshable = False

    def __init__(self, vendor: str, key: str) -> None:
        self.vendor = vendor
        self._key = key

    def token_flow(self) -> Flow[Token]:
        """The key itself; no request needed."""
        return Token(self._key)
        yield  # pragma: no cover - makes this a generator, like every other token flow

    def headers(self, token: str) -> dict[str, str]:
        """``Authorization: Bearer <key>``."""
        return {"Authorization": f"Bearer {token}"}
