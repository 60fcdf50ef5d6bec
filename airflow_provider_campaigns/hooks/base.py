"""What every vendor hook shares: connection read once, one transport, stop/status/test calls."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from airflow.providers.common.compat.sdk import BaseHook

from airflow_provider_campaigns.connection_forms import FORMS
from airflow_provider_campaigns.exceptions import CampaignProviderError, ConnectionNotFoundError
from airflow_provider_campaigns.vendors import connect, vendor_module

if TYPE_CHECKING:
    from airflow_provider_campaigns.core.flow import Flow
    from airflow_provider_campaigns.core.settings import TransportSettings
    from airflow_provider_campaigns.core.sync_transport import SyncTransport
    from airflow_provider_campaigns.core.wire import ApiRequest
    from airflow_provider_campaigns.status import CampaignStatus
    from airflow_provider_campaigns.vendors.base import CampaignRef, StopOutcome, VendorApi

T = TypeVar("T")


class CampaignHook(BaseHook):
    """Base of the vendor hooks.

    :param conn_id: the Airflow connection holding the vendor credentials.
    :param request_timeout: seconds (or ``(connect, read)``) per request; overrides extra ``timeout``.
    :param pool_size: pooled connections (raise it for concurrent batches).
    :param status_map: extra ``{vendor status: normalized state}`` entries.
    """

    conn_name_attr: ClassVar[str]
    default_conn_name: ClassVar[str]
    conn_type: ClassVar[str]
    hook_name: ClassVar[str]
    vendor_key: ClassVar[str]

    def __init__(
        self,
        conn_id: str | None = None,
        request_timeout: float | Sequence[float] | None = None,
        pool_size: int = 10,
        status_map: Mapping[str, str] | None = None,
        **api_options: Any,
    ) -> None:
        super().__init__()
        self._build_lock = threading.RLock()
        self._built: dict[str, Any] = {}
        self.conn_id = conn_id or self.default_conn_name
        self.request_timeout = request_timeout
        self.pool_size = pool_size
        self.status_map = status_map
        self.api_options = api_options

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "conn_type" in cls.__dict__:
            # Airflow 2.11 reads the form methods from the hook class's own __dict__ only (inherited
            # ones are ignored and the generic form shows); Airflow >= 3.2 reads provider info instead.
            form = FORMS[cls.__dict__["conn_type"]]
            cls.get_ui_field_behaviour = classmethod(lambda _cls: form.ui_field_behaviour())  # type: ignore[assignment, method-assign, attr-defined]
            cls.get_connection_form_widgets = classmethod(lambda _cls: form.form_widgets())  # type: ignore[assignment, method-assign, attr-defined]

    def _once(self, name: str, build: Callable[[], Any]) -> Any:
        """Build ``name`` once, even when a batch's threads ask at the same moment (no stampede)."""
        with self._build_lock:
            if name not in self._built:
                self._built[name] = build()
            return self._built[name]

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
    def _connected(self) -> tuple[TransportSettings, VendorApi]:
        return self._once(  # type: ignore[no-any-return]
            "connected", lambda: connect(self.vendor_key, self.connection, self.request_timeout, self.status_map, **self.api_options)
        )

    @property
    def settings(self) -> TransportSettings:
        """Base URL, timeouts, retry policy and TLS settings from the connection."""
        return self._connected[0]

    @property
    def api(self) -> VendorApi:
        """The vendor's pure API description, built from the connection."""
        return self._connected[1]

    @property
    def vendor_name(self) -> str:
        """The vendor's display name (``BSG``)."""
        return str(vendor_module(self.vendor_key).VENDOR)

    @property
    def transport(self) -> SyncTransport:
        """One pooled session for the hook's life; tokens cached in it."""
        from airflow_provider_campaigns.core.sync_transport import SyncTransport

        return self._once("transport", lambda: SyncTransport(self.settings, self.api.auth, pool_size=self.pool_size))  # type: ignore[no-any-return]

    def run(self, flow: Flow[T]) -> T:
        """Drive a flow through the hook's transport."""
        return self.transport.run(flow)

    def send(self, request: ApiRequest[T]) -> T:
        """Send one request with the shared retry policy."""
        return self.transport.request(request)

    def stop(self, ref: CampaignRef, fail_if_already_final: bool = False) -> StopOutcome:
        """Stop one campaign idempotently (see :func:`~airflow_provider_campaigns.vendors.base.stop_flow`)."""
        from airflow_provider_campaigns.vendors.base import stop_flow

        return self.run(stop_flow(self.api, ref, self.settings.retry, fail_if_already_final))

    def status(self, ref: CampaignRef) -> CampaignStatus:
        """Read one campaign's status."""
        from airflow_provider_campaigns.vendors.base import status_flow

        return self.run(status_flow(self.api, ref, self.settings.retry))

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
