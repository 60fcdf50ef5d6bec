"""``Simulator``: start/stop the server and drive it from Python."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from . import control, fakes
from .clock import SYSTEM_CLOCK, SimClock
from .config import SimConfig
from .credentials import SimulatorCredentials, connection_env, connections
from .faults import make_fault
from .listener import Listener
from .rate_limits import RateLimit
from .server import HOST, App
from .state import Store

__all__ = ["Simulator"]


class Simulator:
    """A local, stateful fake of the BSG, Cellcast, comm.com and Kore.ai APIs (every fake in :mod:`.fakes`).

    One HTTP server on 127.0.0.1; vendors are mounted at ``/<key>`` (``/bsg``, ``/cellcast``,
    ``/comm``, ``/kore`` and any fake registered before the simulator is built), the control API
    at ``/_sim``.

    :param port: TCP port; 0 picks a free one.
    :param latency: seconds added to every vendor answer.
    :param credentials: the accepted secrets (random when ``None``).
    :param wind_down: default seconds between an accepted stop and the campaign reporting its
        stopped state (0 = at once); ``add_campaign(..., wind_down=...)`` overrides it.
    :param seed: seed of the random generator behind probabilistic faults (reproducible runs).
    :param strict: answer exactly as the vendors document (default); ``False`` selects the
        lenient "alternative reading" (see ``docs/vendor-contracts.md``).
    :param page_caps: per vendor (``{"bsg": 40}``), the most rows one list page holds whatever
        the client asks for: a server-side cap that makes short pages that are not the last.
    :param rate_limits: per vendor, a token bucket in front of it: ``{"kore": 1}`` (requests a second)
        or ``{"kore": {"rate": 1, "burst": 1, "refused_spends": True, "retry_after": "short"}}``;
        change them while running with :meth:`set_rate_limit`.

    :param drift: per vendor, a drift switch (``{"kore": "missing_paging"}``; kinds
        ``renamed_field``, ``moved_status``, ``missing_paging``): that vendor answers in an altered
        shape, as a vendor changing its API would (see ``docs/simulator.md``).
    :param traffic: per vendor (``"*"``: every vendor), the messages a second a new campaign sends
        when it names no ``rate`` itself: ``{"*": 10}`` or ``{"kore": {"rate": 10, "audience": 600}}``
        (see :meth:`traffic` and ``docs/simulator.md``); ``add_campaign(..., rate=..., audience=...)``
        sets one campaign's.
    :param clock: where every record, rate limit and traffic figure reads time (a
        :class:`~.clock.ManualClock` in tests); default the system clock.

    :attr:`config` holds ``strict``, ``wind_down``, ``page_caps``, ``drift`` and ``traffic``; change them
    while running with ``sim.config.update(strict=False)``, ``sim.drift("kore", "moved_status")`` (or
    ``POST /_sim/config``).
    """

    def __init__(
        self,
        port: int = 0,
        latency: float = 0.0,
        credentials: SimulatorCredentials | None = None,
        *,
        wind_down: float = 0.0,
        seed: int | None = None,
        strict: bool = True,
        page_caps: dict[str, int] | None = None,
        rate_limits: dict[str, float | dict[str, Any]] | None = None,
        drift: dict[str, str] | None = None,
        traffic: dict[str, Any] | None = None,
        clock: SimClock = SYSTEM_CLOCK,
    ) -> None:
        """Build the vendors; nothing listens until :meth:`start`."""
        self.credentials = credentials or SimulatorCredentials()
        self.config = SimConfig(strict=strict, wind_down=wind_down, page_caps=dict(page_caps or {}), drift=dict(drift or {}))
        self.config.update(traffic=traffic)
        self.clock = clock
        self.store = Store(clock)
        apis = {fake.name: fake(self.store, self.credentials, self.config) for fake in fakes.fakes()}
        self.app = App(self.store, apis, latency=latency, seed=seed)
        self._listener = Listener(self.app, port)
        self.app.on_outage = self._listener.outage
        for vendor, limit in (rate_limits or {}).items():
            self.set_rate_limit(vendor, **(limit if isinstance(limit, dict) else {"rate": limit}))

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> Simulator:
        """Start listening (idempotent; ends an outage early); returns ``self``."""
        self._listener.start()
        return self

    def stop(self) -> None:
        """Stop listening and close every client connection (idempotent)."""
        self._listener.stop()

    def outage(self, seconds: float) -> None:
        """Refuse TCP connections for ``seconds``, keeping every campaign, fault and log entry.

        Returns at once. The listening socket and every open connection (idle keep-alive ones
        included) are closed; after ``seconds`` the server listens again on the same port.
        """
        self._listener.outage(seconds)

    def end_outage(self) -> None:
        """End a running outage now (no-op without one)."""
        self._listener.end_outage()

    @property
    def in_outage(self) -> bool:
        """Whether an outage window is running."""
        return self._listener.in_outage

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------------------
    @property
    def port(self) -> int:
        """The bound port, also during an outage (``RuntimeError`` when not started)."""
        port = self._listener.port
        if port is None or not (self._listener.listening or self._listener.in_outage):
            raise RuntimeError("the simulator is not running; call start() first")
        return port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{HOST}:{self.port}"

    def base_url(self, vendor: str) -> str:
        """A vendor's base URL, e.g. ``http://127.0.0.1:PORT/bsg``."""
        return f"{self.url}/{self.app.vendor(vendor).name}"

    def connections(self) -> dict[str, dict[str, Any]]:
        """Airflow connection dicts (``bsg_default``, ...) pointing at this simulator."""
        return connections(self.credentials, self.url)

    def connection_env(self) -> dict[str, str]:
        """``AIRFLOW_CONN_*`` environment variables (JSON) for :meth:`connections`."""
        return connection_env(self.connections())

    # -- campaigns -------------------------------------------------------------------
    def add_campaign(
        self,
        vendor: str,
        status: str | None = None,
        channel: str = "sms",
        name: str | None = None,
        finishes_in: float | None = None,
        *,
        wind_down: float | None = None,
        **fields: Any,
    ) -> Any:
        """Create a campaign; ``status`` defaults to the vendor's running state.

        Returns an ``int`` (bsg), a list of 24-hex message ids (cellcast, one per
        ``recipients``), a ``(campaign_uuid, send_uuid)`` tuple (comm) or a ``str``
        (kore). ``finishes_in``/``starts_in`` are seconds until done/running
        (``None`` = never); ``wind_down`` overrides the simulator's default delay of
        an accepted stop for this campaign; ``rate`` (messages a second, ``0`` = none) and
        ``audience`` give it traffic (see :meth:`traffic`; without ``rate`` it takes the vendor's
        configured traffic, if any); other keywords are vendor-specific (see each vendor module)
        or extra fields added to the vendor's resource.
        """
        api = self.app.vendor(vendor)
        return api.add(status=status, channel=channel, name=name, finishes_in=finishes_in, wind_down=wind_down, **fields)

    def campaign(self, vendor: str, campaign_id: Any) -> dict[str, Any]:
        """The campaign's current resource, as the vendor would answer it (``KeyError`` if unknown)."""
        state = self.app.vendor(vendor).state(campaign_id)
        if state is None:
            raise KeyError(f"no {vendor} campaign {campaign_id!r}")
        return state

    def campaigns(self, vendor: str) -> list[dict[str, Any]]:
        """Every campaign's current resource."""
        return self.app.vendor(vendor).states()

    def stop_count(self, vendor: str, campaign_id: Any) -> int:
        """How many stop requests actually changed the campaign to stopped (0 or 1)."""
        return self.app.vendor(vendor).stop_count(campaign_id)

    def wind_down_left(self, vendor: str, campaign_id: Any) -> float | None:
        """Seconds until an accepted stop takes effect (``None`` when no stop is winding down)."""
        return self.app.vendor(vendor).wind_down_left(campaign_id)

    # -- traffic ---------------------------------------------------------------------
    def set_traffic(self, vendor: str, rate: float | None, audience: int | None = None) -> None:
        """From now on, new campaigns of ``vendor`` (``"*"``: every vendor) send ``rate`` messages a
        second, ``audience`` in all, unless they name their own ``rate``; ``rate=None`` ends it.
        """
        self.config.update(traffic={vendor: None if rate is None else {"rate": rate, "audience": audience}})

    def traffic(self, after: object, until: object = None) -> dict[str, Any]:
        """Messages sent, per campaign with traffic, per vendor and in total: by ``until`` (default now)
        and from ``after`` on (an epoch number, a ``datetime`` or an ISO 8601 date-time).

        ``{"after", "until", "sent", "sent_after", "vendors": {vendor: {"campaigns", "sent", "sent_after"}},
        "campaigns": [{"vendor", "id", "rate", "audience", "start", "stopped_at", "halt", "sent", "sent_after"}]}``.
        """
        return control.traffic(self.app, after, until)

    def sent(self, vendor: str, campaign_id: Any, at: object = None) -> int:
        """Messages one campaign sent by ``at`` (default now): its count over time."""
        return control.sent(self.app, vendor, campaign_id, at)

    def optimum(self, vendor: str, rate: float, after: object, start: object = None) -> dict[str, Any]:
        """The fewest messages ``vendor``'s campaigns send after ``after`` when stopped one every
        ``1 / rate`` seconds from then (or from ``start``, e.g. when a run's first stop landed) in the
        best possible order (see :mod:`.optimum`).

        ``{"vendor", "rate", "after", "start", "campaigns", "messages", "last_stop", "order"}`` (``order``: ids, slot by slot).
        """
        return control.optimum(self.app, vendor, rate, after, start)

    def drift(self, vendor: str, kind: str | None) -> None:
        """Make ``vendor`` answer in the altered shape ``kind`` from now on (``None`` = as documented again)."""
        self.config.update(drift={**self.config.drift, vendor: kind})

    # -- faults and log --------------------------------------------------------------
    def inject(
        self,
        vendor: str | None,
        fault: str = "status",
        *,
        times: int | None = 1,
        path: str | None = None,
        method: str | None = None,
        when: str = "before",
        probability: float = 1.0,
        **params: Any,
    ) -> None:
        """Queue a fault for the next ``times`` matching requests it fires on (see ``faults``).

        ``probability`` (0..1) makes it fire on that share of the matching requests, drawn
        from the generator seeded by ``Simulator(seed=...)``.
        """
        if vendor not in (None, "*"):
            self.app.vendor(str(vendor))
        built = make_fault(vendor, fault, times=times, path=path, method=method, when=when, probability=probability, **params)
        self.app.faults.add(built)

    def set_rate_limit(
        self, vendor: str, rate: float | None, *, burst: float | None = None, refused_spends: bool = False, retry_after: str | None = None
    ) -> None:
        """Put a token bucket in front of ``vendor``: ``rate`` requests a second, ``burst`` at once
        (default: one second's worth); ``rate=None`` lifts it. See ``rate_limits`` for ``refused_spends``
        and ``retry_after`` (``"honest"``, ``"absent"``, ``"short"``; default: the vendor's own).
        """
        self.app.vendor(vendor)
        self.app.rate_limits.set(vendor, None if rate is None else RateLimit.build(rate, burst, refused_spends, retry_after))

    def rate_limits(self) -> dict[str, dict[str, Any]]:
        """Per limited vendor: its settings and how many requests it ``accepted`` and ``refused``."""
        return self.app.rate_limits.describe()

    def clear_faults(self) -> None:
        """Drop every pending fault."""
        self.app.faults.clear()

    def requests(self, vendor: str | None = None) -> list[dict[str, Any]]:
        """Logged vendor requests, oldest first.

        Each is a dict: ``vendor`` (``None`` for a path under no vendor's mount, e.g. a
        client that lost the ``/bsg`` prefix), ``method``, ``path`` (vendor-relative), ``raw_path``,
        ``query``, ``headers`` (lower-case names), ``json``, ``status`` (``None`` when
        dropped), ``fault`` (name or ``None``), ``time``.
        """
        return self.app.requests(vendor)

    def reset(self) -> None:
        """Clear campaigns, faults and the request log; restart the fault generator from its seed."""
        control.reset(self.app)
