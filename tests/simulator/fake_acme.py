"""Acme, a fifth fake vendor that lives only in the test tree: one module, one ``fakes.register`` call.

It answers the contract of ``tests/registry/acme_provider/vendors/acme.py`` (the client side of the
same vendor): ``Authorization: Bearer <acme_api_key>``; ``GET /campaigns?page=N`` -> ``{"items":
[{"id", "state", "name"}], "more"}`` in pages of two, by id; ``GET /campaigns/{id}`` -> the
campaign (``id``, ``state``, ``name``, ``started``, ``ended``, ``sent``); ``POST
/campaigns/{id}/stop`` -> the campaign, or ``409 {"error": "not running"}`` unless it is
``running``. Ids are ``ac-1``, ``ac-2``, ...; states ``running`` -> ``halted`` (a stop) or ``done``.
Everything else (mounting, credentials, connection, rate limit, drift, traffic, control API)
comes from the simulator's shared code. It imports only the simulator, as a vendor package
shipping its own fake would.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from airflow_provider_campaigns.simulator.clock import iso_ms
from airflow_provider_campaigns.simulator.credentials import CredentialField, SimulatorCredentials
from airflow_provider_campaigns.simulator.drift import DriftShape
from airflow_provider_campaigns.simulator.fake_vendor import FakeVendor
from airflow_provider_campaigns.simulator.http_types import SimRequest, SimResponse, json_response
from airflow_provider_campaigns.simulator.state import Machine, Record, Timing, new_record
from airflow_provider_campaigns.simulator.traffic import TrafficSetting

MACHINE = Machine(statuses=("running", "halted", "done"), advancing=frozenset({"running"}), running="running", done="done")
PAGE = 2


class FakeAcme(FakeVendor):
    """Acme's routes and campaign resources."""

    name = "acme"
    title = "Acme"
    credential_fields = (CredentialField("acme_api_key", lambda: "acme-" + secrets.token_hex(16), "Acme API key (Bearer)"),)
    drift_shape = DriftShape(ids=(("id",), "acme_id"), paging=(("", ("more",)),), whole_answer=("/campaigns/",))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Register the routes."""
        super().__init__(*args, **kwargs)
        self.router.add("GET", r"/campaigns", self._list)
        self.router.add("GET", r"/campaigns/([^/]+)", self._get)
        self.router.add("POST", r"/campaigns/([^/]+)/stop", self._stop)

    @classmethod
    def connection(cls, creds: SimulatorCredentials, url: str) -> dict[str, Any]:
        """The key in ``password``."""
        return cls.connection_to(url, password=creds.acme_api_key)

    def authenticate(self, req: SimRequest) -> SimResponse | None:
        """``Authorization: Bearer <key>`` on every call."""
        return None if req.headers.get("authorization") == f"Bearer {self.creds.acme_api_key}" else self.unauthorized()

    def unauthorized(self) -> SimResponse:
        """Acme's 401."""
        return json_response(401, {"error": "unauthorized"})

    def not_found(self) -> SimResponse:
        """Unknown route or campaign."""
        return json_response(404, {"error": "no such route"})

    def rate_limit_body(self) -> Any:
        """Acme's 429."""
        return {"error": "slow down", "limit": "per second"}

    def create(
        self, *, status: str | None, channel: str, name: str | None, timing: Timing, traffic: TrafficSetting | None, audience: int = 100
    ) -> str:
        """A running campaign (or in ``status``); returns its id."""
        campaign_id = f"ac-{self.store.next_number(self.name)}"
        timing = self.with_traffic(timing, traffic, audience)
        record = new_record(self.name, campaign_id, MACHINE, status or "running", timing, self.store.clock)
        self.attach_flow(record, traffic, audience, timing.starts_in)
        record.fields = {"name": name or f"Campaign {campaign_id}"}
        self.store.put(record)
        return campaign_id

    def render(self, record: Record) -> dict[str, Any]:
        """The campaign resource."""
        ended = record.entered.get("halted", record.entered.get("done"))
        return {
            "id": record.id,
            "state": record.status,
            "name": record.fields["name"],
            "started": iso_ms(record.created),
            "ended": iso_ms(ended),
            "sent": record.sent(),
        }

    def _list(self, req: SimRequest, _: re.Match[str]) -> SimResponse:
        page = int(req.query.get("page") or 1)
        size = self.page_size(PAGE)
        with self.store.lock:
            records = sorted(self.store.all(self.name), key=lambda record: record.key)
            rows = [{key: self.render(r)[key] for key in ("id", "state", "name")} for r in records[(page - 1) * size : page * size]]
        return json_response(200, {"items": rows, "more": page * size < len(records)})

    def _get(self, req: SimRequest, match: re.Match[str]) -> SimResponse:
        with self.store.lock:
            record = self.store.get(self.name, match[1])
            return self.not_found() if record is None else json_response(200, self.render(record))

    def _stop(self, req: SimRequest, match: re.Match[str]) -> SimResponse:
        with self.store.lock:
            record = self.store.get(self.name, match[1])
            if record is None:
                return self.not_found()
            if record.status != "running" or record.winding_down:
                return json_response(409, {"error": "not running"})
            self.accept_stop(record, "halted")
            return json_response(200, self.render(record))
