"""What every fake vendor provides to the server, the control API and ``Simulator``.

A subclass is a whole fake vendor: registered by one line in :mod:`.fakes`, it is mounted, given
credentials and a connection, rate-limited, drifted and named on the command line from what it
declares here.
"""

from __future__ import annotations

import math
from dataclasses import replace
from http import HTTPStatus
from typing import Any

from .config import SimConfig
from .credentials import CredentialField, SimulatorCredentials
from .drift import DriftShape
from .http_types import Router, SimRequest, SimResponse, json_response
from .state import Record, Store, Timing
from .traffic import Flow, Sending, TrafficSetting, check_audience, check_rate

GATEWAY_PAGE = (
    "<html>\r\n<head><title>{code} {phrase}</title></head>\r\n<body>\r\n"
    "<center><h1>{code} {phrase}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


def phrase(status: int) -> str:
    """The standard reason phrase, or ``Error``."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class FakeVendor:
    """Base class of the fake vendors.

    Subclasses set :attr:`name` and :attr:`title`, declare :attr:`credential_fields` (and, as needed,
    :attr:`drift_shape`, :attr:`audience_field`, :meth:`connection`, :meth:`created`), fill
    :attr:`router`, and implement :meth:`create`, :meth:`render` and the vendor's error bodies.
    :meth:`handle` answers 404/405 for unrouted requests and calls :meth:`authenticate` first when
    :attr:`auth_first` is set. Each request reads :attr:`config` (strict or lenient, page caps,
    wind-down) afresh.
    """

    #: the vendor key: its mount (``/<name>``), its ``vendor`` in the control API and its connection's type
    name = ""
    #: how people write the vendor's name (the command line's description)
    title = ""
    #: the credential fields it accepts, with their generated defaults (:class:`~.credentials.SimulatorCredentials`)
    credential_fields: tuple[CredentialField, ...] = ()
    #: where the drift switches alter its answers (:mod:`.drift`)
    drift_shape = DriftShape()
    auth_first = True
    #: what a rate-limit refusal carries when the limit names no ``retry_after`` mode (see ``rate_limits``)
    rate_limit_retry_after = "honest"

    @classmethod
    def connection(cls, creds: SimulatorCredentials, url: str) -> dict[str, Any]:
        """The Airflow connection (``<name>_default``) that points a client at this fake mounted at ``url``.

        The default carries no secret; a fake returns ``cls.connection_to(url, password=...)`` with its own.
        """
        return cls.connection_to(url)

    @classmethod
    def connection_to(cls, url: str, extra: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        """``{"conn_type": <name>, "host": url, **fields, "extra": {"allow_insecure": true, **extra}}``."""
        return {"conn_type": cls.name, "host": url, **fields, "extra": {"allow_insecure": True, **(extra or {})}}

    def created(self, result: Any) -> dict[str, Any]:
        """The control API's answer to a campaign :meth:`add` created (``{"id": ...}`` by default)."""
        return {"id": result}

    def __init__(self, store: Store, creds: SimulatorCredentials, config: SimConfig | None = None) -> None:
        """Bind to the shared store, credentials and settings."""
        self.store = store
        self.creds = creds
        self.config = config or SimConfig()
        self.router = Router()

    # -- HTTP -----------------------------------------------------------------
    def handle(self, req: SimRequest) -> SimResponse:
        """Answer one request (already stripped of the mount prefix)."""
        if self.auth_first:
            denied = self.authenticate(req)
            if denied is not None:
                return denied
        found = self.router.match(req)
        if found is None:
            return self.not_found()
        if isinstance(found, list):
            return self.method_not_allowed(req, found)
        handler, match = found
        if not self.auth_first:
            denied = self.authenticate(req)
            if denied is not None:
                return denied
        return handler(req, match)

    def authenticate(self, req: SimRequest) -> SimResponse | None:
        """``None`` when the request is authenticated, else the vendor's 401."""
        return None

    def unauthorized(self) -> SimResponse:
        """The vendor's 401 answer."""
        return json_response(401, {"message": "Unauthenticated."})

    def not_found(self) -> SimResponse:
        """The vendor's 404 answer for an unknown route."""
        return json_response(404, {"message": "Not found"})

    def method_not_allowed(self, req: SimRequest, allowed: list[str]) -> SimResponse:
        """The vendor's 405 answer (Laravel's wording by default)."""
        route = req.path.lstrip("/")
        methods = ", ".join(sorted(set(allowed)))
        message = f"The {req.method} method is not supported for route {route}. Supported methods: {methods}."
        return json_response(405, {"message": message})

    def error_body(self, status: int) -> Any:
        """The vendor's JSON error body for an injected ``status`` fault."""
        return {"message": phrase(status)}

    def error_response(self, status: int) -> SimResponse:
        """The default answer for an injected ``status`` fault."""
        if status == 401:
            return self.unauthorized()
        if status in (502, 504):
            page = GATEWAY_PAGE.format(code=status, phrase=phrase(status)).encode()
            return SimResponse(status=status, body=page, content_type="text/html")
        return json_response(status, self.error_body(status))

    def rate_limited(self, retry_after: str | None) -> SimResponse:
        """The vendor's 429 for a request its rate limit refused (``retry_after``: the header value, or none)."""
        resp = json_response(429, self.rate_limit_body())
        if retry_after is not None:
            resp.headers["Retry-After"] = retry_after
        return resp

    def rate_limit_body(self) -> Any:
        """The JSON body of a rate-limit refusal (the vendor's documented 429 by default)."""
        return self.error_body(429)

    def expire_token(self, req: SimRequest) -> SimResponse:
        """Apply an ``expire_token`` fault to this request (default: answer 401)."""
        return self.unauthorized()

    @property
    def strict(self) -> bool:
        """Whether to answer exactly as documented (else the lenient reading)."""
        return self.config.strict

    def page_size(self, requested: int) -> int:
        """Rows one list page really holds (the configured server-side cap may be lower)."""
        return self.config.page_size(self.name, requested)

    # -- state ------------------------------------------------------------------
    def add(
        self,
        *,
        status: str | None = None,
        channel: str = "sms",
        name: str | None = None,
        starts_in: float | None = None,
        finishes_in: float | None = None,
        created_at: object = None,
        wind_down: float | None = None,
        rate: float | None = None,
        audience: int | None = None,
        **fields: Any,
    ) -> Any:
        """Create a campaign (see :class:`Timing` for the timing keywords); returns its id.

        ``rate`` (messages a second; ``0`` = none) and ``audience`` (messages in all) give it traffic
        (:mod:`.traffic`); without ``rate`` it takes the vendor's configured traffic, if any.
        """
        timing = Timing(starts_in=starts_in, finishes_in=finishes_in, created_at=created_at, wind_down=wind_down)
        if audience is not None:
            fields[self.audience_field] = check_audience(audience)
        traffic = self.config.traffic.get(self.name) if rate is None else None if rate == 0 else TrafficSetting(check_rate(rate))
        return self.create(status=status, channel=channel.lower(), name=name, timing=timing, traffic=traffic, **fields)

    #: the keyword of :meth:`create` that holds how many messages a campaign sends (its own name for an audience)
    audience_field = "audience"

    def create(
        self, *, status: str | None, channel: str, name: str | None, timing: Timing, traffic: TrafficSetting | None, **fields: Any
    ) -> Any:
        """Create a campaign from validated common arguments, its traffic and vendor-specific ``fields``."""
        raise NotImplementedError

    def with_traffic(self, timing: Timing, traffic: TrafficSetting | None, audience: int) -> Timing:
        """A campaign with traffic finishes by itself when its audience is used up (unless ``finishes_in`` says otherwise)."""
        if traffic is None or timing.finishes_in is not None or math.isinf(traffic.rate):
            return timing
        return replace(timing, finishes_in=(timing.starts_in or 0.0) + audience / traffic.rate)

    def attach_flow(self, record: Record, traffic: TrafficSetting | None, audience: int, starts_in: float | None) -> None:
        """Give ``record`` its traffic: ``audience`` messages from ``starts_in`` seconds from now."""
        if traffic is not None:
            record.flow = Flow(traffic.rate, audience, self.store.clock.time() + (starts_in or 0.0))

    def label(self, record: Record) -> str:
        """How the control API names a campaign (its id)."""
        return record.key

    def sendings(self) -> list[Sending]:
        """Every campaign with traffic, as :mod:`.traffic` and :mod:`.optimum` take it."""
        with self.store.lock:
            return [
                Sending(self.name, self.label(r), r.flow, self.wind_down_of(r), r.stopped_at, r.halt)
                for r in self.store.all(self.name)
                if r.flow is not None
            ]

    def wind_down_of(self, record: Record) -> float:
        """Seconds an accepted stop of ``record`` takes to halt it."""
        return self.config.wind_down if record.wind_down is None else record.wind_down

    def render(self, record: Record) -> dict[str, Any]:
        """The vendor's JSON resource for a record."""
        raise NotImplementedError

    def key_of(self, campaign_id: Any) -> str:
        """The store key for a user-given id."""
        return str(campaign_id)

    def state(self, campaign_id: Any) -> dict[str, Any] | None:
        """The current resource of one campaign, ``None`` when unknown."""
        with self.store.lock:
            record = self.store.get(self.name, self.key_of(campaign_id))
            return None if record is None else self.render(record)

    def states(self) -> list[dict[str, Any]]:
        """Every campaign's current resource."""
        with self.store.lock:
            return [self.render(record) for record in self.store.all(self.name)]

    def accept_stop(self, record: Record, stopped: str) -> bool:
        """Apply an accepted stop: ``stopped`` at once, or after the record's wind-down.

        Returns ``False`` (and changes nothing) when a stop is already winding down, so
        :attr:`Record.stops` counts only the stop requests that changed the campaign.
        Call while holding :attr:`Store.lock`.
        """
        if record.winding_down:
            return False
        delay = self.wind_down_of(record)
        record.stops += 1
        record.stopped_at = self.store.clock.time()
        record.halt = record.stopped_at + delay
        if delay > 0:
            record.schedule_stop(delay, stopped)
        else:
            record.set_status(stopped)
        return True

    def wind_down_left(self, campaign_id: Any) -> float | None:
        """Seconds until an accepted stop takes effect (``None`` when none is pending or unknown)."""
        with self.store.lock:
            record = self.store.get(self.name, self.key_of(campaign_id))
            return None if record is None else record.wind_down_left()

    def stop_count(self, campaign_id: Any) -> int:
        """How many stop requests changed this campaign to stopped (0 or 1)."""
        with self.store.lock:
            record = self.store.get(self.name, self.key_of(campaign_id))
            return 0 if record is None else record.stops

    def reset(self) -> None:
        """Forget this vendor's campaigns and per-vendor state."""
        self.store.reset([self.name])
