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
    keys = {"vendor", "conn_id", "campaign_id", "name", "outcome", "state", "vendor_status", "error", "ref"}
    assert set(first) == {*keys, "started_at", "finished_at"}
    assert (first["name"], first["state"], first["vendor_status"], first["error"]) == ("Promo", "stopped", "stopped", None)
    assert (second["name"], second["state"], second["error"], second["started_at"]) == (None, None, "HTTP 500", None)
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


def test_an_entry_ref_holds_only_what_the_campaign_id_and_the_vendor_defaults_do_not_say():
    from airflow_provider_campaigns.vendors import bsg, cellcast, comm, kore

    c, s = "0d34c547-36d8-4a33-9fb8-1158a889f893", "8adfe854-79b8-4e80-a34e-2c80e8753857"
    cases = [
        (bsg.campaign(1001), {}),
        (bsg.campaign(7, "rcs"), {"channel": "rcs"}),
        (cellcast.message("6b169106a83461cc00000001", "mms"), {"type": "mms"}),
        (comm.send(c, s), {}),
        (kore.KoreCampaign("cd-1", "st-2"), {"stream_id": "st-2"}),
    ]
    for ref, compact in cases:
        item = entry(type(ref).__module__.rsplit(".", 1)[-1], "conn", ref, ref.label, STOPPED)
        assert item["ref"] == compact
        assert type(ref).from_entry(item["campaign_id"], item["ref"]) == ref, "the entry names the campaign exactly"
        assert type(ref).from_entry(ref.label, ref.as_dict()) == ref, "a plan with full refs (0.1's) is still accepted"


def test_an_entry_journaled_by_an_older_version_keeps_only_the_documented_keys():
    from airflow_provider_campaigns.engine.results import ENTRY_KEYS, stored_entry

    old = {**entry("bsg", "bsg_default", {"id": 1}, "1", STOPPED), "timestamps": {"created_at": "2026-01-01T09:00:00Z"}}
    assert tuple(stored_entry(old)) == ENTRY_KEYS and "timestamps" not in stored_entry(old)
