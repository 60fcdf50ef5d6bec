"""The ``/_sim/...`` control API: JSON in and out, no auth, never logged.

- ``GET /_sim/health`` -> ``{"status": "ok", "vendors": [...]}``
- ``POST /_sim/campaigns`` ``{"vendor", "status", "wind_down", ...add_campaign kwargs}`` ->
  ``{"id"}`` (bsg, kore), ``{"ids"}`` (cellcast), ``{"campaign_id",
  "campaign_send_id"}`` (comm)
- ``GET /_sim/campaigns?vendor=bsg`` -> list of current states (all vendors without ``vendor``)
- ``GET /_sim/campaigns/{vendor}/{id}`` -> ``{"vendor", "id", "state", "stop_count",
  "wind_down_left"}`` (seconds until an accepted stop takes effect, or ``null``)
- ``POST /_sim/faults`` ``{"vendor", "fault", "times", "path", "method", "when", ...params}``;
  ``GET /_sim/faults`` lists the pending ones; ``DELETE /_sim/faults`` clears them
- ``GET /_sim/requests?vendor=bsg`` -> the request log
- ``POST /_sim/reset`` -> clear campaigns, faults and the log
- ``GET /_sim/config`` -> ``{"strict", "wind_down", "page_caps", "drift"}``; ``POST /_sim/config`` with
  any of them changes them (validated; nothing changes on a 400), e.g. ``{"drift": {"kore":
  "missing_paging"}}`` (``{"kore": null}`` ends it)
- ``POST /_sim/outage`` ``{"seconds": 15}`` -> ``{"ok": true, "seconds": 15}``, then the
  server refuses connections for that long (state kept)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import SimConfig
from .faults import make_fault
from .http_types import SimRequest, SimResponse, json_response

if TYPE_CHECKING:
    from .server import App


def created(vendor: str, result: Any) -> dict[str, Any]:
    """The control API's answer to a created campaign."""
    if vendor == "cellcast":
        return {"ids": result}
    if vendor == "comm":
        return {"campaign_id": result[0], "campaign_send_id": result[1]}
    return {"id": result}


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
    app.clear_log()


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
            return json_response(200, created(vendor, add_campaign(app, body)))
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
        if route == "/outage" and req.method == "POST":
            return outage(app, body)
        if route == "/reset" and req.method == "POST":
            reset(app)
            return json_response(200, {"ok": True})
    except (TypeError, ValueError) as exc:
        return json_response(400, {"error": str(exc)})
    return json_response(404, {"error": f"no control route {req.method} /_sim{req.path}"})
