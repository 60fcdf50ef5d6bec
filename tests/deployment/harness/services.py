"""PostgreSQL, Redis and the vendor simulator, each a throwaway process on 127.0.0.1."""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .procs import Service, Supervisor, wait_for

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def port_open(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:``port``."""
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((LOOPBACK, port)) == 0


def pg_bin() -> Path:
    """The newest installed PostgreSQL's bin directory."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not versions:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    return versions[-1]


@dataclass
class Postgres:
    """A PostgreSQL server in a throwaway data directory, run as the ``postgres`` user (initdb refuses root)."""

    port: int
    password: str
    root: Path
    service: Service
    user: str = "airflow"
    argv: tuple[str, ...] = ()

    def url(self, database: str, driver: str = "postgresql+psycopg2") -> str:
        """SQLAlchemy URL of ``database`` for the ``airflow`` role."""
        return f"{driver}://{self.user}:{self.password}@{LOOPBACK}:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL as the ``airflow`` role and return psql's unaligned output."""
        out = subprocess.run(
            [
                str(pg_bin() / "psql"),
                "-h",
                LOOPBACK,
                "-p",
                str(self.port),
                "-U",
                self.user,
                "-d",
                database,
                "-At",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ],
            env={**os.environ, "PGPASSWORD": self.password},
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return out.stdout

    def create_database(self, name: str) -> None:
        """A new empty database owned by ``airflow``."""
        self.psql(f'CREATE DATABASE "{name}"')

    def dump(self, database: str, target: Path) -> Path:
        """``pg_dump`` of ``database`` (plain SQL) into ``target``."""
        with target.open("wb") as out:
            subprocess.run(
                [str(pg_bin() / "pg_dump"), "-h", LOOPBACK, "-p", str(self.port), "-U", self.user, "--no-owner", database],
                env={**os.environ, "PGPASSWORD": self.password},
                stdout=out,
                check=True,
                timeout=120,
            )
        return target

    def restart(self, sup: Supervisor) -> float:
        """Fast shutdown (every client connection is cut), then start again on the same port and data; returns the downtime."""
        started = time.monotonic()
        sup.stop(self.service, timeout=60)
        self.service = sup.start("postgres", list(self.argv), cwd=self.root, user="postgres", stop_signal=signal.SIGINT, cleanup=self.root)
        wait_for(
            lambda: self.service.alive() and self.psql("SELECT 1").strip() == "1", 60, 0.1, what="PostgreSQL to accept connections again"
        )
        return time.monotonic() - started

    def cleanup(self) -> None:
        """Remove the data directory (after the server stopped)."""
        shutil.rmtree(self.root, ignore_errors=True)


def start_postgres(sup: Supervisor) -> Postgres:
    """initdb (as ``postgres``) into a fresh directory and start the server on a free loopback port, TCP only."""
    pwd.getpwnam("postgres")  # raises KeyError when the postgresql package is missing
    root = Path(tempfile.mkdtemp(prefix="campaigns-e2e-pg-"))
    root.chmod(0o755)
    data = root / "data"
    data.mkdir()
    shutil.chown(data, "postgres", "postgres")
    password = secrets.token_urlsafe(18)
    pwfile = root / "pw"
    pwfile.write_text(password + "\n")
    shutil.chown(pwfile, "postgres", "postgres")
    pwfile.chmod(0o600)
    subprocess.run(
        [
            str(pg_bin() / "initdb"),
            "-D",
            str(data),
            "-U",
            "airflow",
            f"--pwfile={pwfile}",
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        user="postgres",
        group="postgres",
        extra_groups=[],
        cwd=root,
        capture_output=True,
        check=True,
        timeout=120,
    )
    pwfile.unlink()
    port = free_port()
    argv = (
        str(pg_bin() / "postgres"),
        "-D",
        str(data),
        "-c",
        f"listen_addresses={LOOPBACK}",
        "-c",
        f"port={port}",
        "-c",
        "unix_socket_directories=",
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off",
        "-c",
        "max_connections=300",
    )
    service = sup.start("postgres", list(argv), cwd=root, user="postgres", stop_signal=signal.SIGINT, cleanup=root)  # SIGINT: fast shutdown
    pg = Postgres(port=port, password=password, root=root, service=service, argv=argv)
    wait_for(lambda: service.alive() and pg.psql("SELECT 1").strip() == "1", 60, what="PostgreSQL to accept connections")
    return pg


@dataclass
class Redis:
    """A Redis server on loopback with no persistence."""

    port: int
    service: Service

    @property
    def url(self) -> str:
        """The broker URL."""
        return f"redis://{LOOPBACK}:{self.port}/0"


def start_redis(sup: Supervisor, workdir: Path) -> Redis:
    """``redis-server`` bound to 127.0.0.1 on a free port, no RDB/AOF files."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    service = sup.start(
        "redis",
        [
            binary,
            "--bind",
            LOOPBACK,
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "yes",
            "--dir",
            str(workdir),
            "--daemonize",
            "no",
        ],
    )
    wait_for(lambda: service.alive() and port_open(port), 30, 0.2, what="redis-server")
    return Redis(port=port, service=service)


@dataclass
class SimulatorProcess:
    """The vendor simulator running as its own process (``python -m airflow_provider_campaigns.simulator``)."""

    url: str
    credentials: dict[str, Any]
    service: Service

    def base_url(self, vendor: str) -> str:
        """The vendor's base URL (the connection host)."""
        return f"{self.url}/{vendor}"

    def connections(self) -> dict[str, dict[str, Any]]:
        """Airflow connection definitions (conn id → fields) pointing at this simulator."""
        c = self.credentials
        insecure = {"allow_insecure": True}
        return {
            "bsg_default": {"conn_type": "bsg", "host": self.base_url("bsg"), "password": c["bsg_api_key"], "extra": insecure},
            "cellcast_default": {
                "conn_type": "cellcast",
                "host": self.base_url("cellcast"),
                "password": c["cellcast_api_key"],
                "extra": insecure,
            },
            "comm_default": {"conn_type": "comm", "host": self.base_url("comm"), "password": c["comm_token"], "extra": insecure},
            "kore_default": {
                "conn_type": "kore",
                "host": self.base_url("kore"),
                "login": c["kore_client_id"],
                "password": c["kore_client_secret"],
                # the simulator is unlimited unless a scenario says otherwise: not Kore.ai's documented 60/min
                "extra": {**insecure, "account_id": c["kore_account_id"], "stream_id": c["kore_stream_id"], "requests_per_second": 0},
            },
        }

    def secrets(self) -> list[str]:
        """Every credential the simulator accepts that a client must keep secret."""
        c = self.credentials
        return [c["bsg_api_key"], c["cellcast_api_key"], c["comm_token"], c["kore_client_secret"]]


def simulator_credentials() -> dict[str, Any]:
    """Distinctive random credentials (passed to the simulator through its seed file)."""
    import uuid

    return {
        "bsg_api_key": "live_e2e" + secrets.token_hex(20),
        "cellcast_api_key": "e2ecc" + secrets.token_hex(24),
        "comm_token": f"{secrets.randbelow(900) + 100}|e2ecomm" + secrets.token_urlsafe(30),
        "kore_client_id": f"cs-{uuid.uuid4()}",
        "kore_client_secret": "e2ekore" + secrets.token_urlsafe(32),
        "kore_account_id": secrets.token_hex(12),
        "kore_stream_id": f"st-{uuid.uuid4()}",
    }


def start_simulator(
    sup: Supervisor, python: str, workdir: Path, extra_args: list[str] | None = None, name: str = "simulator"
) -> SimulatorProcess:
    """Start the simulator on a free port with known credentials; its stdout (which prints them) goes to its own log."""
    workdir.mkdir(parents=True, exist_ok=True)
    creds = simulator_credentials()
    seed = workdir / "simulator-seed.json"
    seed.write_text(json.dumps({"credentials": creds}))
    seed.chmod(0o600)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    service = sup.start(
        name,
        [python or sys.executable, "-m", "airflow_provider_campaigns.simulator", "--port", "0", "--seed", str(seed), *(extra_args or [])],
        env=env,
        log_name=f"{name}-VENDOR-SIDE-prints-credentials",
    )

    def ready() -> str | None:
        if not service.alive():
            raise RuntimeError(f"the simulator exited: {service.log_text()[-2000:]}")
        for line in service.log_text().splitlines():
            if line.startswith("SIMULATOR_READY "):
                return line.split(" ", 1)[1].strip()
        return None

    url = str(wait_for(ready, 60, 0.2, what="the simulator to print SIMULATOR_READY"))
    return SimulatorProcess(url=url, credentials=creds, service=service)
