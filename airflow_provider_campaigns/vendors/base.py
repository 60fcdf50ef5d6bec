"""What every vendor module provides: its campaign references, its API contract and its spec.

A vendor module is pure: it builds :class:`~airflow_provider_campaigns.core.wire.ApiRequest`
objects and reads answers. Whether they travel through the sync hook or the async trigger is
not its business; the flows over them (stop, status, paged list) are written once in
:mod:`airflow_provider_campaigns.protocol`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Generic, Self, TypeVar

from airflow_provider_campaigns.activity import Activity
from airflow_provider_campaigns.core.flow import Authenticator
from airflow_provider_campaigns.core.wire import ApiRequest, Reply
from airflow_provider_campaigns.status import CampaignStatus, StatusMap, iso_utc


@dataclass(frozen=True)
class Ref:
    """A validated reference to one campaign (a vendor subclass per kind: ids, channel, stream).

    Built once by validation, carried to the request builders, and serialized (as plain values)
    into trigger kwargs and dry-run plans. A vendor's subclass names its :attr:`label_keys` and
    its validating constructor, :meth:`validated`.
    """

    #: the fields that name the campaign in results and messages (joined by ``/``; :meth:`validated` rebuilds each from its text)
    label_keys: ClassVar[tuple[str, ...]] = ("id",)

    @property
    def label(self) -> str:
        """How results and messages name the campaign."""
        return "/".join(str(getattr(self, name)) for name in self.label_keys)

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe fields (trigger kwargs, plans)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Inverse of :meth:`as_dict`, validated again (by :meth:`validated`)."""
        return cls.validated(**{f.name: data[f.name] for f in fields(cls) if f.name in data})

    @classmethod
    def validated(cls, *args: Any, **values: Any) -> Self:
        """The reference from raw field values, each validated as the vendor requires."""
        raise NotImplementedError

    @classmethod
    def label_fields(cls, label: str) -> dict[str, Any]:
        """The fields the label says (the inverse of :attr:`label`; nothing when it does not split into them)."""
        values = label.split("/")
        return dict(zip(cls.label_keys, values, strict=True)) if len(values) == len(cls.label_keys) else {}

    @classmethod
    def from_entry(cls, label: str, ref: Mapping[str, Any]) -> Any:
        """The reference a result entry names: its ``campaign_id`` and its ``ref`` (a full :meth:`as_dict` is accepted too)."""
        return cls.from_dict({**cls.label_fields(label), **ref})

    def entry_ref(self) -> dict[str, Any]:
        """What a result entry's ``ref`` holds: :meth:`as_dict` without the fields the label spells out and those at their
        default (``from_entry(label, entry_ref())`` is this reference again).
        """
        said = self.label_fields(self.label)
        defaults = {f.name: f.default for f in fields(self)}  # MISSING where there is none
        return {name: value for name, value in self.as_dict().items() if said.get(name) != str(value) and value != defaults[name]}


R = TypeVar("R", bound=Ref)


@dataclass(frozen=True)
class ApiOptions:
    """Options a vendor API is built with besides the connection (serialized by the trigger).

    :param status_map: extra ``{vendor status: normalized state}`` entries.
    """

    status_map: Mapping[str, str] | None = None


class VendorApi(ABC, Generic[R]):
    """One vendor's API contract in code: request builders, answer parsers, status map."""

    vendor: ClassVar[str]
    #: said when a refused stop leaves the campaign not final (what the vendor's docs leave unknown)
    refusal_hint: ClassVar[str] = "the vendor does not let it be stopped in this state; check it in the vendor's console."
    #: the vendor's timestamp keys that say when a campaign started / became final, first present wins
    started_at_fields: ClassVar[tuple[str, ...]] = ()
    finished_at_fields: ClassVar[tuple[str, ...]] = ()
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

        A missing or non-text status is an unreadable answer; timestamps are kept as the vendor wrote them (in
        UTC), and the vendor-neutral ``started_at`` / ``finished_at`` (only once final) are read from them by the
        vendor's own keys; ``activity`` is what a list row said about the campaign's sending.
        """
        if not isinstance(raw, str) or not raw.strip():
            raise reply.contract_error(f"no status for campaign {campaign_id} in the answer")
        name = data.get(name_field)
        state = self.statuses.normalize(raw)
        timestamps = {key: iso_utc(data[key]) for key in timestamp_fields if isinstance(data.get(key), str) and data[key]}
        return CampaignStatus(
            vendor=self.vendor,
            campaign_id=campaign_id,
            state=state,
            vendor_status=raw,
            timestamps=timestamps,
            name=name if isinstance(name, str) and name else None,
            activity=activity,
            started_at=next((timestamps[key] for key in self.started_at_fields if key in timestamps), None),
            finished_at=next((timestamps[key] for key in self.finished_at_fields if key in timestamps), None) if state.is_final else None,
        )


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
    :param selection: the validator of what a task names at the vendor, ``selection(owner, **keys)``: its keyword
        parameters are the vendor's selection keys (the one declaration operators, sensors and the kill switch
        derive theirs from), its defaults theirs.
    """

    key: str
    name: str
    default_host: str
    ref: type[R]
    options: type[ApiOptions]
    from_connection: Callable[[Any, Any, Any], VendorApi[R]]
    requests_per_second: float | None = None
    selection: Callable[..., Any] | None = None

    def connect(self, conn: Any, request_timeout: Any = None, options: ApiOptions | None = None) -> tuple[Any, VendorApi[R]]:
        """Transport settings and the vendor API from one Airflow connection (no I/O): the one place both are read."""
        from airflow_provider_campaigns.core.settings import transport_settings

        settings = transport_settings(conn, self.name, self.default_host, request_timeout, self.requests_per_second)
        return settings, self.from_connection(conn, settings, options or self.options())
