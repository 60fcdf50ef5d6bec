"""What every vendor module provides, and the flows written once for all of them.

A vendor module is pure: it builds :class:`~airflow_provider_campaigns.core.wire.ApiRequest`
objects and reads answers. Whether they travel through the sync hook or the async trigger is
not its business.
"""

from __future__ import annotations

import ast
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, ClassVar, Generic, TypeVar

from airflow_provider_campaigns.activity import Activity
from airflow_provider_campaigns.core.flow import Authenticator, Budget, Flow, ResendHeld, Sleep, Token, call
from airflow_provider_campaigns.core.wire import ApiRequest, Reply
from airflow_provider_campaigns.exceptions import (
    CampaignNotStoppableError,
    ContractError,
    InvalidInputError,
    PermanentError,
    ResponseFormatError,
    StopRejectedError,
    TransientError,
)
from airflow_provider_campaigns.status import ALREADY_FINAL, STOPPED, CampaignState, CampaignStatus, StatusMap, iso_utc

log = logging.getLogger(__name__)

#: stops sent at most when each 2xx answer is unreadable and the campaign still runs after it
UNREADABLE_STOP_ATTEMPTS = 3


@dataclass(frozen=True)
class Ref:
    """A validated reference to one campaign (a vendor subclass per kind: ids, channel, stream).

    Built once by validation, carried to the request builders, and serialized (as plain values)
    into trigger kwargs and dry-run plans.
    """

    @property
    def label(self) -> str:
        """How results and messages name the campaign."""
        raise NotImplementedError

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe fields (trigger kwargs, plans)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


R = TypeVar("R", bound=Ref)


@dataclass(frozen=True)
class ApiOptions:
    """Options a vendor API is built with besides the connection (serialized by the trigger).

    :param status_map: extra ``{vendor status: normalized state}`` entries.
    """

    status_map: Mapping[str, str] | None = None


@dataclass(frozen=True)
class StopOutcome:
    """What one stop did: ``stopped`` (this call changed it) or ``already_final``."""

    outcome: str
    status: CampaignStatus


@dataclass(frozen=True)
class Page:
    """One page of a vendor list: its items and, by the vendor's own signals, whether more follow."""

    items: list[CampaignStatus]
    more: bool


class VendorApi(ABC, Generic[R]):
    """One vendor's API contract in code: request builders, answer parsers, status map."""

    vendor: ClassVar[str]
    #: said when a refused stop leaves the campaign not final (what the vendor's docs leave unknown)
    refusal_hint: ClassVar[str] = "the vendor does not let it be stopped in this state; check it in the vendor's console."
    auth: Authenticator
    statuses: StatusMap

    @abstractmethod
    def stop_request(self, ref: R) -> ApiRequest[CampaignStatus]:
        """The stop call; its interpreter raises :class:`StopRejectedError` when the state forbids it."""

    @abstractmethod
    def status_request(self, ref: R) -> ApiRequest[CampaignStatus]:
        """The status read of one campaign."""

    def status_of(
        self,
        campaign_id: str,
        raw: Any,
        data: Mapping[str, Any],
        reply: Reply,
        timestamp_fields: Iterable[str] = (),
        name_field: str = "name",
        activity: Activity | None = None,
    ) -> CampaignStatus:
        """A :class:`CampaignStatus` from a raw status and the object carrying it (the one parser of statuses).

        A missing or non-text status is an unreadable answer; timestamps are kept as the vendor wrote them;
        ``activity`` is what a list row said about the campaign's sending.
        """
        if not isinstance(raw, str) or not raw.strip():
            raise reply.contract_error(f"no status for campaign {campaign_id} in the answer")
        name = data.get(name_field)
        return CampaignStatus(
            vendor=self.vendor,
            campaign_id=campaign_id,
            state=self.statuses.normalize(raw),
            vendor_status=raw,
            timestamps={key: iso_utc(data[key]) for key in timestamp_fields if isinstance(data.get(key), str) and data[key]},
            name=name if isinstance(name, str) and name else None,
            activity=activity,
        )


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


def name_matches(name: str | None, name_contains: str | None) -> bool:
    """The one name filter: ``name`` contains ``name_contains``, case-insensitively; no filter matches all."""
    return not name_contains or name_contains.casefold() in (name or "").casefold()


def active_matching(statuses: Iterable[CampaignStatus], name_contains: str | None) -> list[CampaignStatus]:
    """The campaigns that are not final and whose name matches, once each, in order.

    A campaign in a status this provider does not know (``unknown``) is kept and logged: it is not
    known to be final, so a kill switch attempts it rather than silently skipping it.
    """
    chosen: dict[str, CampaignStatus] = {}
    for status in statuses:
        if status.is_final or not name_matches(status.name, name_contains):
            continue
        if status.state is CampaignState.UNKNOWN:
            log.warning(
                "%s campaign %s has a status this provider does not know (%r): selecting it anyway.",
                status.vendor,
                status.campaign_id,
                status.vendor_status,
            )
        chosen.setdefault(status.campaign_id, status)
    return list(chosen.values())


def rendered_list(value: Any, parameter: str) -> Any:
    """A list given as rendered template text, read back: JSON (``{{ ids | tojson }}``) or the Python literal
    Jinja renders for ``{{ params.ids }}`` (``['a', 'b']``); anything else is returned as it is.
    """
    if not isinstance(value, str) or not value.strip().startswith("["):
        return value
    try:
        return json.loads(value)
    except ValueError:
        pass
    try:
        return ast.literal_eval(value.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise InvalidInputError(f"{parameter} looks like a list but is neither JSON nor a Python list: {value[:80]!r}.") from None


def id_list(values: Any, parameter: str, validate: Callable[[Any, str], Any]) -> list[Any]:
    """The one id-list validator: a non-empty list (or its rendered text), each item validated, duplicates dropped."""
    values = rendered_list(values, parameter)
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise InvalidInputError(f"{parameter} must be a list of ids, not {type(values).__name__} {values!r:.60}.")
    if not values:
        raise InvalidInputError(f"{parameter} is empty: name at least one campaign.")
    return list(dict.fromkeys(validate(value, f"{parameter}[{index}]") for index, value in enumerate(values)))


def exactly_one(owner: str, **given: bool) -> None:
    """The one exactly-one-of check: fails naming the alternatives unless exactly one is given."""
    if sum(given.values()) != 1:
        names = list(given)
        raise InvalidInputError(f"{owner}: give exactly one of {', '.join(names[:-1])} or {names[-1]}.")


@dataclass(frozen=True)
class VendorSpec(Generic[R]):
    """What the hook and the trigger need to know of a vendor module to talk to the vendor.

    :param key: the vendor key (``bsg``), also the connection type.
    :param name: the display name (``BSG``).
    :param ref: the reference class, rebuilt from trigger kwargs and plans with ``ref.from_dict``.
    :param options: the options class (:class:`ApiOptions` or a vendor subclass).
    :param from_connection: builds the vendor API from a connection, its transport settings and options.
    :param requests_per_second: the request rate the vendor documents (kept unless the connection's
        extra ``requests_per_second`` says otherwise); ``None``: none documented, learned from 429s.
    """

    key: str
    name: str
    default_host: str
    ref: type[R]
    options: type[ApiOptions]
    from_connection: Callable[[Any, Any, Any], VendorApi[R]]
    requests_per_second: float | None = None

    def connect(self, conn: Any, request_timeout: Any = None, options: ApiOptions | None = None) -> tuple[Any, VendorApi[R]]:
        """Transport settings and the vendor API from one Airflow connection (no I/O): the one place both are read."""
        from airflow_provider_campaigns.core.settings import transport_settings

        settings = transport_settings(conn, self.name, self.default_host, request_timeout, self.requests_per_second)
        return settings, self.from_connection(conn, settings, options or self.options())


class StaticBearerAuth:
    """A long-lived key sent as ``Authorization: Bearer <key>`` (Cellcast, comm.com).

    Nothing to refresh: a 401 is final (:class:`~airflow_provider_campaigns.exceptions.AuthenticationError`).
    """

    refreshable = False

    def __init__(self, vendor: str, key: str) -> None:
        self.vendor = vendor
        self._key = key

    def token_flow(self, budget: Budget) -> Flow[Token]:
        """The key itself; no request needed."""
        return Token(self._key)
        yield  # pragma: no cover - makes this a generator, like every other token flow

    def headers(self, token: str) -> dict[str, str]:
        """``Authorization: Bearer <key>``."""
        return {"Authorization": f"Bearer {token}"}
