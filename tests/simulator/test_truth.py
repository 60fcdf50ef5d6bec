"""The report held against the simulator's truth (``simulator/truth.py``): what the benchmarks and the deployment suite
assert about a kill switch's result entries.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_campaigns.simulator.truth import campaign_key, report_mistakes

FINAL = {"bsg": {"stopped", "done"}, "comm": {"stopped", "completed"}}
SEND = "0D34C547-36D8-4A33-9FB8-1158A889F893/8ADFE854-79B8-4E80-A34E-2C80E8753857"


def states(**by_key: tuple[str, int]) -> Any:
    """A control API answering ``{"state": {"status": ...}, "stop_count": n}`` per simulator key."""
    return lambda vendor, key: {"state": {"status": by_key[key][0]}, "stop_count": by_key[key][1]}


def entry(vendor: str, campaign_id: str, outcome: str) -> dict[str, str]:
    return {"vendor": vendor, "campaign_id": campaign_id, "outcome": outcome}


def test_a_true_report_has_no_mistakes():
    send = campaign_key(SEND)
    truth = states(**{"1": ("stopped", 1), "2": ("done", 0), send: ("stopped", 1)})
    entries = [entry("bsg", "1", "stopped"), entry("bsg", "2", "already_final"), entry("comm", SEND.lower(), "stopped")]
    assert report_mistakes({"bsg": ["1", "2"], "comm": [SEND]}, entries, truth, FINAL) == ([], 0)


def test_each_kind_of_mistake_is_named_and_running_campaigns_counted():
    truth = states(**{"1": ("sending", 0), "2": ("stopped", 1), "3": ("done", 0), "4": ("done", 0)})
    entries = [entry("bsg", "1", "stopped"), entry("bsg", "2", "already_final"), entry("bsg", "3", "stopped")]
    mistakes, running = report_mistakes({"bsg": ["1", "2", "3", "4"]}, entries, truth, FINAL)
    assert running == 1
    assert mistakes == [
        "bsg 1: still 'sending' (reported 'stopped')",
        "bsg 2: stopped by this run, reported 'already_final'",
        "bsg 3: final by itself (done), reported 'stopped'",
        "bsg 4: final by itself (done), reported None",
    ]


def test_a_listing_may_leave_out_what_was_final_by_itself_but_nothing_it_stopped():
    truth = states(**{"1": ("done", 0), "2": ("stopped", 1)})
    assert report_mistakes({"bsg": ["1"]}, [], truth, FINAL, unreported_final_ok=True) == ([], 0)
    assert report_mistakes({"bsg": ["2"]}, [], truth, FINAL, unreported_final_ok=True) == (["bsg 2: stopped by this run, reported None"], 0)


def test_the_simulator_key_of_a_send_is_its_send_id_in_lower_case():
    assert campaign_key(SEND) == "8adfe854-79b8-4e80-a34e-2c80e8753857"
    assert campaign_key(1001) == "1001"
