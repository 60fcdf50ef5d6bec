"""Smoke-test the installed wheel as a user would run it, from outside the source tree.

``python scripts/smoke_wheel.py --venv DIR --version X.Y.Z`` (``make dist`` calls it, after
installing the wheel alone into DIR). Every command runs in a temporary folder outside the
repository, with ``AIRFLOW_HOME`` and the DAGs folder there and no ``PYTHONPATH``:

1. the package imports from DIR's site-packages, and no ``sys.path`` entry could import the sources;
2. ``airflow providers list | hooks | triggers | behaviours`` show the provider at version X.Y.Z,
   its four connection types and its trigger;
3. the simulator starts from the installed package (``python -m airflow_provider_campaigns.simulator
   --port 0``) and prints ``SIMULATOR_READY <url>`` and the ``AIRFLOW_CONN_*`` lines;
4. ``airflow dags test`` runs a small DAG: ``BsgStopCampaignOperator`` stops a seeded campaign and
   ``BsgCampaignStatusSensor(deferrable=True)`` defers on another one, which this script stops at
   the vendor once the trigger has polled it; the simulator's control API must then show both
   stopped, each stopped once, and Airflow the run and both tasks successful.

Any mismatch fails with the evidence; the temporary folder is kept on failure.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PACKAGE = "airflow_provider_campaigns"
DISTRIBUTION = "airflow-provider-campaigns"
CONN_TYPES = {"bsg", "cellcast", "comm", "kore"}
TRIGGER_MODULE = f"{PACKAGE}.triggers.status"
DAG_ID = "campaigns_wheel_smoke"
DAG_TIMEOUT = 300


class SmokeFailure(Exception):
    """A check did not hold."""


def check(condition: bool, message: str, evidence: str = "") -> None:
    """Raise naming what failed, with the evidence that shows it."""
    if not condition:
        raise SmokeFailure(message + (f"\n--- evidence ---\n{evidence[-6000:]}" if evidence else ""))


class Smoke:
    """One smoke run in a temporary folder."""

    def __init__(self, venv: Path, version: str, tmp: Path) -> None:
        self.venv = venv.resolve()
        self.version = version
        self.tmp = tmp
        self.bin = self.venv / "bin"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "PYTHON", "VIRTUAL_ENV"))}
        self.env.update(
            PATH=f"{self.bin}{os.pathsep}{self.env.get('PATH', '')}",
            AIRFLOW_HOME=str(tmp / "airflow-home"),
            AIRFLOW__CORE__DAGS_FOLDER=str(tmp / "dags"),
            AIRFLOW__CORE__LOAD_EXAMPLES="False",
            PYTHONUNBUFFERED="1",
        )
        (tmp / "dags").mkdir()

    # -- helpers ---------------------------------------------------------------------------
    def run(self, *args: str, env: dict[str, str] | None = None, timeout: float = 180) -> str:
        """Run a command of the venv in the temporary folder; fail on a non-zero exit."""
        done = subprocess.run(
            [str(self.bin / args[0]), *args[1:]], cwd=self.tmp, env=env or self.env, capture_output=True, text=True, timeout=timeout
        )
        check(done.returncode == 0, f"`{' '.join(args)}` exited {done.returncode}", done.stdout + done.stderr)
        return done.stdout

    def airflow_json(self, *args: str) -> list[dict[str, Any]]:
        """An ``airflow ... -o json`` listing."""
        out = self.run("airflow", *args, "-o", "json")
        for line in reversed(out.splitlines()):  # log lines may come first; the listing is one JSON line
            if line.startswith("["):
                try:
                    return list(json.loads(line))
                except ValueError:
                    continue
        check(False, f"`airflow {' '.join(args)}` printed no JSON list", out)
        raise AssertionError

    # -- 1. import location ----------------------------------------------------------------------
    def import_location(self) -> None:
        """The package imports from the venv's site-packages, and from nowhere else."""
        code = textwrap.dedent(f"""
            import json, sys, sysconfig, pathlib
            import {PACKAGE} as p
            print(json.dumps({{"file": p.__file__, "version": p.__version__, "purelib": sysconfig.get_paths()["purelib"],
                "importable_from": [e for e in sys.path if (pathlib.Path(e or ".") / "{PACKAGE}" / "__init__.py").is_file()]}}))
        """)
        info = json.loads(self.run("python", "-c", code))
        purelib = Path(info["purelib"]).resolve()
        check(Path(info["file"]).resolve().is_relative_to(purelib), f"the package imports from {info['file']}, not {purelib}")
        check(info["version"] == self.version, f"installed version {info['version']} != {self.version}")
        check(
            [Path(e).resolve() for e in info["importable_from"]] == [purelib], f"the package is importable from {info['importable_from']}"
        )
        print(f"smoke: imports {info['file']} (version {info['version']}); the source tree is not on sys.path")

    # -- 2. provider registration ------------------------------------------------------------------
    def providers(self) -> None:
        """Airflow's provider listings show the provider, its connection types and its trigger."""
        listed = [p for p in self.airflow_json("providers", "list") if p.get("package_name") == DISTRIBUTION]
        check(
            len(listed) == 1 and listed[0].get("version") == self.version, "`airflow providers list` lacks the provider", json.dumps(listed)
        )
        hooks = {h.get("connection_type"): h for h in self.airflow_json("providers", "hooks") if h.get("package_name") == DISTRIBUTION}
        check(set(hooks) == CONN_TYPES, f"`airflow providers hooks` shows connection types {sorted(hooks)}, expected {sorted(CONN_TYPES)}")
        for conn_type, hook in hooks.items():
            check(str(hook.get("class", "")).startswith(f"{PACKAGE}.hooks.{conn_type}."), f"hook for {conn_type}: {hook}")
        triggers = [t for t in self.airflow_json("providers", "triggers") if t.get("package_name") == DISTRIBUTION]
        modules = {m for t in triggers for m in ([t["class"]] if isinstance(t.get("class"), str) else t.get("class", []))}
        check(
            TRIGGER_MODULE in modules,
            f"`airflow providers triggers` shows {sorted(modules)}, expected {TRIGGER_MODULE}",
            json.dumps(triggers),
        )
        behaviours = {b.get("field_behaviours") or b.get("connection_type") for b in self.airflow_json("providers", "behaviours")}
        check(behaviours >= CONN_TYPES, f"`airflow providers behaviours` lacks {sorted(CONN_TYPES - behaviours)}")
        print(f"smoke: providers list/hooks/triggers/behaviours: {DISTRIBUTION} {self.version}, {sorted(hooks)}, {TRIGGER_MODULE}")

    # -- 3. the simulator ---------------------------------------------------------------------------
    def start_simulator(self) -> tuple[subprocess.Popen[str], str, dict[str, str]]:
        """Start the installed simulator; its process, URL and ``AIRFLOW_CONN_*`` variables."""
        proc = subprocess.Popen(
            [str(self.bin / "python"), "-m", f"{PACKAGE}.simulator", "--port", "0"],
            cwd=self.tmp,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        lines: list[str] = []
        found: list[str] = []

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.append(line.rstrip("\n"))
                if line.startswith("SIMULATOR_READY "):
                    found.append(line.split()[1])
                    return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(30)
        if not found:
            proc.kill()
            proc.wait()
            check(False, "the simulator printed no SIMULATOR_READY line within 30 s", "\n".join(lines))
        conns = {}
        for line in lines:
            if line.startswith("export AIRFLOW_CONN_"):
                name, _, value = line[len("export ") :].partition("=")
                conns[name] = shlex.split(value)[0]
        check(
            set(conns) == {f"AIRFLOW_CONN_{t.upper()}_DEFAULT" for t in CONN_TYPES},
            f"simulator connections: {sorted(conns)}",
            "\n".join(lines),
        )
        print(f"smoke: simulator from the installed package ready at {found[0]}", flush=True)
        return proc, found[0], conns

    # -- 4. a stop and a deferred wait, run by airflow dags test --------------------------------
    def dags_test(self, url: str, conns: dict[str, str]) -> None:
        """A stop and a deferred wait, run by ``airflow dags test`` against the simulator."""
        stop_id = http_json("POST", f"{url}/_sim/campaigns", {"vendor": "bsg", "status": "sending", "name": "smoke: stop"})["id"]
        wait_id = http_json("POST", f"{url}/_sim/campaigns", {"vendor": "bsg", "status": "sending", "name": "smoke: wait"})["id"]
        (self.tmp / "dags" / f"{DAG_ID}.py").write_text(
            textwrap.dedent(f"""
                from datetime import datetime

                from airflow.providers.common.compat.sdk import DAG

                from {PACKAGE}.operators.bsg import BsgStopCampaignOperator
                from {PACKAGE}.sensors.bsg import BsgCampaignStatusSensor

                with DAG("{DAG_ID}", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):
                    BsgStopCampaignOperator(task_id="stop", campaign_id={stop_id})
                    BsgCampaignStatusSensor(task_id="wait", campaign_id={wait_id}, deferrable=True, poke_interval=1, timeout={DAG_TIMEOUT})
            """)
        )
        self.run("airflow", "db", "migrate", timeout=300)
        env = {**self.env, **conns}
        log = self.tmp / "dags-test.log"
        started = time.monotonic()
        with log.open("w") as out:
            proc = subprocess.Popen(
                [str(self.bin / "airflow"), "dags", "test", DAG_ID], cwd=self.tmp, env=env, stdout=out, stderr=subprocess.STDOUT
            )
            try:
                reads = self.wait_for_trigger_polls(url, wait_id, proc)
                # The campaign ends elsewhere (someone stops it at the vendor): the trigger must notice.
                stop_at_vendor(url, json.loads(conns["AIRFLOW_CONN_BSG_DEFAULT"])["password"], wait_id)
                rc = proc.wait(timeout=DAG_TIMEOUT)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        output = log.read_text()
        check(rc == 0, f"`airflow dags test {DAG_ID}` exited {rc}", output)
        check("Traceback" not in output, "`airflow dags test` printed a traceback", output)
        deferred = [line for line in output.splitlines() if "DEFERRED" in line.upper() and "task_id=wait" in line]
        check(bool(deferred), "`airflow dags test` output shows no deferral of the sensor", output)
        runs = self.airflow_json("dags", "list-runs", DAG_ID)
        check(len(runs) == 1 and runs[0].get("state") == "success", f"DAG run: {runs}", output)
        states = {t["task_id"]: t["state"] for t in self.airflow_json("tasks", "states-for-dag-run", DAG_ID, runs[0]["run_id"])}
        check(states == {"stop": "success", "wait": "success"}, f"task states {states}", output)
        for cid, what in ((stop_id, "stopped by the operator"), (wait_id, "stopped at the vendor while the trigger waited")):
            campaign = http_json("GET", f"{url}/_sim/campaigns/bsg/{cid}")
            check(
                campaign["state"].get("status") == "stopped" and campaign["stop_count"] == 1, f"campaign {cid} ({what}): {campaign}", output
            )
        user_agents = {
            r["headers"].get("user-agent") or r["headers"].get("User-Agent") for r in http_json("GET", f"{url}/_sim/requests?vendor=bsg")
        }
        check(f"{DISTRIBUTION}/{self.version}" in user_agents, f"requests came from {user_agents}, not {DISTRIBUTION}/{self.version}")
        print(
            f"smoke: airflow dags test {DAG_ID}: run success, stop success (campaign {stop_id} stopped once), "
            f"wait success (deferred; {reads} status reads before the campaign ended) in {time.monotonic() - started:.0f} s"
        )

    def wait_for_trigger_polls(self, url: str, campaign_id: int, proc: subprocess.Popen[bytes]) -> int:
        """Block until the wait campaign was read twice (the worker's check, then the trigger's poll)."""
        deadline = time.monotonic() + DAG_TIMEOUT
        while time.monotonic() < deadline:
            reads = [
                r
                for r in http_json("GET", f"{url}/_sim/requests?vendor=bsg")
                if r["method"] == "GET" and r["path"].rstrip("/").endswith(f"/campaigns/{campaign_id}")
            ]
            if len(reads) >= 2:
                return len(reads)
            check(proc.poll() is None, f"`airflow dags test` ended ({proc.returncode}) before the sensor deferred and polled")
            time.sleep(0.3)
        check(False, f"campaign {campaign_id} was not polled twice within {DAG_TIMEOUT} s")
        raise AssertionError


def http_json(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
    """One JSON request to the simulator (loopback only)."""
    check(url.startswith("http://127.0.0.1:"), f"refusing a non-loopback URL {url}")
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read() or b"null")


def stop_at_vendor(url: str, api_key: str, campaign_id: int) -> None:
    """What a person would do in BSG's own tools: log in and stop the campaign."""
    bearer = http_json("POST", f"{url}/bsg/api/auth/login", {"api_key": api_key})["bearer"]
    http_json("PATCH", f"{url}/bsg/api/campaigns/{campaign_id}/stop", {}, {"Authorization": f"Bearer {bearer}"})


def stop_simulator(proc: subprocess.Popen[str]) -> None:
    """SIGTERM; the simulator must exit 0."""
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise SmokeFailure("the simulator did not stop within 15 s of SIGTERM") from None
    check(rc == 0, f"the simulator exited {rc} on SIGTERM")


def main() -> int:
    """Run every check; keep the temporary folder if one fails."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--venv", type=Path, required=True, help="virtualenv holding the installed wheel")
    parser.add_argument("--version", required=True, help="the version the installed provider must report")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (AIRFLOW_HOME, DAG, logs) after success")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="campaigns-smoke-"))
    check(not tmp.resolve().is_relative_to(REPO), f"{tmp} is inside the source tree")
    started = time.monotonic()
    smoke = Smoke(args.venv, args.version, tmp)
    sim = None
    try:
        smoke.import_location()
        smoke.providers()
        sim, url, conns = smoke.start_simulator()
        smoke.dags_test(url, conns)
        stop_simulator(sim)
        sim = None
        print("smoke: simulator stopped")
    except (SmokeFailure, subprocess.TimeoutExpired, OSError, ValueError, KeyError) as exc:
        print(f"smoke: FAILED: {exc}\n(kept {tmp})", file=sys.stderr)
        return 1
    finally:
        if sim is not None and sim.poll() is None:
            sim.kill()
            sim.wait()
    if args.keep:
        print(f"smoke: kept {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"smoke: ok in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
