"""The secrets the simulator accepts, and the Airflow connections that carry them."""

from __future__ import annotations

import dataclasses
import json
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any


def _hex(n: int) -> str:
    return secrets.token_hex(n)


@dataclass(frozen=True)
class SimulatorCredentials:
    """Credentials for the four fake vendors (random unless given).

    :param bsg_api_key: BSG API key (``test_`` prefix, like BSG's test keys).
    :param cellcast_api_key: Cellcast API key (sent as a Bearer token).
    :param comm_token: comm.com API token (sent as a Bearer token).
    :param kore_client_id: Kore app Client ID (the JWT's ``appId``).
    :param kore_client_secret: Kore app Client Secret (the JWT's HS256 key).
    :param kore_account_id: Kore account id (``accountid`` header, ``accountId`` query).
    :param kore_stream_id: Kore stream/bot id, ``st-`` + UUID (``iid`` header, path).
    :param bsg_jwt_ttl: lifetime of the JWTs BSG's login hands out, in seconds.
    """

    bsg_api_key: str = field(default_factory=lambda: "test_" + _hex(20))
    cellcast_api_key: str = field(default_factory=lambda: _hex(24))
    comm_token: str = field(default_factory=lambda: f"{secrets.randbelow(900) + 100}|" + secrets.token_urlsafe(30))
    kore_client_id: str = field(default_factory=lambda: f"cs-{uuid.uuid4()}")
    kore_client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    kore_account_id: str = field(default_factory=lambda: _hex(12))
    kore_stream_id: str = field(default_factory=lambda: f"st-{uuid.uuid4()}")
    bsg_jwt_ttl: float = 3600

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SimulatorCredentials:
        """Build from a dict; missing fields are generated, unknown ones rejected."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown credential fields: {', '.join(sorted(unknown))}")
        return cls(**data)

    def as_dict(self) -> dict[str, Any]:
        """All fields as a plain dict."""
        return dataclasses.asdict(self)


def connections(creds: SimulatorCredentials, base_url: str) -> dict[str, dict[str, Any]]:
    """Airflow connection dicts (``bsg_default``, ...) pointing at ``base_url``."""
    insecure = {"allow_insecure": True}
    return {
        "bsg_default": {
            "conn_type": "bsg",
            "host": f"{base_url}/bsg",
            "password": creds.bsg_api_key,
            "extra": dict(insecure),
        },
        "cellcast_default": {
            "conn_type": "cellcast",
            "host": f"{base_url}/cellcast",
            "password": creds.cellcast_api_key,
            "extra": dict(insecure),
        },
        "comm_default": {
            "conn_type": "comm",
            "host": f"{base_url}/comm",
            "password": creds.comm_token,
            "extra": dict(insecure),
        },
        "kore_default": {
            "conn_type": "kore",
            "host": f"{base_url}/kore",
            "login": creds.kore_client_id,
            "password": creds.kore_client_secret,
            # the simulator is unlimited unless told otherwise: no documented 60/min here (0 = learn from 429s)
            "extra": {**insecure, "account_id": creds.kore_account_id, "stream_id": creds.kore_stream_id, "requests_per_second": 0},
        },
    }


def connection_env(conns: dict[str, dict[str, Any]]) -> dict[str, str]:
    """``AIRFLOW_CONN_<ID>`` variables holding the connections as JSON."""
    return {f"AIRFLOW_CONN_{conn_id.upper()}": json.dumps(conn) for conn_id, conn in conns.items()}
