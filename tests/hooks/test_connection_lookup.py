"""A missing or mistyped connection id fails the task at once (no retries burnt), naming the id."""

from __future__ import annotations

import time

import pytest
import responses
from airflow.providers.common.compat.sdk import AirflowFailException

from airflow_provider_campaigns.exceptions import ConnectionNotFoundError
from airflow_provider_campaigns.hooks.bsg import BsgHook
from airflow_provider_campaigns.hooks.cellcast import CellcastHook
from airflow_provider_campaigns.hooks.comm import CommHook
from airflow_provider_campaigns.hooks.kore import KoreHook
from airflow_provider_campaigns.triggers.status import CampaignStatusTrigger
from tests.conftest import first_event

HOOKS = {"bsg": BsgHook, "cellcast": CellcastHook, "comm": CommHook, "kore": KoreHook}


@pytest.mark.parametrize("conn_type", sorted(HOOKS))
@responses.activate(assert_all_requests_are_fired=True)
def test_a_missing_connection_is_a_permanent_error_naming_it(conn_type):
    hook = HOOKS[conn_type]("no_such_conn")
    with pytest.raises(ConnectionNotFoundError) as raised:
        _ = hook.settings
    assert isinstance(raised.value, AirflowFailException)
    message = str(raised.value)
    assert "'no_such_conn'" in message and f"type {conn_type!r}" in message and "AIRFLOW_CONN_NO_SUCH_CONN" in message


def test_the_trigger_ends_with_an_error_event_naming_the_missing_connection():
    from airflow_provider_campaigns.engine.wait_payload import group
    from airflow_provider_campaigns.vendors import bsg

    trigger = CampaignStatusTrigger([group("bsg", "no_such_conn", [bsg.campaign(5)])], ["stopped"], 0.01, time.time() + 5)

    payload = first_event(trigger, 10)
    assert payload["status"] == "error" and "'no_such_conn'" in payload["message"] and "does not exist" in payload["message"]
