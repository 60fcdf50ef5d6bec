"""A long-lived key sent as a bearer token."""

from __future__ import annotations

import pytest

from airflow_provider_campaigns.core.bearer_auth import StaticBearerAuth
from airflow_provider_campaigns.core.flow import Token

VENDOR = "Fake"


def test_static_bearer_auth_needs_no_request_and_cannot_refresh(budget):
    auth = StaticBearerAuth(VENDOR, "secret-key")
    flow = auth.token_flow(budget)
    with pytest.raises(StopIteration) as done:
        next(flow)
    assert done.value.value == Token("secret-key")
    assert auth.headers("secret-key") == {"Authorization": "Bearer secret-key"}
    assert auth.refreshable is False


