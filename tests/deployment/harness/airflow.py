"""An Airflow 3.3 deployment: api-server, scheduler, dag-processor, triggerer (and Celery workers) as separate processes."""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from .procs import Service, Supervisor, wait_for
from .services import LOOPBACK, Postgres, Redis, free_port

COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")


@dataclass
class Deployment:
    """One Airflow deployment sharing a metadata database, with its own AIRFLOW_HOME and processes."""

    name: str
    bin_dir: Path
    home: Path
    dags_folder: Path
    sup: Supervisor
    pg: Postgres
    database: str
    executor: str = "LocalExecutor"
    redis: Redis | None = None
    api_port: int = field(default_factory=free_port)
    fernet_key: str = field(default_factory=lambda: base64.urlsafe_b64encode(os.urandom(32)).decode())
    rest_password: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    services: dict[str, Service] = field(default_factory=dict)
    #: components started again by :meth:`restart_exited`, in order
    restarts: list[str] = field(default_factory=list)
    execution_api_warmup: float | None = None
    _token: str | None = None
    _http: httpx.Client | None = None

    # -- configuration -------------------------------------------------------------------
    @property
    def api_url(self) -> str:
        """The api-server's root URL (UI, REST, execution API)."""
        return f"http://{LOOPBACK}:{self.api_port}"

    def env(self) -> dict[str, str]:
        """The environment every component and CLI call runs with (no AIRFLOW_* from the caller)."""
        base = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        config = {
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags_folder),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__CORE__EXECUTOR": self.executor,
            "AIRFLOW__CORE__FERNET_KEY": self.fernet_key,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.api_url}/execution/",
            "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "alerting:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(self.home / "passwords.json"),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__CORE__PARALLELISM": "32",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.pg.url(self.database),
            "AIRFLOW__API__HOST": LOOPBACK,
            "AIRFLOW__API__PORT": str(self.api_port),
            "AIRFLOW__API__BASE_URL": self.api_url,
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API__SECRET_KEY": self._stable_secret("api-secret-key"),
            "AIRFLOW__API_AUTH__JWT_SECRET": self._stable_secret("jwt-secret"),
            # New DAG files and runs in seconds, not minutes.
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "15",
            "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
            "AIRFLOW__DAG_PROCESSOR__STALE_DAG_THRESHOLD": "120",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
            # A triggered run is picked up within ~0.1 s instead of up to 1 s (the default idle sleep);
            # costs an idle scheduler ~10 % of a core more (docs/deploying.md).
            "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": os.environ.get("E2E_SCHEDULER_IDLE_SLEEP", "0.1"),
            "AIRFLOW__SCHEDULER__JOB_HEARTBEAT_SEC": "2",
            # A killed triggerer's triggers move to a live one within ~10 s.
            "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": "2",
            "AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD": "10",
            # Log servers stay on loopback (and are skipped where the CLI can skip them).
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        }
        if self.executor == "CeleryExecutor":
            assert self.redis is not None
            config.update(
                {
                    "AIRFLOW__CELERY__BROKER_URL": self.redis.url,
                    "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + self.pg.url(self.database, driver="postgresql"),
                    "AIRFLOW__CELERY__WORKER_CONCURRENCY": "8",
                    "AIRFLOW__CELERY__WORKER_ENABLE_REMOTE_CONTROL": "False",
                }
            )
        return {**base, **config}

    def _stable_secret(self, name: str) -> str:
        path = self.home / f".{name}"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(64))  # >= 64 bytes: HS512 wants that much
            path.chmod(0o600)
        return path.read_text()

    def airflow(self, *args: str, timeout: float = 300, check: bool = True, shown: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run an ``airflow`` CLI command with the deployment's environment; its output is appended to cli.log.

        ``shown`` replaces the arguments in the log (for commands that carry a secret).
        """
        result = subprocess.run(
            [str(self.bin_dir / "airflow"), *args], env=self.env(), capture_output=True, text=True, timeout=timeout, check=False
        )
        with (self.sup.log_dir / f"{self.name}-cli.log").open("a") as log:
            log.write(f"$ airflow {shown or ' '.join(args)}\n{result.stdout}{result.stderr}\n")
        if check and result.returncode != 0:
            raise RuntimeError(f"airflow {shown or ' '.join(args)} failed ({result.returncode}): {result.stderr[-3000:]}")
        return result

    # -- lifecycle ---------------------------------------------------------------------------
    def prepare(self) -> float:
        """Create AIRFLOW_HOME, the REST user's password file and migrate the database; returns the migration's seconds."""
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "passwords.json").write_text(json.dumps({"alerting": self.rest_password}))
        started = time.monotonic()
        self.airflow("db", "migrate", timeout=600)
        return time.monotonic() - started

    def start(self, component: str, log_name: str | None = None) -> Service:
        """Start one component (``api-server``, ``scheduler``, ``dag-processor``, ``triggerer``, ``celery-worker-N``)."""
        airflow = str(self.bin_dir / "airflow")
        if component == "api-server":
            argv = [airflow, "api-server", "--host", LOOPBACK, "--port", str(self.api_port), "--workers", "1"]
        elif component in ("scheduler", "triggerer"):
            argv = [airflow, component, "--skip-serve-logs"]
        elif component == "dag-processor":
            argv = [airflow, "dag-processor"]
        elif component.startswith("celery-worker"):
            argv = [
                airflow,
                "celery",
                "worker",
                "--skip-serve-logs",
                "--celery-hostname",
                f"{component}@{self.name}",
                "--without-gossip",
                "--without-mingle",
            ]
        else:
            raise ValueError(component)
        service = self.sup.start(f"{self.name}-{component}", argv, env=self.env(), cwd=self.home, log_name=log_name)
        self.services[component] = service
        return service

    def start_all(self, workers: int = 0) -> None:
        """Start the four components (and ``workers`` Celery workers)."""
        for component in COMPONENTS:
            self.start(component)
        for n in range(1, workers + 1):
            self.start(f"celery-worker-{n}")

    def stop_all(self) -> None:
        """Stop every component of this deployment (SIGTERM, then SIGKILL after a grace period)."""
        for component in reversed(list(self.services)):
            self.sup.stop(self.services.pop(component), timeout=30)
        if self._http is not None:
            self._http.close()
            self._http = None

    def restart_exited(self) -> list[str]:
        """Start every component that exited again, as a service manager (systemd, Kubernetes) does; returns their names.

        The exited process is stopped first, so children it left behind (LocalExecutor workers) go with it.
        """
        restarted = []
        for component, service in list(self.services.items()):
            if not service.alive():
                self.sup.stop(service, timeout=1)
                self.restarts.append(component)
                self.start(component, log_name=f"{self.name}-{component}-restart-{len(self.restarts)}")
                restarted.append(component)
        return restarted

    def check_alive(self) -> None:
        """Fail with the component's log tail when one of them died."""
        for component, service in self.services.items():
            if not service.alive():
                raise RuntimeError(f"{component} exited with {service.proc.returncode}: {service.log_text()[-3000:]}")

    def wait_ready(self, dag_ids: list[str], timeout: float = 240) -> None:
        """Wait until the api-server answers, every component is healthy and the DAGs are parsed."""

        def api_up() -> bool:
            self.check_alive()
            return httpx.get(f"{self.api_url}/api/v2/monitor/health", timeout=5).status_code == 200

        wait_for(api_up, timeout, 1, what="the api-server")

        def dags_parsed() -> bool:
            self.check_alive()
            return all(self.rest("GET", f"/api/v2/dags/{dag_id}", check=False).status_code == 200 for dag_id in dag_ids)

        wait_for(dags_parsed, timeout, 1, what=f"the dag-processor to parse {dag_ids}")
        errors = self.rest("GET", "/api/v2/importErrors").json()
        if errors.get("total_entries"):
            raise RuntimeError(f"DAG import errors: {errors['import_errors']}")

        def healthy() -> bool:
            self.check_alive()
            health = httpx.get(f"{self.api_url}/api/v2/monitor/health", timeout=5).json()
            wanted = ("metadatabase", "scheduler", "triggerer", "dag_processor")
            return all((health.get(part) or {}).get("status") == "healthy" for part in wanted)

        wait_for(healthy, timeout, 1, what="every component to report healthy")
        self.warm_execution_api()

    def warm_execution_api(self) -> float:
        """A readiness probe on the execution API: its first request builds every versioned route (seconds).

        Without it the first task after an api-server start waits that long for ``PATCH .../run``.
        """
        started = time.monotonic()
        httpx.get(f"{self.api_url}/execution/health", timeout=120).raise_for_status()
        self.execution_api_warmup = time.monotonic() - started
        print(f"{self.name}: first execution API request (GET /execution/health) took {self.execution_api_warmup:.2f} s")
        return self.execution_api_warmup

    # -- REST ---------------------------------------------------------------------------------
    def token(self) -> str:
        """A JWT from ``POST /auth/token``, as any REST client gets one."""
        answer = httpx.post(f"{self.api_url}/auth/token", json={"username": "alerting", "password": self.rest_password}, timeout=30)
        answer.raise_for_status()
        return str(answer.json()["access_token"])

    def rest(self, method: str, path: str, *, check: bool = True, **kwargs: Any) -> httpx.Response:
        """An authenticated REST call (the token is fetched once)."""
        if self._http is None:
            self._token = self.token()
            self._http = httpx.Client(base_url=self.api_url, headers={"Authorization": f"Bearer {self._token}"}, timeout=60)
        answer = self._http.request(method, path, **kwargs)
        if check and answer.status_code >= 400:
            raise RuntimeError(f"{method} {path}: HTTP {answer.status_code} {answer.text[:1000]}")
        return answer

    def create_connection(self, conn_id: str, fields: dict[str, Any]) -> None:
        """``POST /api/v2/connections`` (extra as a JSON string, as the API takes it)."""
        body = {"connection_id": conn_id, **{k: v for k, v in fields.items() if k != "extra"}}
        if "extra" in fields:
            body["extra"] = json.dumps(fields["extra"])
        self.rest("POST", "/api/v2/connections", json=body)

    def add_connection_cli(self, conn_id: str, fields: dict[str, Any]) -> None:
        """``airflow connections add ID --conn-json ...`` (the way a deploy script does it)."""
        self.airflow(
            "connections", "add", conn_id, "--conn-json", json.dumps(fields), shown=f"connections add {conn_id} --conn-json <redacted>"
        )

    def trigger(self, dag_id: str, conf: dict[str, Any]) -> tuple[str, float]:
        """``POST /api/v2/dags/{dag_id}/dagRuns`` with a fresh token; returns (run id, wall time just before the call)."""
        token = self.token()
        started = time.time()
        answer = httpx.post(
            f"{self.api_url}/api/v2/dags/{dag_id}/dagRuns",
            headers={"Authorization": f"Bearer {token}"},
            json={"logical_date": None, "conf": conf},
            timeout=60,
        )
        if answer.status_code >= 400:
            raise RuntimeError(f"trigger {dag_id}: HTTP {answer.status_code} {answer.text[:1000]}")
        return str(answer.json()["dag_run_id"]), started

    def run_state(self, dag_id: str, run_id: str) -> str:
        """The DAG run's state."""
        return str(self.rest("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}").json()["state"])

    def wait_run(self, dag_id: str, run_id: str, timeout: float, supervised: bool = False) -> str:
        """Wait for the run to end; returns its final state.

        A component that exits fails the wait, unless ``supervised``: then it is started again (:meth:`restart_exited`).
        """

        def ended() -> str | None:
            if supervised:
                self.restart_exited()
            else:
                self.check_alive()
            state = self.run_state(dag_id, run_id)
            return state if state in ("success", "failed") else None

        return str(wait_for(ended, timeout, 1, what=f"{dag_id} run {run_id} to end"))

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        """Every task instance of the run (mapped ones included)."""
        answer = self.rest("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances", params={"limit": 1000})
        return list(answer.json()["task_instances"])

    def task_instance_tries(self, dag_id: str, run_id: str, task_id: str, map_index: int = -1) -> list[dict[str, Any]]:
        """Every try of a task instance (earlier tries from the history, the current one last)."""
        mapped = "" if map_index < 0 else f"/{map_index}"
        answer = self.rest("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}{mapped}/tries", check=False)
        return list(answer.json().get("task_instances") or []) if answer.status_code == 200 else []

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str]:
        """``task_id[map_index]`` → state."""
        states: dict[str, str] = {}
        for ti in self.task_instances(dag_id, run_id):
            key = ti["task_id"] if ti.get("map_index", -1) < 0 else f"{ti['task_id']}[{ti['map_index']}]"
            states[key] = str(ti["state"])
        return states

    def xcom(self, dag_id: str, run_id: str, task_id: str, map_index: int = -1, key: str = "return_value") -> Any:
        """An XCom value, deserialized."""
        answer = self.rest(
            "GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries/{key}", params={"map_index": map_index}
        )
        return answer.json().get("value")

    def sql(self, query: str) -> str:
        """Run SQL against this deployment's metadata database."""
        return self.pg.psql(query, database=self.database)

    def signal(self, component: str, sig: int) -> None:
        """Send ``sig`` to a component's whole process group."""
        os.killpg(self.services[component].pid, sig)

    def kill_scheduler(self) -> Service:
        """SIGKILL the scheduler's main process only (a crash): its LocalExecutor workers live on, orphaned, until the
        caller stops the rest of the group (``sup.stop`` of the returned service), as a service manager would."""
        old = self.services.pop("scheduler")
        os.kill(old.pid, signal.SIGKILL)
        old.proc.wait(timeout=10)
        return old

    def restart_triggerer(self, how: int, new_log: str) -> tuple[Service, float]:
        """Stop the triggerer with ``how`` (SIGTERM: shutdown; SIGKILL: crash) and start a new one; returns it and the gap."""
        old = self.services.pop("triggerer")
        started = time.monotonic()
        if how == signal.SIGKILL:
            self.sup.kill(old)
        else:
            self.sup.stop(old, timeout=60, sig=how)
        new = self.start("triggerer", log_name=new_log)
        print(f"triggerer stopped with {signal.Signals(how).name}: exit code {old.proc.returncode}; new triggerer pid {new.pid}")
        return new, time.monotonic() - started
