"""What every vendor hook shares: connection read once, one transport, stop/status/select calls."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from airflow.providers.common.compat.sdk import BaseHook

from airflow_provider_campaigns.core.clock import SYSTEM_CLOCK, Clock
from airflow_provider_campaigns.exceptions import CampaignProviderError, ConnectionNotFoundError, InvalidInputError
from airflow_provider_campaigns.vendors.base import ApiOptions, R, VendorApi, VendorSpec

if TYPE_CHECKING:
    from airflow_provider_campaigns.activity import Activity
    from airflow_provider_campaigns.core.flow import Budget, Flow
    from airflow_provider_campaigns.core.settings import TransportSettings
    from airflow_provider_campaigns.core.sync_transport import SyncTransport
    from airflow_provider_campaigns.core.wire import ApiRequest
    from airflow_provider_campaigns.protocol.flows import StopOutcome
    from airflow_provider_campaigns.status import CampaignStatus

T = TypeVar("T")
U = TypeVar("U")
H = TypeVar("H", bound="CampaignHook[Any]")

#: named campaigns are ordered loudest first (one list read) when stopping them takes longer than this at the pace
ORDER_AFTER = 5.0
#: the list read that orders them may take at most this share of their requests (in pages)
ORDER_LIST_SHARE = 0.1


def _form(conn_type: str) -> Any:
    """The registered connection form of ``conn_type``."""
    from airflow_provider_campaigns.registry import vendor

    return vendor(conn_type).form


class CampaignHook(BaseHook, Generic[R]):
    """Base of the vendor hooks.

    :param conn_id: the Airflow connection holding the vendor credentials.
    :param request_timeout: seconds (or ``(connect, read)``) per request; overrides extra ``timeout``.
    :param pool_size: pooled connections and the most requests in flight at once (adaptive under 429s).
    :param options: vendor API options (status map additions, vendor-specific settings).
    :param clock: the clock every wait and deadline reads (tests pass a fake one).
    """

    #: keys the task's target takes besides the selection's (the kill switch sets them): listed in input errors
    owner_keys: tuple[str, ...] = ()
    conn_name_attr: ClassVar[str]
    default_conn_name: ClassVar[str]
    conn_type: ClassVar[str]
    hook_name: ClassVar[str]
    spec: ClassVar[VendorSpec[Any]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "conn_type" in cls.__dict__:
            # Airflow 2.11 reads the form methods from the hook class's own __dict__ only (inherited
            # ones are ignored and the generic form shows); Airflow >= 3.2 reads provider info instead.
            # The form is looked up when Airflow asks, so a vendor may register after defining its hook.
            conn_type = cls.__dict__["conn_type"]
            cls.get_ui_field_behaviour = classmethod(lambda _cls: _form(conn_type).ui_field_behaviour())  # type: ignore[assignment, method-assign, attr-defined]
            cls.get_connection_form_widgets = classmethod(lambda _cls: _form(conn_type).form_widgets())  # type: ignore[assignment, method-assign, attr-defined]

    def __init__(
        self,
        conn_id: str | None = None,
        request_timeout: float | Sequence[float] | None = None,
        pool_size: int = 10,
        options: ApiOptions | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        super().__init__()
        self._build_lock = threading.RLock()
        self._built: dict[str, Any] = {}
        self.conn_id = conn_id or self.default_conn_name
        self.request_timeout = request_timeout
        self.pool_size = pool_size
        self.options = options or self.spec.options()
        self.clock = clock
        #: what a listing saw of each campaign (by campaign label): its status, name and activity
        self.listed_statuses: dict[str, CampaignStatus] = {}
        #: what a list read for the order of stops said of campaigns whose own status it does not show (comm.com sends)
        self.order_activity: dict[str, Activity] = {}

    def __deepcopy__(self, memo: dict[int, Any]) -> CampaignHook[R]:
        """A fresh hook for the same connection (Airflow deep-copies tasks; locks and sessions are not copied)."""
        import copy

        clone = copy.copy(self)
        clone._build_lock = threading.RLock()
        clone._built = {}
        clone.listed_statuses = {}
        clone.order_activity = {}
        return clone

    @property
    def listed_names(self) -> dict[str, str]:
        """Campaign names a listing saw (by campaign label), for stop answers that carry none."""
        return {label: status.name for label, status in self.listed_statuses.items() if status.name}

    @property
    def vendor_name(self) -> str:
        """The vendor's display name (``BSG``)."""
        return self.spec.name

    def _once(self, name: str, build: Callable[[], Any]) -> Any:
        """Build ``name`` once, even when a batch's threads ask at the same moment (no stampede)."""
        with self._build_lock:
            if name not in self._built:
                self._built[name] = build()
            return self._built[name]

    def check_ready(self) -> None:
        """Fail, before any request, if the hook lacks something every call needs (a vendor hook may override)."""

    @property
    def connection(self) -> Any:
        """The Airflow connection, read once per hook."""
        return self._once("connection", self._read_connection)

    def _read_connection(self) -> Any:
        from airflow.providers.common.compat.sdk import AirflowNotFoundException

        try:
            return self.get_connection(self.conn_id)
        except AirflowNotFoundException:
            raise ConnectionNotFoundError.for_conn(self.conn_id, self.conn_type, self.vendor_name) from None

    @property
    def _connected(self) -> tuple[TransportSettings, VendorApi[R]]:
        return self._once("connected", lambda: self.spec.connect(self.connection, self.request_timeout, self.options))  # type: ignore[no-any-return]

    @property
    def settings(self) -> TransportSettings:
        """Base URL, timeouts, retry policy and TLS settings from the connection."""
        return self._connected[0]

    @property
    def api(self) -> VendorApi[R]:
        """The vendor's pure API description, built from the connection (no I/O)."""
        return self._connected[1]

    @property
    def transport(self) -> SyncTransport:
        """One pooled session for the hook's life; tokens cached in it."""
        from airflow_provider_campaigns.core.sync_transport import SyncTransport

        return self._once("transport", lambda: SyncTransport(self.settings, self.api.auth, self.pool_size, self.clock))  # type: ignore[no-any-return]

    def budget(self, deadline: float | None = None) -> Budget:
        """The connection's retry policy on the hook's clock, ending at ``deadline`` (monotonic) if given."""
        from airflow_provider_campaigns.core.flow import Budget

        return Budget(self.settings.retry, self.clock, deadline)

    def run(self, flow: Flow[T]) -> T:
        """Drive a flow to its result, each action performed by the hook's transport."""
        from airflow_provider_campaigns.core.flow import drive

        return drive(flow, self.transport.perform)

    def send(self, request: ApiRequest[T], deadline: float | None = None) -> T:
        """Send one request with the shared retry policy (until ``deadline``, monotonic, if given)."""
        return self.transport.request(request, deadline)

    def stop(self, ref: R, fail_if_already_final: bool = False, deadline: float | None = None) -> StopOutcome:
        """Stop one campaign idempotently (see :func:`~airflow_provider_campaigns.protocol.flows.stop_flow`)."""
        from airflow_provider_campaigns.protocol.flows import stop_flow

        return self.run(stop_flow(self.api, ref, self.budget(deadline), fail_if_already_final))

    def status(self, ref: R, deadline: float | None = None) -> CampaignStatus:
        """Read one campaign's status."""
        from airflow_provider_campaigns.protocol.flows import status_flow

        return self.run(status_flow(self.api, ref, self.budget(deadline)))

    def statuses(self, refs: Sequence[R], deadline: float | None = None) -> list[CampaignStatus]:
        """Every campaign's status, in order, read concurrently (up to ``pool_size`` at once)."""
        return self.map(lambda ref: self.status(ref, deadline), refs)

    def map(self, call: Callable[[U], T], items: Iterable[U]) -> list[T]:
        """``call`` on every item through the hook's session, up to ``pool_size`` at once; results in order."""
        items = list(items)
        if len(items) <= 1 or self.pool_size <= 1:
            return [call(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(self.pool_size, len(items)), thread_name_prefix=f"{self.conn_type}-hook") as pool:
            return list(pool.map(call, items))

    def selection(self, owner: str, **params: Any) -> Any:
        """Validate what a task names at this vendor with its facts module's validator (``SPEC.selection``; no request;
        the connection may be read).
        """
        return self._validated(self._validator(), owner, params, **self.selection_context())

    def selection_context(self) -> dict[str, Any]:
        """Arguments of the vendor's validator the hook supplies itself, not the task (none by default)."""
        return {}

    @property
    def selection_keys(self) -> tuple[str, ...]:
        """The keys the vendor's validator takes from a task: what selects campaigns at this vendor."""
        return _validator_keys(self._validator(), self.selection_context())

    def _validator(self) -> Callable[..., Any]:
        if self.spec.selection is None:
            raise NotImplementedError(f"{type(self).__name__}: the vendor's SPEC names no selection validator")
        return self.spec.selection

    def _validated(self, build: Callable[..., T], owner: str, params: Mapping[str, Any], **fixed: Any) -> T:
        """``build(owner, **fixed, **params)``; every error names ``owner``, suggests the near key and lists every allowed one."""
        allowed = list(_validator_keys(build, fixed))
        takes = ", ".join([*allowed, *self.owner_keys])
        unknown = sorted(set(params) - set(allowed))
        if unknown:
            hints = "".join(_near_key(key, params[key], [*allowed, *self.owner_keys]) for key in unknown)
            raise InvalidInputError(f"{owner}: {self.vendor_name} does not take {', '.join(unknown)}{hints}; it takes {takes}.")
        try:
            return build(owner, **fixed, **params)
        except InvalidInputError as error:
            message = str(error)
            if message.startswith(f"{owner}:"):
                raise
            hints = "".join(_near_key(key, value, allowed, given_ok=True) for key, value in params.items())
            raise InvalidInputError(f"{owner}: {message.rstrip('.')}{hints}. {self.vendor_name} takes {takes}.") from None

    def select(self, chosen: Any, deadline: float | None = None) -> list[R]:
        """The campaigns a selection names: its explicit references plus, if it lists, the vendor's active ones."""
        refs: list[R] = [*chosen.refs, *(self.listed(chosen, deadline) if chosen.all_active else [])]
        return list({ref.label: ref for ref in refs}.values())

    def listed(self, chosen: Any, deadline: float | None = None) -> list[R]:
        """The vendor's active campaigns matching a listing selection (``all_active``, ``custom_string``)."""
        raise NotImplementedError

    #: whether :meth:`list_for_order` reads each campaign's own status (comm.com's list holds campaigns, not sends)
    order_list_has_status: ClassVar[bool] = True

    def list_for_order(self, refs: Sequence[R], deadline: float | None, max_pages: int) -> dict[str, CampaignStatus]:
        """What one paged list read of the vendor says of ``refs`` (by label; those it does not show are left out),
        in at most ``max_pages`` pages; ``{}`` where the vendor has no list that covers named campaigns.
        """
        return {}

    def expected_seconds(self, requests: int) -> float:
        """How long ``requests`` take at the connection's pace now (0 when it is unlimited)."""
        rate = self.transport.pace.rate
        return requests / rate if rate else 0.0

    def learn_order(self, refs: Sequence[R], deadline: float | None, logger: Any) -> None:
        """Before stopping named campaigns that take long at the pace (more than :data:`ORDER_AFTER` seconds), learn
        what they are doing from ONE paged list read (never a status read per campaign), bounded to
        :data:`ORDER_LIST_SHARE` of their requests. Best effort: a list that fails or is too long leaves the given order.
        """
        import math

        unknown = [ref for ref in refs if ref.label not in self.listed_statuses and ref.label not in self.order_activity]
        if not unknown or self.expected_seconds(len(unknown)) <= ORDER_AFTER:
            return
        pages = max(1, math.ceil(len(unknown) * ORDER_LIST_SHARE))
        try:
            found = self.list_for_order(unknown, deadline, pages)
        except CampaignProviderError as error:
            logger.warning(
                "%s (%s): could not list the %d named campaign(s) to stop the loudest first; stopping them in the order given: %s",
                self.vendor_name,
                self.conn_id,
                len(unknown),
                error,
            )
            return
        if self.order_list_has_status:
            self.listed_statuses.update(found)
        self.order_activity.update({label: status.activity for label, status in found.items() if status.activity is not None})

    def activities(self) -> dict[str, Activity]:
        """What listings said about each campaign's sending (by label)."""
        known = {label: status.activity for label, status in self.listed_statuses.items() if status.activity is not None}
        return {**self.order_activity, **known}

    def loudest_first(self, refs: Sequence[R], deadline: float | None = None, logger: Any = None) -> list[R]:
        """``refs`` in the order to stop them (see :mod:`~airflow_provider_campaigns.activity`); named campaigns that
        take long at the pace are listed once first (:meth:`learn_order`); without anything known, the given order.
        """
        from airflow_provider_campaigns.engine.loudest_first import describe_order, loudest_first

        logger = logger or self.log
        self.learn_order(refs, deadline, logger)
        activities = self.activities()
        if not any(ref.label in activities for ref in refs):
            return list(refs)
        ordered = loudest_first(refs, lambda ref: ref.label, activities, self.clock.time())
        split = describe_order(ordered, lambda ref: ref.label, activities)
        logger.info("%s (%s): stopping the loudest first: %s.", self.vendor_name, self.conn_id, split)
        return ordered

    def list_not_final(self, statuses: Sequence[str] | None = None, timeout: float | None = None, **filters: Any) -> list[CampaignStatus]:
        """The campaigns that are not final: exactly what a kill switch's ``all_active`` target with the same filters
        would stop now (same list window, same name filter, same judging of statuses), each with its status read now.

        :param statuses: keep only these: normalized states (``active``, ``paused``, ``unknown``) and/or the
            vendor's own spellings (``sending``, ``Paused``), matched case-insensitively.
        :param timeout: seconds the listing and reads may take with retries (default: the connection's retry budget).
        :param filters: the selection keys of the vendor's ``all_active`` target (BSG ``channel``, ``name_contains``,
            ``lookback_months``, ``date_from``, ``date_to``; Kore.ai ``name_contains``, ``stream_id``,
            ``campaign_type``; comm.com ``name_contains``; Cellcast ``custom_string`` (required), ``message_type``).
        """
        keep = self._status_filter(statuses)
        chosen = self.selection(f"{type(self).__name__}.list_not_final", **{**self.not_final_selection, **filters})
        deadline = self.clock.monotonic() + timeout if timeout is not None else None
        found = self.statuses(self.select(chosen, deadline), deadline)
        return [status for status in found if not status.is_final and keep(status)]

    #: the selection :meth:`list_not_final` adds to the caller's filters (what ``all_active=True`` is at this vendor)
    not_final_selection: ClassVar[dict[str, Any]] = {"all_active": True}

    def _status_filter(self, statuses: Sequence[str] | None, strict: bool = True) -> Callable[[CampaignStatus], bool]:
        """A predicate for ``statuses=``: a value written as a normalized state (lowercase: ``active``) is that state; any
        other value is one of the vendor's spellings (case-insensitively: ``Active`` is Kore.ai's own). With ``strict``,
        a spelling the vendor's status map does not know fails, naming both kinds.
        """
        from airflow_provider_campaigns.status import CampaignState

        if statuses is None:
            return lambda status: True
        if isinstance(statuses, str) or not all(isinstance(value, str) and value.strip() for value in statuses):
            raise InvalidInputError(f"statuses must be a list such as ['active', 'paused'] or ['sending'], not {statuses!r:.80}.")
        states = {value.strip() for value in statuses if value.strip() in set(CampaignState)}
        spellings = {value.strip().casefold() for value in statuses if value.strip() not in states}
        unknown = sorted(value for value in spellings if not self.api.statuses.knows(value))
        if strict and unknown:
            raise InvalidInputError(
                f"statuses: {', '.join(map(repr, unknown))} is neither a normalized state ({', '.join(CampaignState)}) "
                f"nor a {self.vendor_name} status; see the normalized states table in the docs (reference/results)."
            )
        return lambda status: status.state.value in states or (status.vendor_status or "").strip().casefold() in spellings

    def vendor_statuses(self, statuses: Sequence[str]) -> list[str]:
        """``statuses=`` as the vendor's own spellings (casefolded): each normalized state expanded to every spelling of
        it; other values kept as written (a status this provider does not know is passed on to the vendor).
        """
        from airflow_provider_campaigns.status import CampaignState

        self._status_filter(statuses, strict=False)  # validated
        states = [CampaignState(value.strip()) for value in statuses if value.strip() in set(CampaignState)]
        given = [value.strip() for value in statuses if value.strip() not in set(CampaignState)]
        return list(dict.fromkeys([*self.api.statuses.spellings_of(states), *given]))

    def __enter__(self: H) -> H:
        """``with BsgHook() as hook:`` closes the hook's session at the end."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def ref_from_dict(self, data: Mapping[str, Any]) -> R:
        """A reference from its serialized form (a dry run's plan)."""
        ref: R = self.spec.ref.from_dict(data)  # type: ignore[attr-defined]
        return ref

    def ref_from_entry(self, label: str, data: Mapping[str, Any]) -> R:
        """The reference a result entry names (its ``campaign_id`` and ``ref``: a dry run's plan, a stop's result)."""
        ref: R = self.spec.ref.from_entry(label, data)
        return ref

    def test_connection(self) -> tuple[bool, str]:
        """Make one real authenticated call; never raises, never reveals a secret."""
        try:
            self.check_credentials()
        except CampaignProviderError as error:
            return False, str(error)
        except Exception as error:  # noqa: BLE001 - the UI wants a message, not a traceback
            return False, f"{self.vendor_name} connection test failed: {type(error).__name__}"
        return True, f"{self.vendor_name} accepted the credentials of connection {self.conn_id!r}."

    def check_credentials(self) -> None:
        """Perform the vendor's cheapest authenticated call (overridden per vendor)."""
        raise NotImplementedError

    def close(self) -> None:
        """Release pooled connections (if the transport was ever made)."""
        if "transport" in self._built:
            self.transport.close()


def _validator_keys(build: Callable[..., Any], fixed: Mapping[str, Any]) -> tuple[str, ...]:
    """The keys a vendor's validator takes from a task: its parameters but ``owner`` and those the hook supplies."""
    import inspect

    return tuple(name for name in inspect.signature(build).parameters if name != "owner" and name not in fixed)


def _near_key(key: str, value: Any, allowed: Sequence[str], given_ok: bool = False) -> str:
    """`` (did you mean campaign_ids?)`` for a key near an allowed one (a one-id key given a list: the list key), else ``""``."""
    import difflib

    plural = f"{key}s"
    if plural in allowed and isinstance(value, (list, tuple)):
        return f" (did you mean {plural}? {key} takes one id, {plural} a list)"
    if given_ok:
        return ""
    near = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    return f" (did you mean {near[0]}?)" if near else ""
