"""The simulator as a whole: Python API, control API, request log, keep-alive, concurrency, CLI."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import airflow_provider_campaigns.simulator as simulator_package
from airflow_provider_campaigns.simulator import Simulator, SimulatorCredentials


def test_addresses_and_credentials(simulator):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", simulator.url)
    assert simulator.base_url("bsg") == simulator.url + "/bsg"
    creds = simulator.credentials
    assert creds.bsg_api_key.startswith("test_") and creds.bsg_jwt_ttl == 3600
    assert re.fullmatch(r"st-[0-9a-f-]{36}", creds.kore_stream_id)
    assert Simulator().credentials != Simulator().credentials


def test_connections_point_at_the_simulator(simulator):
    conns = simulator.connections()
    creds = simulator.credentials
    assert conns["bsg_default"] == {
        "conn_type": "bsg",
        "host": simulator.base_url("bsg"),
        "password": creds.bsg_api_key,
        "extra": {"allow_insecure": True},
    }
    assert conns["cellcast_default"]["password"] == creds.cellcast_api_key
    assert conns["comm_default"] == {
        "conn_type": "comm",
        "host": simulator.base_url("comm"),
        "password": creds.comm_token,
        "extra": {"allow_insecure": True},
    }
    assert conns["kore_default"] == {
        "conn_type": "kore",
        "host": simulator.base_url("kore"),
        "login": creds.kore_client_id,
        "password": creds.kore_client_secret,
        "extra": {"allow_insecure": True, "account_id": creds.kore_account_id, "stream_id": creds.kore_stream_id},
    }
    env = simulator.connection_env()
    assert set(env) == {
        "AIRFLOW_CONN_BSG_DEFAULT",
        "AIRFLOW_CONN_CELLCAST_DEFAULT",
        "AIRFLOW_CONN_COMM_DEFAULT",
        "AIRFLOW_CONN_KORE_DEFAULT",
    }
    assert json.loads(env["AIRFLOW_CONN_KORE_DEFAULT"]) == conns["kore_default"]


def test_fixed_credentials_are_used():
    creds = SimulatorCredentials(bsg_api_key="test_fixed", comm_token="tok")
    with Simulator(credentials=creds) as sim:
        assert sim.connections()["bsg_default"]["password"] == "test_fixed"


def test_add_campaign_validates_its_arguments(simulator):
    with pytest.raises(ValueError):
        simulator.add_campaign("bsg", status="flying")
    with pytest.raises(ValueError):
        simulator.add_campaign("bsg", channel="whatsapp")
    with pytest.raises(ValueError):
        simulator.add_campaign("mailchimp")
    with pytest.raises(KeyError):
        simulator.campaign("bsg", 1)


def test_extra_fields_are_added_to_the_resource(simulator):
    cid = simulator.add_campaign("bsg", currency="EUR")
    assert simulator.campaign("bsg", cid)["currency"] == "EUR"


def test_request_log_records_every_vendor_call(simulator, client):
    [mid] = simulator.add_campaign("cellcast")
    client.cellcast("POST", "/api/v1/gateway/cancelScheduleQuickMessage?x=1", {"messageId": mid, "type": "sms"})
    [entry] = simulator.requests("cellcast")
    assert entry["vendor"] == "cellcast" and entry["method"] == "POST"
    assert entry["path"] == "/api/v1/gateway/cancelScheduleQuickMessage"
    assert entry["raw_path"] == "/cellcast/api/v1/gateway/cancelScheduleQuickMessage"
    assert entry["query"] == {"x": "1"} and entry["json"] == {"messageId": mid, "type": "sms"}
    assert entry["headers"]["authorization"].startswith("Bearer ") and entry["status"] == 200 and entry["fault"] is None
    assert simulator.requests("bsg") == []


def test_reset_clears_campaigns_faults_and_log(simulator, client):
    cid = simulator.add_campaign("bsg")
    simulator.inject("cellcast", status=500, times=None)
    client.bsg_login()
    simulator.reset()
    assert simulator.requests() == [] and simulator.campaigns("bsg") == []
    assert client.cellcast("GET", "/api/v1/user/token/verify").status == 200
    assert simulator.add_campaign("bsg") != cid


def test_unknown_mount_is_404_and_logged_without_vendor(simulator, call):
    assert call(simulator.url + "/api/auth/login", "POST", {"api_key": "x"}).status == 404
    [entry] = simulator.requests()
    assert entry["vendor"] is None and entry["path"] == "/api/auth/login" and entry["status"] == 404
    assert simulator.requests("bsg") == []


def test_control_api(simulator, client, call):
    base = simulator.url + "/_sim"
    assert call(base + "/health").json()["status"] == "ok"
    bsg = call(base + "/campaigns", "POST", {"vendor": "bsg", "status": "scheduled", "name": "promo"}).json()
    assert isinstance(bsg["id"], int)
    cellcast = call(base + "/campaigns", "POST", {"vendor": "cellcast", "recipients": 2}).json()
    assert len(cellcast["ids"]) == 2
    comm = call(base + "/campaigns", "POST", {"vendor": "comm"}).json()
    assert set(comm) == {"campaign_id", "campaign_send_id"}
    kore = call(base + "/campaigns", "POST", {"vendor": "kore", "status": "Paused"}).json()
    assert kore["id"].startswith("cd-")
    states = call(base + "/campaigns?vendor=bsg").json()
    assert [s["name"] for s in states] == ["promo"]
    assert len(call(base + "/campaigns").json()) == 5
    assert call(base + "/faults", "POST", {"vendor": "bsg", "fault": "status", "status": 503, "path": "/stop$"}).status == 200
    assert call(base + "/faults").json()[0]["status"] == 503
    assert client.bsg("PATCH", f"/api/campaigns/{bsg['id']}/stop").status == 503
    assert client.bsg("PATCH", f"/api/campaigns/{bsg['id']}/stop").status == 200
    one = call(f"{base}/campaigns/bsg/{bsg['id']}").json()
    assert one["state"]["status"] == "stopped" and one["stop_count"] == 1
    assert call(f"{base}/campaigns/bsg/999").status == 404
    log = call(base + "/requests?vendor=bsg").json()
    assert [r["status"] for r in log if r["path"].endswith("/stop")] == [503, 200]
    assert call(base + "/campaigns", "POST", {"vendor": "nope"}).status == 400
    assert call(base + "/campaigns", "POST", {"status": "x"}).status == 400
    assert call(base + "/faults", "POST", {"vendor": "bsg", "fault": "explode"}).status == 400
    assert call(base + "/nothing").status == 404
    assert call(base + "/reset", "POST", {}).json() == {"ok": True}
    assert call(base + "/campaigns").json() == [] and call(base + "/requests").json() == []


def test_keep_alive_reuses_one_connection(simulator):
    conn = http.client.HTTPConnection("127.0.0.1", simulator.port, timeout=5)
    headers = {"Authorization": f"Bearer {simulator.credentials.cellcast_api_key}"}
    conn.request("GET", "/cellcast/api/v1/user/token/verify", headers=headers)
    conn.getresponse().read()
    sock = conn.sock
    for _ in range(20):
        conn.request("GET", "/cellcast/api/v1/user/token/verify", headers=headers)
        resp = conn.getresponse()
        assert resp.status == 200 and json.loads(resp.read())["status"] is True
    assert conn.sock is sock
    conn.close()


def test_chunked_request_bodies_are_read(simulator):
    [mid] = simulator.add_campaign("cellcast")
    conn = http.client.HTTPConnection("127.0.0.1", simulator.port, timeout=5)
    body = json.dumps({"messageId": mid, "type": "sms"}).encode()
    conn.request(
        "POST",
        "/cellcast/api/v1/gateway/cancelScheduleQuickMessage",
        body=iter([body[:5], body[5:]]),
        headers={"Authorization": f"Bearer {simulator.credentials.cellcast_api_key}", "Content-Type": "application/json"},
        encode_chunked=True,
    )
    assert json.loads(conn.getresponse().read())["status"] is True
    conn.close()


def test_many_concurrent_keep_alive_clients(simulator):
    headers = {"Authorization": f"Bearer {simulator.credentials.comm_token}"}

    def worker(_: int) -> list[int]:
        conn = http.client.HTTPConnection("127.0.0.1", simulator.port, timeout=10)
        codes = []
        for _ in range(10):
            conn.request("GET", "/comm/api/v1/sms/campaigns", headers=headers)
            resp = conn.getresponse()
            resp.read()
            codes.append(resp.status)
        conn.close()
        return codes

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=100) as pool:
        codes = [c for batch in pool.map(worker, range(100)) for c in batch]
    assert codes == [200] * 1000
    assert time.monotonic() - started < 10


def test_concurrent_stops_change_the_campaign_once(simulator, client):
    cid = simulator.add_campaign("bsg")
    token = client.bsg_login()
    barrier = threading.Barrier(50)

    def stop(_: int) -> int:
        barrier.wait()
        return int(client.bsg("PATCH", f"/api/campaigns/{cid}/stop", token).status)

    with ThreadPoolExecutor(max_workers=50) as pool:
        codes = sorted(pool.map(stop, range(50)))
    assert codes == [200] + [422] * 49
    assert simulator.stop_count("bsg", cid) == 1


def test_stop_closes_idle_keep_alive_connections():
    sim = Simulator().start()
    conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=2)
    conn.request("GET", "/_sim/health")
    conn.getresponse().read()
    sim.stop()
    sim.stop()
    with pytest.raises((http.client.HTTPException, OSError)):
        conn.request("GET", "/_sim/health")
        conn.getresponse().read()
    conn.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_cli_prints_connections_and_serves_until_a_signal(tmp_path, sig):
    seed = tmp_path / "seed.json"
    seed.write_text(
        json.dumps({"credentials": {"bsg_api_key": "test_seeded"}, "campaigns": [{"vendor": "bsg", "status": "sending", "name": "seeded"}]})
    )
    root = Path(simulator_package.__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "airflow_provider_campaigns.simulator", "--port", "0", "--seed", str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if line.startswith("SIMULATOR_READY "):
                break
        assert lines and lines[-1].startswith("SIMULATOR_READY http://127.0.0.1:"), (lines, proc.stderr.read())
        url = lines[-1].split()[1]
        exports = [line for line in lines if line.startswith("export AIRFLOW_CONN_")]
        assert len(exports) == 4
        bsg_line = next(line for line in exports if line.startswith("export AIRFLOW_CONN_BSG_DEFAULT="))
        conn = json.loads(bsg_line.split("=", 1)[1].strip("'"))
        assert conn["host"] == url + "/bsg" and conn["password"] == "test_seeded"
        assert any("bsg_api_key=test_seeded" in line for line in lines)
        health = http.client.HTTPConnection("127.0.0.1", int(url.rsplit(":", 1)[1]), timeout=5)
        health.request("GET", "/_sim/campaigns?vendor=bsg")
        assert [c["name"] for c in json.loads(health.getresponse().read())] == ["seeded"]
        health.close()
        proc.send_signal(sig)
        assert proc.wait(timeout=5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def test_cli_refuses_a_bad_seed(tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"campaigns": [{"vendor": "bsg", "status": "flying"}]}))
    root = Path(simulator_package.__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-m", "airflow_provider_campaigns.simulator", "--port", "0", "--seed", str(seed)],
        capture_output=True,
        text=True,
        env=env,
        timeout=10,
    )
    assert done.returncode == 2 and "flying" in done.stderr
