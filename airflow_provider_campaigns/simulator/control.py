"""The ``/_sim/...`` control API: JSON in and out, no auth, never logged.

- ``GET /_sim/health`` -> ``{"status": "ok", "vendors": [...]}``
- ``POST /_sim/campaigns`` ``{"vendor", "status", "wind_down", ...add_campaign kwargs}`` ->
  what the fake's ``created`` says: ``{"id"}`` (bsg, kore), ``{"ids"}`` (cellcast), ``{"campaign_id",
  "campaign_send_id"}`` (comm)
- ``GET /_sim/campaigns?vendor=bsg`` -> list of current states (all vendors without ``vendor``)
- ``GET /_sim/campaigns/{vendor}/{id}`` -> ``{"vendor", "id", "state", "stop_count",
  "wind_down_left"}`` (seconds until an accepted stop takes effect, or ``null``)
- ``POST /_sim/faults`` ``{"vendor", "fault", "times", "path", "method", "when", ...params}``;
  ``GET /_sim/faults`` lists the pending ones; ``DELETE /_sim/faults`` clears them
- ``GET /_sim/requests?vendor=bsg`` -> the request log
- ``POST /_sim/reset`` -> clear campaigns, faults and the log (rate limits stay, their buckets refilled)
- ``GET /_sim/config`` -> ``{"strict", "wind_down", "page_caps", "drift"}``; ``POST /_sim/config`` with
  any of them changes them (validated; nothing changes on a 400), e.g. ``{"drift": {"kore":
  "missing_paging"}}`` (``{"kore": null}`` ends it)
- ``POST /_sim/rate_limits`` ``{"vendor", "rate", "burst", "refused_spends", "retry_after"}`` puts a token
  bucket in front of a vendor (``"rate": null`` lifts it); ``GET /_sim/rate_limits`` -> per limited vendor its
  settings and the requests it ``accepted`` and ``refused`` (see ``rate_limits``)
- ``POST /_sim/outage`` ``{"seconds": 15}`` -> ``{"ok": true, "seconds": 15}``, then the
  server refuses connections for that long (state kept)
- ``GET /_sim/traffic?after=<epoch or ISO 8601>[&until=...]`` -> messages sent per campaign with
  traffic, per vendor and in total, by ``until`` (default now) and from ``after`` on (see
  :func:`traffic`); ``GET /_sim/traffic/{vendor}/{id}?at=...`` -> ``{"sent"}`` by then;
  ``POST /_sim/traffic`` ``{"vendor" (or "*"), "rate", "audience"}`` sets the traffic new campaigns get
  (``"rate": null`` ends it) -> the settings
- ``GET /_sim/traffic/optimum?vendor=kore&rate=1&after=...[&start=...]`` -> the fewest messages that
  vendor's campaigns send after ``after`` when stopped ``rate`` a second (from ``start``, default
  ``after``) in the best order (:mod:`.optimum`)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import optimum as best
from .config import SimConfig
from .faults import make_fault
from .http_types import SimRequest, SimResponse, json_response
from .rate_limits import RateLimit
from .traffic import Sending, moment, report

if TYPE_CHECKING:
    from .server import App


def created(app: App, vendor: str, result: Any) -> dict[str, Any]:
    """The control API's answer to a created campaign (each fake names its own: ``FakeVendor.created``)."""
    return app.vendor(vendor).created(result)


def add_campaign(app: App, spec: dict[str, Any]) -> Any:
    """Create a campaign from a dict holding ``vendor`` and ``add_campaign`` kwargs."""
    kwargs = dict(spec)
    vendor = kwargs.pop("vendor", None)
    if not isinstance(vendor, str):
        raise TypeError("'vendor' is required")
    return app.vendor(vendor).add(**kwargs)


def inject(app: App, spec: dict[str, Any]) -> dict[str, Any]:
    """Queue a fault from a dict (``vendor``, ``fault``, ``times``, ``path``, ...)."""
    kwargs = dict(spec)
    vendor = kwargs.pop("vendor", None)
    if vendor not in (None, "*"):
        app.vendor(str(vendor))
    fault = make_fault(vendor, str(kwargs.pop("fault", "status")), **kwargs)
    app.faults.add(fault)
    return fault.describe()


def reset(app: App) -> None:
    """Clear campaigns, faults and the request log; restart the fault generator from its seed."""
    for api in app.vendors.values():
        api.reset()
    app.faults.clear()
    app.faults.reseed()
    app.rate_limits.refill()
    app.clear_log()


def set_rate_limit(app: App, spec: dict[str, Any]) -> dict[str, Any]:
    """Set (or, with ``"rate": null``, lift) one vendor's rate limit from a dict."""
    kwargs = dict(spec)
    vendor = str(kwargs.pop("vendor", None))
    app.vendor(vendor)
    unknown = set(kwargs) - {"rate", "burst", "refused_spends", "retry_after"}
    if unknown:
        raise ValueError(f"unknown rate-limit settings: {', '.join(sorted(unknown))}")
    rate = kwargs.pop("rate", None)
    app.rate_limits.set(vendor, None if rate is None else RateLimit.build(rate, **kwargs))
    return app.rate_limits.describe()


def sendings(app: App, vendor: str | None = None) -> list[Sending]:
    """Every campaign with traffic (of ``vendor``, or of all)."""
    apis = [app.vendor(vendor)] if vendor else list(app.vendors.values())
    return [sending for api in apis for sending in api.sendings()]


def traffic(app: App, after: object, until: object = None) -> dict[str, Any]:
    """Messages sent by ``until`` (default now) and from ``after`` on, per campaign, vendor and in total."""
    if after in (None, ""):
        raise ValueError("'after' is required: an epoch number or an ISO 8601 date-time")
    end = app.store.clock.time() if until in (None, "") else moment(until)
    return report(sendings(app), moment(after), end)


def sent(app: App, vendor: str, campaign_id: Any, at: object = None) -> int:
    """Messages one campaign sent by ``at`` (default now); ``KeyError`` when unknown."""
    api = app.vendor(vendor)
    with app.store.lock:
        record = app.store.get(api.name, api.key_of(campaign_id))
        if record is None:
            raise KeyError(f"no {vendor} campaign {campaign_id!r}")
        return record.sent(None if at in (None, "") else moment(at))


def optimum(app: App, vendor: str, rate: object, after: object, start: object = None) -> dict[str, Any]:
    """The best order to stop ``vendor``'s campaigns at ``rate`` stops a second from ``start`` (default ``after``)."""
    if after in (None, ""):
        raise ValueError("'after' is required: an epoch number or an ISO 8601 date-time")
    if isinstance(rate, bool) or not isinstance(rate, (str, int, float)):
        raise ValueError(f"rate must be a number of stops a second > 0, not {rate!r}")
    first = None if start in (None, "") else moment(start)
    return {"vendor": vendor, **best.optimum(sendings(app, vendor), moment(after), float(rate), first)}


def set_traffic(app: App, body: dict[str, Any]) -> dict[str, Any]:
    """Set (or end) the traffic new campaigns of a vendor get."""
    unknown = set(body) - {"vendor", "rate", "audience"}
    if unknown:
        raise ValueError(f"unknown traffic settings: {', '.join(sorted(unknown))}")
    vendor = str(body.get("vendor") or "*")
    rate = body.get("rate")
    config(app).update(traffic={vendor: None if rate is None else {"rate": rate, "audience": body.get("audience")}})
    return {name: setting.as_dict() for name, setting in config(app).traffic.items()}


def config(app: App) -> SimConfig:
    """The settings every vendor shares."""
    return next(iter(app.vendors.values())).config


def outage(app: App, body: dict[str, Any]) -> SimResponse:
    """Answer, then take the server down for ``body["seconds"]``."""
    seconds = body.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds < float("inf"):
        raise ValueError(f"seconds must be a number >= 0, not {seconds!r}")
    if app.on_outage is None:
        raise ValueError("this server cannot take an outage")
    answer = json_response(200, {"ok": True, "seconds": seconds})
    answer.outage = float(seconds)
    return answer


def handle(app: App, req: SimRequest) -> SimResponse:
    """Answer one control request."""
    route = req.path.rstrip("/")
    body = req.json if isinstance(req.json, dict) else {}
    try:
        if route == "/health" and req.method == "GET":
            return json_response(200, {"status": "ok", "vendors": list(app.vendors)})
        if route == "/campaigns" and req.method == "POST":
            vendor = str(body.get("vendor"))
            return json_response(200, created(app, vendor, add_campaign(app, body)))
        if route == "/campaigns" and req.method == "GET":
            wanted = req.query.get("vendor")
            apis = [app.vendor(wanted)] if wanted else list(app.vendors.values())
            return json_response(200, [state for api in apis for state in api.states()])
        if route.startswith("/campaigns/") and req.method == "GET":
            _, _, vendor, campaign_id = route.split("/", 3)
            api = app.vendor(vendor)
            state = api.state(campaign_id)
            if state is None:
                return json_response(404, {"error": f"no {vendor} campaign {campaign_id}"})
            answer = {
                "vendor": vendor,
                "id": campaign_id,
                "state": state,
                "stop_count": api.stop_count(campaign_id),
                "wind_down_left": api.wind_down_left(campaign_id),
            }
            return json_response(200, answer)
        if route == "/faults" and req.method == "POST":
            return json_response(200, {"ok": True, "fault": inject(app, body)})
        if route == "/faults" and req.method == "GET":
            return json_response(200, app.faults.pending())
        if route == "/faults" and req.method == "DELETE":
            app.faults.clear()
            return json_response(200, {"ok": True})
        if route == "/requests" and req.method == "GET":
            return json_response(200, app.requests(req.query.get("vendor") or None))
        if route == "/config" and req.method == "GET":
            return json_response(200, config(app).as_dict())
        if route == "/config" and req.method == "POST":
            config(app).update(**body)
            return json_response(200, config(app).as_dict())
        if route == "/rate_limits" and req.method == "POST":
            return json_response(200, set_rate_limit(app, body))
        if route == "/rate_limits" and req.method == "GET":
            return json_response(200, app.rate_limits.describe())
        if route == "/traffic" and req.method == "GET":
            return json_response(200, traffic(app, req.query.get("after"), req.query.get("until")))
        if route == "/traffic" and req.method == "POST":
            return json_response(200, set_traffic(app, body))
        if route == "/traffic/optimum" and req.method == "GET":
            query = req.query
            return json_response(200, optimum(app, str(query.get("vendor")), query.get("rate"), query.get("after"), query.get("start")))
        if route.startswith("/traffic/") and req.method == "GET":
            _, _, vendor, campaign_id = route.split("/", 3)
            try:
                return json_response(200, {"sent": sent(app, vendor, campaign_id, req.query.get("at"))})
            except KeyError as exc:
                return json_response(404, {"error": str(exc.args[0])})
        if route == "/outage" and req.method == "POST":
            return outage(app, body)
        if route == "/reset" and req.method == "POST":
            reset(app)
            return json_response(200, {"ok": True})
    except (TypeError, ValueError) as exc:
        return json_response(400, {"error": str(exc)})
    return json_response(404, {"error": f"no control route {req.method} /_sim{req.path}"})
