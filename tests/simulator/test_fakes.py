"""The registry of fake vendors is open: a fifth fake defined in the test tree is served like the four built-in ones.

``fake_acme.py`` (beside this file) is the whole fake; registering it is one call. Nothing in the
package is edited: the simulator mounts it, generates its credentials, writes its connection,
counts its traffic, puts a rate limit with its own 429 in front of it, drifts its answers and takes
it on the command line, all driven here over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from airflow_provider_campaigns.simulator import Simulator, SimulatorCredentials, fakes
from airflow_provider_campaigns.simulator.__main__ import parse_args
from airflow_provider_campaigns.simulator.clock import ManualClock
from airflow_provider_campaigns.simulator.config import SimConfig
from tests.simulator.conftest import Answer, call
from tests.simulator.fake_acme import FakeAcme


@pytest.fixture
def acme() -> Iterator[tuple[Simulator, ManualClock]]:
    """Acme registered, a simulator on a manual clock serving it (and the four others)."""
    fakes.register(FakeAcme)
    clock = ManualClock()
    sim = Simulator(clock=clock).start()
    try:
        yield sim, clock
    finally:
        sim.stop()
        fakes.unregister("acme")


def acme_call(sim: Simulator, path: str, method: str = "GET", key: str | None = None) -> Answer:
    """A request to Acme with its bearer key (``key`` instead, when given)."""
    return call(sim.base_url("acme") + path, method, headers={"Authorization": f"Bearer {key or sim.credentials.acme_api_key}"})


def control(sim: Simulator, path: str, body: Any = None) -> Any:
    """A control API call; its JSON answer (asserting a 200)."""
    answer = call(f"{sim.url}/_sim{path}", "GET" if body is None else "POST", body)
    assert answer.status == 200, answer.body
    return answer.json()


def test_a_registered_fake_is_mounted_with_its_credentials_and_connection(acme):
    sim, _ = acme
    assert control(sim, "/health")["vendors"] == ["bsg", "cellcast", "comm", "kore", "acme"]
    assert sim.credentials.acme_api_key.startswith("acme-") and sim.credentials.bsg_api_key.startswith("test_")
    assert sim.connections()["acme_default"] == {
        "conn_type": "acme",
        "host": sim.url + "/acme",
        "extra": {"allow_insecure": True},
        "password": sim.credentials.acme_api_key,
    }
    assert json.loads(sim.connection_env()["AIRFLOW_CONN_ACME_DEFAULT"])["password"] == sim.credentials.acme_api_key
    assert SimulatorCredentials(acme_api_key="fixed").acme_api_key == "fixed"


def test_its_routes_check_its_credentials_and_keep_its_state(acme):
    sim, _ = acme
    running, other = control(sim, "/campaigns", {"vendor": "acme"})["id"], control(sim, "/campaigns", {"vendor": "acme"})["id"]
    done = control(sim, "/campaigns", {"vendor": "acme", "status": "done"})["id"]
    assert (running, other, done) == ("ac-1", "ac-2", "ac-3")

    refused = acme_call(sim, "/campaigns/ac-1", key="wrong")
    assert (refused.status, refused.json()) == (401, {"error": "unauthorized"})
    assert acme_call(sim, "/campaigns/ac-1").json()["state"] == "running"
    first, second = acme_call(sim, "/campaigns?page=1").json(), acme_call(sim, "/campaigns?page=2").json()
    assert [row["id"] for row in first["items"]] == ["ac-1", "ac-2"] and first["more"] is True
    assert [row["id"] for row in second["items"]] == ["ac-3"] and second["more"] is False

    stopped = acme_call(sim, "/campaigns/ac-1/stop", "POST")
    assert (stopped.status, stopped.json()["state"]) == (200, "halted")
    again = acme_call(sim, "/campaigns/ac-1/stop", "POST")
    assert (again.status, again.json()) == (409, {"error": "not running"})
    assert sim.stop_count("acme", "ac-1") == 1 and sim.campaign("acme", "ac-1")["state"] == "halted"
    assert [(entry["method"], entry["path"], entry["status"]) for entry in sim.requests("acme")][-2:] == [
        ("POST", "/campaigns/ac-1/stop", 200),
        ("POST", "/campaigns/ac-1/stop", 409),
    ]


def test_a_rate_limit_set_by_the_control_api_refuses_with_its_own_429(acme):
    sim, clock = acme
    control(sim, "/campaigns", {"vendor": "acme"})
    assert control(sim, "/rate_limits", {"vendor": "acme", "rate": 1, "burst": 1})["acme"]["rate"] == 1
    assert acme_call(sim, "/campaigns/ac-1").status == 200
    refused = acme_call(sim, "/campaigns/ac-1")
    assert (refused.status, refused.json(), refused.headers["retry-after"]) == (429, {"error": "slow down", "limit": "per second"}, "1")
    clock.advance(1.0)
    assert acme_call(sim, "/campaigns/ac-1").status == 200
    assert control(sim, "/rate_limits")["acme"] == {
        "rate": 1.0,
        "burst": 1.0,
        "refused_spends": False,
        "retry_after": None,
        "accepted": 2,
        "refused": 1,
    }


def test_its_traffic_is_counted_and_a_stop_halts_it(acme):
    sim, clock = acme
    start = clock.time()
    campaign = control(sim, "/campaigns", {"vendor": "acme", "rate": 10, "audience": 50})["id"]
    clock.advance(2.0)
    assert acme_call(sim, f"/campaigns/{campaign}").json()["sent"] == 20
    acme_call(sim, f"/campaigns/{campaign}/stop", "POST")
    clock.advance(2.0)
    report = control(sim, f"/traffic?after={start}")
    assert report["vendors"] == {"acme": {"campaigns": 1, "sent": 20, "sent_after": 20}}
    assert control(sim, f"/traffic/acme/{campaign}")["sent"] == 20
    control(sim, "/traffic", {"vendor": "acme", "rate": 5, "audience": 7})
    assert sim.config.traffic["acme"].as_dict() == {"rate": 5.0, "audience": 7}


def test_drift_alters_its_answers_where_it_says(acme):
    sim, _ = acme
    control(sim, "/campaigns", {"vendor": "acme"})
    control(sim, "/config", {"drift": {"acme": "missing_paging"}})
    assert "more" not in acme_call(sim, "/campaigns?page=1").json()
    control(sim, "/config", {"drift": {"acme": "renamed_field"}})
    assert acme_call(sim, "/campaigns/ac-1").json()["acme_id"] == "ac-1"


def test_faults_and_the_command_line_take_it(acme, capsys):
    sim, _ = acme
    control(sim, "/faults", {"vendor": "acme", "fault": "status", "status": 503})
    failed = acme_call(sim, "/campaigns")
    assert (failed.status, failed.json()) == (503, {"message": "Service Unavailable"})
    args = parse_args(["--rate-limit", "acme=2", "--page-cap", "acme=1", "--drift", "acme=moved_status", "--traffic", "acme=3"])
    assert (args.rate_limit[0][0], args.page_cap, args.drift) == ("acme", [("acme", 1)], [("acme", "moved_status")])
    assert args.traffic[0][0] == "acme"
    with pytest.raises(SystemExit):
        parse_args(["--help"])
    assert "Local fake of the BSG, Cellcast, comm.com, Kore.ai and Acme campaign APIs." in " ".join(capsys.readouterr().out.split())


def test_an_unregistered_fake_is_unknown_everywhere():
    assert fakes.keys() == ("bsg", "cellcast", "comm", "kore")
    with pytest.raises(ValueError, match="unknown vendor 'acme'"):
        Simulator().add_campaign("acme")
    with pytest.raises(ValueError, match="page_caps: unknown vendor 'acme'"):
        SimConfig(page_caps={"acme": 1})
    with pytest.raises(SystemExit):
        parse_args(["--rate-limit", "acme=2"])
    with pytest.raises(TypeError, match="unknown credential fields: acme_api_key"):
        SimulatorCredentials(acme_api_key="x")


def test_the_built_in_fakes_are_registered_in_order_and_a_bad_fake_is_refused():
    assert fakes.keys() == ("bsg", "cellcast", "comm", "kore")
    assert fakes.titles_in_prose() == "BSG, Cellcast, comm.com and Kore.ai"

    class Clashing(FakeAcme):
        name = "clash"
        credential_fields = fakes.fakes()[0].credential_fields

    class Unmountable(FakeAcme):
        name = "Not A Mount"

    with pytest.raises(ValueError, match="credential fields bsg_api_key, bsg_jwt_ttl belong to another fake"):
        fakes.register(Clashing)
    with pytest.raises(ValueError, match="lower-case letters"):
        fakes.register(Unmountable)
    assert fakes.keys() == ("bsg", "cellcast", "comm", "kore")
