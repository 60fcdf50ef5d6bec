"""One fake account per vendor for the hook, operator and sensor tests that answer with ``responses``.

The values a test asserts on are imported (``from tests.vendor_accounts import KORE_SECRET``); the fixtures
(registered for every test by ``tests/conftest.py``) define the vendor's ``<vendor>_default`` connection with
them, with fast retries. A module whose every test needs the connection says so once:
``pytestmark = pytest.mark.usefixtures("kore_conn")``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pytest

BSG_HOST = "https://bsg.test"
BSG_API_KEY = "live_bsgSECRETkey0123456789"
BSG_LOGIN = f"{BSG_HOST}/api/auth/login"


def make_jwt(subject: str = "a", ttl: int = 3600) -> str:
    """A bearer as BSG's login answers it: a JWT signed by the server, expiring in ``ttl`` seconds."""
    return jwt.encode({"sub": subject, "exp": int(time.time()) + ttl}, "server-secret-for-tests-0123456789abcdef", algorithm="HS256")


#: The bearer :func:`bsg_mocked` answers BSG's login with.
BSG_BEARER = make_jwt()

CELLCAST_HOST = "https://api.cellcast.test"
CELLCAST_API_KEY = "cc-api-key-7f3e9b1d5a"

COMM_HOST = "https://api.comm.test"
COMM_TOKEN = "comm-tok-7Hq2ZpX9wLm4"

KORE_HOST = "https://kore.test"
KORE_CLIENT_ID = "cs-5250bdc9-6bfe-5ece-92c9-ab54aa2d4285"
KORE_SECRET = "kore-TEST-secret-1d9e7c5a3b1f0e2d4c6b8a9f7e5d3c1b"
KORE_ACCOUNT = "67777ce93e25326494abcdef"
KORE_STREAM = "st-0603182c-7ffb-53c3-b307-47ca14b12345"


@pytest.fixture
def mocked() -> Iterator[Any]:
    """A ``responses`` mock for the test: only registered answers, unfired ones allowed.

    ``responses`` is imported here, not at the top: this module is loaded for every test, the deployment
    suite's too, whose environment does not install it.
    """
    import responses

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def bsg_mocked(mocked: Any) -> Any:
    """:func:`mocked` with BSG's login answered (bearer :data:`BSG_BEARER`)."""
    mocked.post(BSG_LOGIN, json={"bearer": BSG_BEARER})
    return mocked


@pytest.fixture
def bsg_conn(connection: Callable[..., dict[str, Any]], fast_retry: dict[str, Any]) -> dict[str, Any]:
    """``bsg_default``: the BSG account, fast retries."""
    return connection("bsg_default", "bsg", host=BSG_HOST, password=BSG_API_KEY, extra=fast_retry)


@pytest.fixture
def cellcast_conn(connection: Callable[..., dict[str, Any]], fast_retry: dict[str, Any]) -> dict[str, Any]:
    """``cellcast_default``: the Cellcast account, fast retries."""
    return connection("cellcast_default", "cellcast", host=CELLCAST_HOST, password=CELLCAST_API_KEY, extra=fast_retry)


@pytest.fixture
def comm_conn(connection: Callable[..., dict[str, Any]], fast_retry: dict[str, Any]) -> dict[str, Any]:
    """``comm_default``: the comm.com account, fast retries."""
    return connection("comm_default", "comm", host=COMM_HOST, password=COMM_TOKEN, extra=fast_retry)


@pytest.fixture
def kore_extra(fast_retry: dict[str, Any]) -> dict[str, Any]:
    """The Kore.ai connection's extras: its account and stream, fast retries."""
    return {"account_id": KORE_ACCOUNT, "stream_id": KORE_STREAM, **fast_retry}


@pytest.fixture
def kore_conn(connection: Callable[..., dict[str, Any]], kore_extra: dict[str, Any]) -> Callable[..., dict[str, Any]]:
    """``kore_default``: the Kore.ai account, fast retries. Returns ``define(conn_id, extra=...)`` for other connections
    of the same account (``extra`` replaces :func:`kore_extra`)."""

    def define(conn_id: str = "kore_default", extra: dict[str, Any] | None = None) -> dict[str, Any]:
        fields = {"host": KORE_HOST, "login": KORE_CLIENT_ID, "password": KORE_SECRET}
        return connection(conn_id, "kore", **fields, extra=kore_extra if extra is None else extra)

    define()
    return define


# -- answer shapes the tests of several layers share (as the vendors document them) -------------------------------
def cellcast_envelope(status: bool, message: str, data: Any = None, error: Any = None) -> dict[str, Any]:
    """Cellcast's answer envelope (every endpoint): ``status`` and ``message``, then ``data`` or ``error``."""
    return {"app_type": "web", "is_enc": False, "status": status, "message": message, "data": data or {}, "error": error or {}}


def kore_status_body(status: str, campaign_id: str = "cd-1") -> dict[str, Any]:
    """Kore.ai's answer to a status read (get-campaign-status-v2.md)."""
    return {"status": "success", "data": {"id": campaign_id, "status": status, "name": "promo"}}


def kore_stopped(when: str = "2025-12-05T12:07:54.225Z") -> dict[str, Any]:
    """Kore.ai's answer to an accepted stop (stop-sms-campaign-v2.md), last updated ``when``."""
    return {"status": "Stopped", "message": "Campaign Stopped", "updatedAt": when, "campaignExecutionType": "NORMAL"}
