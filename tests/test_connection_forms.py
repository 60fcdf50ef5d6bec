"""What the connection forms save is what the hooks accept."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_campaigns.connection_forms import forms
from airflow_provider_campaigns.registry import vendor_spec
from tests.conftest import fake_connection

FORMS = forms()

REQUIRED_FIELDS: dict[str, dict[str, Any]] = {
    "bsg": {"password": "test_key"},
    "cellcast": {"password": "key"},
    "comm": {"password": "token"},
    "kore": {"login": "cs-1", "password": "secret", "extra": {"account_id": "acc-1"}},
}


def ui_saved_connection(conn_type: str, value: Any) -> SimpleNamespace:
    """A connection as Airflow 3's form saves it: every declared extra present, ``value`` when left empty."""
    fields = REQUIRED_FIELDS[conn_type]
    extra = {name: value for name in FORMS[conn_type].all_extras()}
    extra.update(fields.get("extra", {}))
    login, password = fields.get("login"), fields["password"]
    return fake_connection(f"{conn_type}_ui", login=login, password=password, extra=extra)


@pytest.mark.parametrize("conn_type", sorted(FORMS))
@pytest.mark.parametrize("empty", [None, "", "  "], ids=["null", "blank", "spaces"])
def test_a_connection_saved_with_every_extra_left_empty_works(conn_type, empty):
    settings, _ = vendor_spec(conn_type).connect(ui_saved_connection(conn_type, empty))
    assert settings.timeout == (5.0, 15.0) and settings.retry.max_retries is None and settings.verify is True
    assert settings.base_url.startswith("https://")


def test_kores_account_id_is_marked_required_in_both_form_kinds():
    entry = FORMS["kore"].provider_entry()["conn-fields"]["account_id"]
    assert entry["schema"]["type"] == "string" and entry["schema"]["minLength"] == 1
    assert "required" in entry["label"].lower()
    optional = FORMS["kore"].provider_entry()["conn-fields"]["stream_id"]
    assert "null" in optional["schema"]["type"]
