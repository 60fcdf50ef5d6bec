"""The one result shape, plans read back from results, and the judging of statuses."""

from __future__ import annotations

import json

import pytest

from airflow_provider_campaigns.engine.results import (
    ALREADY_FINAL,
    FAILED,
    OUTCOMES,
    STOPPED,
    WOULD_STOP,
    entries_of,
    entry,
    result,
    with_status,
)
from airflow_provider_campaigns.engine.wait import judge, target_states
from airflow_provider_campaigns.exceptions import InvalidInputError
from airflow_provider_campaigns.status import CampaignState, CampaignStatus


def status(state: CampaignState, vendor_status: str = "x", campaign_id: str = "1", name: str | None = "Promo") -> CampaignStatus:
    return CampaignStatus("bsg", campaign_id, state, vendor_status, {"stopped_at": "2026-11-29T10:00:00Z"}, name)


def test_every_entry_has_the_documented_keys_and_the_totals_count_every_outcome():
    entries = [
        entry("bsg", "bsg_default", {"id": 1, "channel": "sms"}, "1", STOPPED, status(CampaignState.STOPPED, "stopped")),
        entry("kore", "kore_eu", {"id": "c2"}, "c2", FAILED, error="HTTP 500"),
    ]
    value = result(entries)
    assert set(value) == {"campaigns", "failed_targets", "totals", "dry_run"}
    assert value["totals"] == {STOPPED: 1, ALREADY_FINAL: 0, WOULD_STOP: 0, FAILED: 1, "failed_targets": 0}
    assert set(value["totals"]) == {*OUTCOMES, "failed_targets"}
    assert value["dry_run"] is False
    first, second = value["campaigns"]
    keys = {"vendor", "conn_id", "campaign_id", "name", "outcome", "state", "vendor_status", "error", "timestamps", "ref"}
    assert set(first) == {*keys, "started_at", "finished_at"}
    assert (first["name"], first["state"], first["vendor_status"], first["error"]) == ("Promo", "stopped", "stopped", None)
    assert (second["name"], second["state"], second["error"], second["timestamps"]) == (None, None, "HTTP 500", {})
    assert json.loads(json.dumps(value)) == value


def test_an_empty_result_is_a_valid_result_with_zero_totals():
    totals = {**dict.fromkeys(OUTCOMES, 0), "failed_targets": 0}
    assert result([], dry_run=True) == {"campaigns": [], "failed_targets": [], "totals": totals, "dry_run": True}


def test_a_newer_status_updates_state_but_keeps_the_outcome():
    before = entry("bsg", "bsg_default", {"id": 1}, "1", STOPPED, status(CampaignState.ACTIVE, "sending"))
    after = with_status(before, status(CampaignState.STOPPED, "stopped", name=None))
    assert (after["outcome"], after["state"], after["vendor_status"], after["name"]) == (STOPPED, "stopped", "stopped", "Promo")
    assert before["state"] == "active"


def test_a_dry_run_result_reads_back_as_a_plan():
    plan = result([entry("comm", "comm_default", {"campaign_id": "7", "send_id": "3"}, "7/3", WOULD_STOP)], dry_run=True)
    assert entries_of(plan)[0]["ref"] == {"campaign_id": "7", "send_id": "3"}


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ([], "must be a result"),
        ({"campaigns": "1,2"}, "must be a result"),
        ({"campaigns": [{"vendor": "bsg", "campaign_id": "1"}]}, "lacks conn_id, ref"),
        ({"campaigns": ["1"]}, "lacks vendor, conn_id, campaign_id, ref"),
    ],
)
def test_anything_but_a_result_is_refused_as_a_plan(value, says):
    with pytest.raises(InvalidInputError, match=says):
        entries_of(value)


def test_waiting_goes_on_while_any_campaign_is_not_final():
    verdict = judge([status(CampaignState.STOPPED), status(CampaignState.ACTIVE, "sending", "2")], target_states(None))
    assert (verdict.done, verdict.accepted) == (False, False)
    assert "1 of 2 final, waiting on bsg 2 (sending)" in verdict.message


def test_a_final_state_outside_the_targets_ends_the_wait_unaccepted_and_says_what_to_do():
    verdict = judge([status(CampaignState.FAILED, "failed")], target_states(None))
    assert (verdict.done, verdict.accepted) == (True, False)
    assert "widen target_states" in verdict.message


def test_all_in_target_states_is_accepted():
    verdict = judge([status(CampaignState.STOPPED), status(CampaignState.COMPLETED, "done", "2")], target_states(None))
    assert (verdict.done, verdict.accepted) == (True, True)


def test_target_states_default_and_refusals():
    assert target_states(None) == {CampaignState.STOPPED, CampaignState.COMPLETED}
    with pytest.raises(InvalidInputError):
        target_states([])
    with pytest.raises(InvalidInputError):
        target_states(["finished-ish"])
