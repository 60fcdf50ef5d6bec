"""The kill switch against a vendor drifting on purpose (the simulator's drift switches): each vendor's
listing target fails in seconds — one request, no retries — naming what drifted, and the other vendors
are still stopped.
"""

from __future__ import annotations

import time

import pytest
from airflow.providers.common.compat.sdk import AirflowFailException

from airflow_provider_campaigns import exceptions
from airflow_provider_campaigns.operators.kill_switch import CampaignKillSwitchOperator

pytestmark = pytest.mark.skipif(not hasattr(exceptions, "ContractError"), reason="drift is a ContractError from issue 19 item 2")

RUNNING = {"bsg": "sending", "cellcast": "scheduled", "comm": "in_progress", "kore": "Active"}
#: what each drift kind must name, per vendor
NAMED = {
    "renamed_field": {"bsg": "id", "cellcast": "_id", "comm": "id", "kore": "id"},
    "moved_status": dict.fromkeys(RUNNING, "status"),
    "missing_paging": {"bsg": "meta.page.total", "cellcast": "hasNextPage", "comm": "last_page", "kore": "hasMore"},
}
LISTING = {
    "bsg": {"all_active": True},
    "cellcast": {"custom_string": "storm"},
    "comm": {"all_active": True},
    "kore": {"all_active": True},
}


@pytest.fixture
def sim(simulated):
    return simulated(extra={})  # the default retry policy


@pytest.mark.parametrize("kind", NAMED)
@pytest.mark.parametrize("vendor", RUNNING)
def test_a_drifted_list_fails_the_kill_switch_in_seconds_naming_the_drift(sim, ti, vendor, kind):
    sim.add_campaign(vendor, status=RUNNING[vendor], **({"custom_string": "storm"} if vendor == "cellcast" else {}))
    other = next(v for v in RUNNING if v != vendor)
    spared = sim.add_campaign(other, status=RUNNING[other])
    sim.drift(vendor, kind)
    targets = {vendor: LISTING[vendor], other: {"bsg": {"campaign_ids": [spared]}, "cellcast": {"message_ids": spared}}.get(other, {})}
    if other == "comm":
        targets[other] = {"campaign_sends": [list(spared)]}
    if other == "kore":
        targets[other] = {"campaign_ids": [spared]}
    started = time.monotonic()
    with pytest.raises(AirflowFailException) as failed:
        CampaignKillSwitchOperator(task_id="kill", targets=targets, wait_for_completion=False).execute({"ti": ti})
    assert time.monotonic() - started <= 10
    message = str(failed.value)
    assert NAMED[kind][vendor] in message and "document" in message, message
    assert sim.stop_count(other, spared[0] if other == "cellcast" else spared) == 1, "the other vendor is still stopped"
    listing = [r for r in sim.requests(vendor) if r["method"] in ("GET", "POST") and "login" not in r["path"]]
    assert len(listing) == 1, f"a drifted answer is not retried: {[r['path'] for r in listing]}"
