"""The wait as a task runs it: which campaigns it waits for (the references the stop acted on, as references),
how long a round may retry, and the trigger's kwargs (plain values, a wall-clock deadline, never a secret)."""

from __future__ import annotations

import json
import logging
import time

from airflow_provider_campaigns.engine.results import entry
from airflow_provider_campaigns.engine.stop_batch import Part, stop_parts
from airflow_provider_campaigns.engine.task_wait import CHECK_BEFORE_DEFER_TIME, Waiting, defer_timeout, round_time, watched
from airflow_provider_campaigns.engine.wait_payload import DEADLINE_GRACE, trigger_kwargs
from airflow_provider_campaigns.hooks.bsg import BsgHook
from airflow_provider_campaigns.status import ALREADY_FINAL, CampaignState
from airflow_provider_campaigns.vendors import bsg

LOG = logging.getLogger("test")
WAITING = Waiting(frozenset({CampaignState.STOPPED}), poll_interval=2.0, timeout=30.0, deferrable=True)


def test_the_wait_follows_the_very_references_the_stop_acted_on(sim):
    ids = [sim.add_campaign("bsg", status="sending") for _ in range(3)]
    part = Part(BsgHook(), selection=BsgHook().selection("test", campaign_ids=ids))
    report = stop_parts([part], time.monotonic() + 30, dry_run=False, fail_if_already_final=False, journal=None, logger=LOG)
    [(owner, refs)] = watched([part], report.entries)
    assert owner is part
    assert all(any(ref is acted for acted in part.acted) for ref in refs)  # the same objects: no dict round trip
    assert [ref.label for ref in refs] == [str(i) for i in ids]


def test_a_plan_campaign_reported_without_a_request_is_rebuilt_from_its_entry(sim):
    hook = BsgHook()
    known = entry("bsg", hook.conn_id, bsg.campaign(41).as_dict(), "41", ALREADY_FINAL)
    part = Part(hook, refs=[], known=[known])
    report = stop_parts([part], time.monotonic() + 30, dry_run=False, fail_if_already_final=False, journal=None, logger=LOG)
    [(_, refs)] = watched([part], report.entries)
    assert refs == [bsg.campaign(41)]


def test_failed_campaigns_are_not_waited_for(sim):
    part = Part(BsgHook(), refs=[])
    failed = entry("bsg", part.hook.conn_id, bsg.campaign(7).as_dict(), "7", "failed", error="boom")
    assert watched([part], [failed]) == []


def test_a_round_retries_within_the_poll_interval_and_briefly_before_deferring(sim):
    part = Part(BsgHook())
    total = part.hook.settings.retry.total_timeout
    assert round_time([part], poll_interval=1.0, deferring=True) == min(total, CHECK_BEFORE_DEFER_TIME)
    assert round_time([part], poll_interval=600.0, deferring=False) == min(total, 600.0)


def test_the_trigger_kwargs_are_plain_values_with_a_wall_clock_deadline_and_no_secret(sim):
    hook = BsgHook()
    part = Part(hook)
    kwargs = trigger_kwargs([(part, [bsg.campaign(5)])], WAITING, clock_time=1_000.0)
    assert kwargs["deadline"] == 1_030.0 and kwargs["poll_interval"] == 2.0 and kwargs["target_states"] == ["stopped"]
    [group] = kwargs["groups"]
    assert (group["vendor"], group["conn_id"], group["refs"]) == ("bsg", hook.conn_id, [bsg.campaign(5).as_dict()])
    text = json.dumps(kwargs)  # JSON-safe, as the metadata database stores it
    conn = hook.get_connection(hook.conn_id)
    assert conn.password and conn.password not in text


def test_airflow_s_defer_timeout_is_a_backstop_past_the_trigger_s_own_deadline(sim):
    part = Part(BsgHook())
    slowest = part.hook.settings.retry.total_timeout
    assert defer_timeout([part], WAITING).total_seconds() == 30.0 + slowest + 2.0 + DEADLINE_GRACE + 60
