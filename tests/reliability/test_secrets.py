"""Secrets: every operator, sensor (poke and deferrable) and trigger, through success and every
failure path, with the simulator's random credentials; then a search of everything a user or a log
could see for them, plain and base64: captured stdout/stderr (Airflow 3 logs through structlog to
stdout), log records (DEBUG and up, urllib3/httpx included), exception ``str``/``repr``/traceback,
return values (XCom), ``ti.xcom_push`` calls, rendered template fields, ``TaskDeferred`` payloads,
serialized triggers and trigger events, ``test_connection`` messages.

Secrets searched: the API keys / tokens / Client Secret, distinctive wrong keys, and every JWT the
simulator saw (BSG ``Authorization: Bearer``, Kore ``auth``), each as a whole, base64, URL-safe
base64, a 16-character slice (API keys) and the signature (JWTs).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import secrets
import traceback
from dataclasses import dataclass, field
from typing import Any
from unittest.mock import MagicMock

import pytest

from tests.conftest import MemoryStore, first_event, next_event, status_trigger

VENDORS = ("bsg", "cellcast", "comm", "kore")
RUNNING = {"bsg": "sending", "cellcast": "scheduled", "comm": "in_progress", "kore": "Active"}
STOPPED = {"bsg": "stopped", "cellcast": "canceled", "comm": "stopped", "kore": "Stopped"}
WRONG = {vendor: f"WRONG-{vendor}-{secrets.token_hex(16)}" for vendor in VENDORS}
HOST_PASSWORD = f"hostpw{secrets.token_hex(12)}"


# -- campaigns, references, faults -----------------------------------------------------------
def created_ref(sim: Any, vendor: str, status: str, **kwargs: Any) -> dict[str, str]:
    created = sim.add_campaign(vendor, status=status, **kwargs)
    if vendor == "bsg":
        return {"campaign_id": str(created)}
    if vendor == "cellcast":
        return {"campaign_id": created[0]}
    if vendor == "comm":
        return {"campaign_id": created[0], "campaign_send_id": created[1]}
    return {"campaign_id": created}


def unknown_ref(vendor: str) -> dict[str, str]:
    return {
        "bsg": {"campaign_id": "987654"},
        "cellcast": {"campaign_id": "f" * 24},
        "comm": {"campaign_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "campaign_send_id": "4d90c3cc-0d44-4b50-8888-8dd25736052b"},
        "kore": {"campaign_id": "cd-unknown"},
    }[vendor]


def status_path(vendor: str) -> str:
    return {"bsg": r"/api/campaigns/\d+$", "cellcast": r"/report/message/", "comm": r"/sms/campaigns/[^/]+$", "kore": r"/status$"}[vendor]


def stop_path(vendor: str) -> str:
    return {"bsg": r"/stop$", "cellcast": r"/cancelScheduleQuickMessage$", "comm": r"/stop/", "kore": r"/trigger/"}[vendor]


def echo_body(sim: Any, vendor: str) -> dict[str, Any]:
    """An error body that reflects the credential back (some gateways do)."""
    creds = sim.credentials
    key = {"bsg": creds.bsg_api_key, "cellcast": creds.cellcast_api_key, "comm": creds.comm_token, "kore": creds.kore_client_secret}[vendor]
    return {"message": f"invalid credential {key}", "error": {"error": f"token {key} refused"}, "errors": [{"msg": f"key={key}"}]}


PATHS = ("success", "already_final", "wrong_key", "401", "404", "429", "500", "malformed", "drop", "echo")


def prepare(sim: Any, vendor: str, path: str, component: str) -> tuple[dict[str, str], str]:
    """The campaign and connection for one path; faults injected on the right requests."""
    conn_id = f"rel_{vendor}"
    initial = STOPPED[vendor] if path == "already_final" or (component == "sensor" and path == "success") else RUNNING[vendor]
    if path == "404":
        return unknown_ref(vendor), conn_id
    ref = created_ref(sim, vendor, initial)
    if path == "wrong_key":
        return ref, f"wrong_{vendor}"
    target = stop_path(vendor) if component == "operator" else status_path(vendor)
    if path == "401":
        sim.inject(vendor, fault="status", status=401, times=None, path=target)
    elif path in ("429", "500"):
        sim.inject(vendor, fault="status", status=int(path), retry_after="0" if path == "429" else None, times=None, path=target)
    elif path == "malformed":
        if component == "operator":
            sim.inject(vendor, fault="malformed", times=None, path=target, when="after")
        sim.inject(vendor, fault="malformed", times=None, path=status_path(vendor))
    elif path == "drop":
        sim.inject(vendor, fault="drop", times=None, path=target)
    elif path == "echo":
        sim.inject(
            vendor, fault="status", status=422 if component == "operator" else 400, body=echo_body(sim, vendor), times=None, path=target
        )
    return ref, conn_id


# -- classes ---------------------------------------------------------------------------------
def classes(vendor: str) -> tuple[Any, Any, Any]:
    if vendor == "bsg":
        from airflow_provider_campaigns.hooks.bsg import BsgHook as H
        from airflow_provider_campaigns.operators.bsg import BsgStopCampaignOperator as O
        from airflow_provider_campaigns.sensors.bsg import BsgCampaignStatusSensor as S
    elif vendor == "cellcast":
        from airflow_provider_campaigns.hooks.cellcast import CellcastHook as H
        from airflow_provider_campaigns.operators.cellcast import CellcastStopCampaignOperator as O
        from airflow_provider_campaigns.sensors.cellcast import CellcastCampaignStatusSensor as S
    elif vendor == "comm":
        from airflow_provider_campaigns.hooks.comm import CommHook as H
        from airflow_provider_campaigns.operators.comm import CommStopCampaignOperator as O
        from airflow_provider_campaigns.sensors.comm import CommCampaignStatusSensor as S
    else:
        from airflow_provider_campaigns.hooks.kore import KoreHook as H
        from airflow_provider_campaigns.operators.kore import KoreStopCampaignOperator as O
        from airflow_provider_campaigns.sensors.kore import KoreCampaignStatusSensor as S
    return O, S, H


CONN_FIELD = {"bsg": "bsg_conn_id", "cellcast": "cellcast_conn_id", "comm": "comm_conn_id", "kore": "kore_conn_id"}


def templated_kwargs(vendor: str, ref: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Operator/sensor arguments as Jinja templates, and the ``params`` that render them."""
    if vendor == "cellcast":
        return {"message_ids": "{{ params.campaign_id }}"}, {"campaign_id": ref["campaign_id"]}
    if vendor == "comm":
        return {"campaign_id": "{{ params.campaign_id }}", "campaign_send_id": "{{ params.campaign_send_id }}"}, dict(ref)
    return {"campaign_id": "{{ params.campaign_id }}"}, {"campaign_id": ref["campaign_id"]}


# -- what was seen ---------------------------------------------------------------------------
@dataclass
class Seen:
    """Every surface of one run a user, a log or the metadata DB could hold."""

    texts: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, value: Any) -> None:
        self.texts[name] = self.texts.get(name, "") + "\n" + (value if isinstance(value, str) else _dump(value))

    def error(self, error: BaseException | None) -> None:
        if error is not None:
            self.add("exception-str", str(error))
            self.add("exception-repr", repr(error))
            self.add("exception-traceback", "".join(traceback.format_exception(error)))

    def deferred(self, deferred: Any) -> None:
        self.add("deferral-kwargs", deferred.kwargs)
        self.add("trigger-serialized", deferred.trigger.serialize())
        self.add("trigger-repr", repr(deferred.trigger))


def _dump(value: Any) -> str:
    try:
        return json.dumps(value, default=repr, sort_keys=True)
    except (TypeError, ValueError):
        return repr(value)


def secret_forms(sim: Any) -> set[str]:
    """The secrets (credentials, wrong keys, every JWT the simulator saw) in every searched form."""
    creds = sim.credentials
    keys = [creds.bsg_api_key, creds.cellcast_api_key, creds.comm_token, creds.kore_client_secret, HOST_PASSWORD, *WRONG.values()]
    jwts = set()
    for entry in sim.requests():
        headers = entry["headers"]
        bearer = headers.get("authorization", "")
        if bearer.lower().startswith("bearer ") and bearer.count(".") == 2:
            jwts.add(bearer.split(" ", 1)[1].strip())
        if headers.get("auth"):
            jwts.add(headers["auth"].strip())
    forms: set[str] = set()
    for value in [*keys, *jwts]:
        forms |= {value, base64.b64encode(value.encode()).decode(), base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")}
    for key in keys:
        middle = len(key) // 2
        forms.add(key[middle - 8 : middle + 8])
    forms |= {jwt.rsplit(".", 1)[1] for jwt in jwts}
    return forms


@pytest.fixture
def leak_search(
    sim: Any, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, figures: Any, request: pytest.FixtureRequest
) -> Any:
    caplog.set_level(logging.DEBUG)
    known_defect = request.node.get_closest_marker("xfail") is not None

    capture_manager = request.config.pluginmanager.getplugin("capturemanager")

    def search(seen: Seen, count: bool = True) -> list[str]:
        out, err = capfd.readouterr()
        # Airflow binds its log handlers to the stream of the moment it configured logging: pytest's
        # session-wide capture. Read that one too (what the test would print as "Captured stdout").
        global_out, global_err = capture_manager.read_global_capture() if capture_manager is not None else ("", "")
        surfaces = {**seen.texts, "stdout": out + global_out, "stderr": err + global_err, "log-records": caplog.text}
        forms = secret_forms(sim)
        hits = [f"{name}: {form[:6]}..." for name, text in surfaces.items() for form in forms if form and form in text]
        if count:
            figures.probe(len(forms) * len(surfaces), len(hits), known_defect)
            assert not hits, f"secret leaked in {hits}"
        assert len(forms) >= 15, "the search covers the credentials, the wrong keys and the JWTs seen"
        return hits

    return search


def test_the_search_finds_planted_secrets(sim: Any, leak_search: Any) -> None:
    """The search is not blind: a key logged, a JWT printed in base64, a key in an exception are all found."""
    creds = sim.credentials
    hook = classes("bsg")[2]("rel_bsg")
    jwt = hook.login()
    hook.get_campaign(sim.add_campaign("bsg"))  # the JWT is now in the simulator's request log
    logging.getLogger("airflow_provider_campaigns.planted").warning("key %s", creds.cellcast_api_key)
    print(base64.b64encode(jwt.encode()).decode())
    seen = Seen()
    seen.error(ValueError(f"token={creds.kore_client_secret[5:-5]}"))
    hits = leak_search(seen, count=False)
    assert any(hit.startswith("stdout") for hit in hits), hits
    assert any(hit.startswith("log-records") for hit in hits), hits
    assert any(hit.startswith("exception") for hit in hits), hits


@pytest.fixture
def wrong_connections(sim: Any, monkeypatch: pytest.MonkeyPatch, net: Any) -> None:
    """``wrong_<vendor>``: the simulator's connections with a distinctive wrong key / Client Secret."""
    for vendor in VENDORS:
        conn = net.sim_connections(sim)[f"rel_{vendor}"]
        net.set_connections(monkeypatch, {f"wrong_{vendor}": {**conn, "password": WRONG[vendor]}})


# -- operators -------------------------------------------------------------------------------
OPERATOR_PATHS = [*PATHS, "deferred"]


@pytest.mark.parametrize("path", OPERATOR_PATHS)
@pytest.mark.parametrize("vendor", VENDORS)
def test_operator(vendor: str, path: str, sim: Any, wrong_connections: None, leak_search: Any, journal_store: MemoryStore) -> None:
    from airflow.providers.common.compat.sdk import TaskDeferred

    journaled = journal_store.log  # what the stop journal would write to its Airflow Variable

    operator_cls, _, _ = classes(vendor)
    ref, conn_id = prepare(sim, vendor, path, "operator")
    templated, params = templated_kwargs(vendor, ref)
    options: dict[str, Any] = {}
    if path == "deferred":  # read the stopped status as "active", so the operator defers its wait
        options = {
            "wait_for_completion": True,
            "deferrable": True,
            "poll_interval": 0.05,
            "timeout": 5,
            "status_map": {STOPPED[vendor]: "active"},
        }
    op = operator_cls(task_id=f"stop_{vendor}", **{CONN_FIELD[vendor]: conn_id}, **templated, **options)
    ti = MagicMock(dag_id="secret_probe", run_id="manual__secret_probe", task_id=f"stop_{vendor}", map_index=-1, try_number=1, max_tries=2)
    context = {"params": params, "ti": ti, "run_id": "manual__secret_probe"}
    seen = Seen()
    op.render_template_fields(context)
    seen.add("rendered-template-fields", {name: getattr(op, name) for name in op.template_fields})
    result: Any = None
    error: BaseException | None = None
    try:
        result = op.execute(context)
    except TaskDeferred as deferred:
        seen.deferred(deferred)
        error = deferred
    except Exception as caught:  # noqa: BLE001 - every failure path is searched
        error = caught
    seen.add("xcom-return", result)
    seen.add("xcom-push", [repr(c) for c in ti.xcom_push.call_args_list])
    seen.add("journal", journaled)
    assert journaled, "the stop journal was written (and searched)"
    seen.error(error)
    expected_ok = path in ("success", "already_final")
    assert (error is None) == expected_ok, repr(error)
    if path == "deferred":
        assert isinstance(error, TaskDeferred)
    leak_search(seen)


# -- sensors ---------------------------------------------------------------------------------
SENSOR_PATHS = [p for p in PATHS if p != "already_final"] + ["pending"]


@pytest.mark.parametrize("path", SENSOR_PATHS)
@pytest.mark.parametrize("vendor", VENDORS)
def test_sensor_poke(vendor: str, path: str, sim: Any, wrong_connections: None, leak_search: Any) -> None:
    _, sensor_cls, _ = classes(vendor)
    ref, conn_id = prepare(sim, vendor, "success" if path == "pending" else path, "sensor")
    if path == "pending":
        ref = created_ref(sim, vendor, RUNNING[vendor])
    templated, params = templated_kwargs(vendor, ref)
    sensor = sensor_cls(task_id=f"wait_{vendor}", **{CONN_FIELD[vendor]: conn_id}, **templated, poke_interval=0.05, timeout=5)
    context = {"params": params, "ti": MagicMock()}
    seen = Seen()
    sensor.render_template_fields(context)
    seen.add("rendered-template-fields", {name: getattr(sensor, name) for name in sensor.template_fields})
    result: Any = None
    error: BaseException | None = None
    try:
        result = sensor.poke(context)
    except Exception as caught:  # noqa: BLE001
        error = caught
    seen.add("xcom-return", getattr(result, "xcom_value", result))
    seen.add("poke-return", repr(result))
    seen.error(error)
    if path in ("wrong_key", "401", "404", "echo"):
        assert error is not None
    else:
        assert error is None, repr(error)
        assert result.is_done == (path == "success")
    leak_search(seen)


@pytest.mark.parametrize("path", ["deferred", "wrong_key", "404"])
@pytest.mark.parametrize("vendor", VENDORS)
def test_sensor_deferrable(vendor: str, path: str, sim: Any, wrong_connections: None, leak_search: Any) -> None:
    from airflow.providers.common.compat.sdk import TaskDeferred

    _, sensor_cls, _ = classes(vendor)
    if path == "deferred":
        ref, conn_id = created_ref(sim, vendor, RUNNING[vendor], finishes_in=0.15), f"rel_{vendor}"
    else:
        ref, conn_id = prepare(sim, vendor, path, "sensor")
    templated, params = templated_kwargs(vendor, ref)
    sensor = sensor_cls(
        task_id=f"wait_{vendor}", **{CONN_FIELD[vendor]: conn_id}, **templated, deferrable=True, poke_interval=0.05, timeout=5
    )
    context = {"params": params, "ti": MagicMock()}
    seen = Seen()
    sensor.render_template_fields(context)
    seen.add("rendered-template-fields", {name: getattr(sensor, name) for name in sensor.template_fields})
    try:
        sensor.execute(context)
    except TaskDeferred as deferred:
        seen.deferred(deferred)
        payload = first_event(deferred.trigger, 30)
        seen.add("trigger-event", payload)
        assert payload["status"] == "success", payload
        seen.add("xcom-return", sensor.execute_complete(context, payload))
    except Exception as caught:  # noqa: BLE001
        seen.error(caught)
        assert path != "deferred", repr(caught)
    else:
        pytest.fail("expected a deferral or an error")
    leak_search(seen)


# -- triggers --------------------------------------------------------------------------------
@pytest.mark.parametrize("vendor", VENDORS)
def test_trigger_every_path(vendor: str, sim: Any, wrong_connections: None, leak_search: Any, make_ref: Any) -> None:
    """All paths of one vendor's trigger at once (one event loop): success, errors, timeouts."""

    plans: dict[str, tuple[dict[str, str], str]] = {}
    for path in ("success", "wrong_key", "401", "404", "429", "500", "malformed", "drop", "echo"):
        if path == "404":
            plans[path] = (unknown_ref(vendor), f"rel_{vendor}")
            continue
        ref = created_ref(sim, vendor, STOPPED[vendor] if path == "success" else RUNNING[vendor])
        plans[path] = (ref, f"wrong_{vendor}" if path == "wrong_key" else f"rel_{vendor}")
        if path not in ("success", "wrong_key"):
            _reinject(sim, vendor, path, ref)  # on this campaign's status path only

    stream = sim.credentials.kore_stream_id

    def typed(ref: dict[str, str]) -> Any:
        return make_ref(
            vendor, [ref["campaign_id"], ref.get("campaign_send_id")] if vendor in ("comm", "cellcast") else ref["campaign_id"], stream
        )

    triggers = {path: status_trigger(vendor, [typed(ref)], conn_id, deadline_in=0.3) for path, (ref, conn_id) in plans.items()}

    async def all_events() -> dict[str, dict[str, Any]]:
        done = await asyncio.gather(*(next_event(t) for t in triggers.values()))
        return dict(zip(triggers, done, strict=True))

    events = asyncio.run(asyncio.wait_for(all_events(), 30))
    seen = Seen()
    for path, trigger in triggers.items():
        seen.add(f"trigger-serialized-{path}", trigger.serialize())
        seen.add(f"trigger-event-{path}", events[path])
    expected = {"success": "success", "wrong_key": "error", "401": "error", "404": "error", "echo": "error"}
    for path, payload in events.items():
        assert payload["status"] == expected.get(path, "timeout"), (path, payload)
    leak_search(seen)


def _reinject(sim: Any, vendor: str, path: str, ref: dict[str, str]) -> None:
    import re

    own = {
        "bsg": rf"/api/campaigns/{ref['campaign_id']}$",
        "cellcast": rf"/report/message/{ref['campaign_id']}$",
        "comm": rf"/sms/campaigns/{re.escape(ref['campaign_id'])}$",
        "kore": rf"/campaign/{re.escape(ref['campaign_id'])}/status$",
    }[vendor]
    if path in ("429", "500", "401"):
        sim.inject(vendor, fault="status", status=int(path), retry_after="0" if path == "429" else None, times=None, path=own)
    elif path == "malformed":
        sim.inject(vendor, fault="malformed", times=None, path=own)
    elif path == "drop":
        sim.inject(vendor, fault="drop", times=None, path=own)
    else:
        sim.inject(vendor, fault="status", status=400, body=echo_body(sim, vendor), times=None, path=own)


# -- connection tests and messages built from connection fields -------------------------------
@pytest.mark.parametrize("vendor", VENDORS)
def test_connection_test_messages(vendor: str, sim: Any, wrong_connections: None, leak_search: Any) -> None:
    _, _, hook_cls = classes(vendor)
    seen = Seen()
    good = hook_cls(f"rel_{vendor}").test_connection()
    bad = hook_cls(f"wrong_{vendor}").test_connection()
    seen.add("test-connection", [good, bad])
    assert good[0] is True and bad[0] is False
    leak_search(seen)


@pytest.mark.parametrize("vendor", VENDORS)
def test_credentials_in_a_malformed_host_are_not_echoed(
    vendor: str, sim: Any, monkeypatch: pytest.MonkeyPatch, net: Any, leak_search: Any
) -> None:
    from airflow_provider_campaigns.exceptions import InvalidInputError

    _, _, hook_cls = classes(vendor)
    conn = net.sim_connections(sim)[f"rel_{vendor}"]
    net.set_connections(monkeypatch, {f"hostpw_{vendor}": {**conn, "host": f"https://apiuser:{HOST_PASSWORD}@api.example.com"}})
    seen = Seen()
    with pytest.raises(InvalidInputError) as caught:
        hook_cls(f"hostpw_{vendor}").status(unknown_ref(vendor) | ({"stream_id": "st-1"} if vendor == "kore" else {}))
    seen.error(caught.value)
    leak_search(seen)
