"""Every selection mode against the strict simulator (documented answers, server-side page caps far
below what the client asks for, campaigns months old): it finds every active campaign, or fails
naming what it could not see. Never a quiet partial list."""

from __future__ import annotations

import time
from typing import Any

import pendulum
import pytest

from airflow_provider_campaigns.exceptions import PermanentError
from airflow_provider_campaigns.hooks.bsg import BsgHook
from airflow_provider_campaigns.hooks.cellcast import CellcastHook
from airflow_provider_campaigns.hooks.comm import CommHook
from airflow_provider_campaigns.hooks.kore import KoreHook

CAPS = {"bsg": 40, "cellcast": 7, "comm": 3, "kore": 4}


@pytest.fixture
def sim(simulated):
    return simulated(page_caps=CAPS)


def labels(hook: Any, **params: Any) -> set[str]:
    return {ref.label for ref in hook.select(hook.selection("test", **params))}


def test_bsg_all_active_finds_campaigns_of_every_window_behind_page_caps(sim):
    now = pendulum.now("UTC")
    active: list[int] = []
    for months_ago in range(11):  # a scheduled campaign created 4 months ago is beyond BSG's default window
        created = now.subtract(months=months_ago, days=3).to_iso8601_string()
        active += [sim.add_campaign("bsg", status="scheduled", created_at=created, name=f"promo {months_ago}") for _ in range(9)]
        sim.add_campaign("bsg", status="done", created_at=created)
    rcs = sim.add_campaign("bsg", status="sending", channel="rcs")
    assert labels(BsgHook(), all_active=True) == {str(i) for i in active}
    assert labels(BsgHook(), all_active=True, channel="rcs") == {str(rcs)}
    assert labels(BsgHook(), all_active=True, name_contains="PROMO 10") == {str(i) for i in active[-9:]}
    lists = [r for r in sim.requests("bsg") if r["path"] == "/api/campaigns"]
    assert all(30 <= int(r["query"]["page[limit]"]) <= 500 for r in lists) and not any("search[field]" in r["query"] for r in lists)


def test_cellcast_custom_string_cancels_every_pending_message_behind_page_caps(sim):
    queued = sim.add_campaign("cellcast", status="queued", recipients=20, custom_string="bf")
    scheduled = sim.add_campaign("cellcast", status="scheduled", recipients=9, custom_string="bf")
    sim.add_campaign("cellcast", status="sent", recipients=5, custom_string="bf")
    sim.add_campaign("cellcast", status="queued", recipients=3, custom_string="other")
    assert labels(CellcastHook(), custom_string="bf") == {*queued, *scheduled}


def test_kore_all_active_finds_every_campaign_behind_page_caps(sim):
    active = [sim.add_campaign("kore", status=status) for status in ["Active", "Scheduled", "Paused", "Ready"] * 6]
    for _ in range(5):
        sim.add_campaign("kore", status="Completed")
    assert labels(KoreHook(), all_active=True) == set(active)


def test_comm_all_active_on_documented_answers_fails_naming_the_campaigns(sim):
    send = sim.add_campaign("comm", status="in_progress", name="can't see my sends")
    with pytest.raises(PermanentError, match=send[0]) as error:
        labels(CommHook(), all_active=True)
    assert "campaign_sends" in str(error.value)


def test_comm_all_active_finds_every_running_send_where_answers_list_them(simulated):
    sim = simulated(strict=False, page_caps=CAPS)
    running = [sim.add_campaign("comm", status="in_progress") for _ in range(10)]
    for _ in range(4):
        sim.add_campaign("comm", status="completed")
    assert labels(CommHook(), all_active=True) == {f"{c}/{s}" for c, s in running}


def test_the_whole_selection_takes_seconds_not_minutes(sim):
    for _ in range(30):
        sim.add_campaign("kore", status="Active")
    started = time.monotonic()
    assert len(labels(KoreHook(), all_active=True)) == 30
    assert time.monotonic() - started < 5
