"""The drill against vendors' documented answers served verbatim (``responses``): the core reads confirm,
a guess the documented example contradicts is reported contradicted, and nothing but reads is sent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import responses

from airflow_provider_campaigns.drill.runner import drill
from airflow_provider_campaigns.hooks.bsg import BsgHook

DOCUMENTED = Path(__file__).resolve().parents[1] / "vendors" / "documented"
HOST = "https://bsg.test"


def body(name: str) -> bytes:
    return (DOCUMENTED / name).read_bytes()


@pytest.fixture
def bsg(connection, fast_retry):
    connection("bsg_default", "bsg", host=HOST, password="live_bsgSECRETkey0123456789", extra=fast_retry)
    return BsgHook()


def listing(request):
    """The documented list for the login's bearer; the body BSG's 401 is guessed to have for any other."""
    if request.headers.get("Authorization") != f"Bearer {json.loads(body('bsg/login-200.json'))['bearer']}":
        return 401, {}, json.dumps({"message": "Unauthenticated."})
    return 200, {}, body("bsg/list-200.json")


def test_bsg_documented_answers(bsg):
    with responses.RequestsMock() as rsps:
        rsps.post(f"{HOST}/api/auth/login", body=body("bsg/login-200.json"), content_type="application/json")
        rsps.add_callback("GET", re.compile(rf"{HOST}/api/campaigns\?.*"), callback=listing, content_type="application/json")
        rsps.get(f"{HOST}/api/campaigns/53651994", body=body("bsg/campaign-get-200.json"), content_type="application/json")
        results = {fact["fact"]: fact for fact in drill("bsg", bsg)}
        methods = {(call.request.method, call.request.url.split("?")[0]) for call in rsps.calls}
    assert [results[key]["outcome"] for key in ("bsg.credentials", "bsg.list", "bsg.status")] == ["confirmed"] * 3
    assert results["bsg.auth.jwt_lifetime"]["outcome"] == "confirmed"
    # the OpenAPI list example writes ISO dates in the year 2000: both guesses about list dates are contradicted
    assert (
        results["bsg.timestamps.format"]["outcome"] == "contradicted"
        and "2000-01-23T04:56:07.000+00:00" in results["bsg.timestamps.format"]["detail"]
    )
    assert results["bsg.list.window_field"]["outcome"] == "contradicted"
    assert results["bsg.errors.401_404_bodies"]["outcome"] == "confirmed"
    assert {method for method, _ in methods} <= {"GET", "POST"}
    assert all(url.endswith(("/api/auth/login", "/api/campaigns", "/api/campaigns/53651994")) for _, url in methods)
