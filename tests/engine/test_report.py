"""The one report a person reads: failed first, every campaign, totals, the run and the approver."""

from __future__ import annotations

import pytest

from airflow_provider_campaigns.engine.report import render_report


def campaign(vendor: str, cid: str, outcome: str, name: str | None = None, error: str | None = None) -> dict:
    return {
        "vendor": vendor,
        "conn_id": f"{vendor}_default",
        "campaign_id": cid,
        "name": name,
        "outcome": outcome,
        "vendor_status": {"stopped": "stopped", "failed": "Active"}.get(outcome, "completed"),
        "error": error,
    }


RESULT = {
    "campaigns": [
        campaign("bsg", "1001", "stopped", "Black | Friday"),
        campaign("comm", "c1/s1", "already_final", "Old"),
        campaign("kore", "k-9", "failed", error="HTTP 500 from Kore.ai: try again"),
    ],
    "failed_targets": [
        {"vendor": "cellcast", "conn_id": "cellcast_eu", "target": "targets['cellcast']", "asked": {"custom_string": "bf"}, "error": "401"}
    ],
    "totals": {"stopped": 1, "already_final": 1, "would_stop": 0, "failed": 2, "failed_targets": 1},
    "dry_run": False,
}


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_failed_targets_then_failed_campaigns_come_first_and_every_campaign_is_listed(fmt):
    text = render_report(RESULT, fmt, run={"dag_id": "campaigns_kill_switch", "run_id": "manual__1"}, approved_by="Ana (ana)")
    order = [text.index(marker) for marker in ("targets['cellcast']", "k-9", "1001", "c1/s1")]
    assert order == sorted(order), text
    assert text.index("Failed targets") < text.index("Failed campaigns") < text.index("Stopped") < text.index("Already final")
    assert "FAILED" in text.splitlines()[0]
    assert "campaigns_kill_switch / manual__1" in text and "Ana (ana)" in text
    assert "2 failed (1 target(s) that selected nothing, 1 campaign(s)), 1 stopped, 1 already final" in text
    assert "custom_string=bf" in text and "HTTP 500 from Kore.ai: try again" in text


def test_markdown_is_tables_with_cells_escaped():
    text = render_report(RESULT, "markdown")
    assert text.startswith("# Campaigns stop report: FAILED")
    assert "| bsg | bsg_default | 1001 | Black \\| Friday | stopped |" in text
    assert "## Failed campaigns (1)" in text


def test_a_result_without_failed_targets_from_before_they_existed_is_reported():
    old = {"campaigns": [campaign("bsg", "7", "stopped")], "totals": {"stopped": 1, "already_final": 0, "would_stop": 0, "failed": 0}}
    text = render_report(old)
    assert text.splitlines()[0] == "Campaigns stop report: OK"
    assert "Failed" not in text and "1 stopped, 0 already final" in text
    assert "error" not in text, "a section without errors has no error column"


def test_totals_are_counted_when_a_partial_result_lacks_them():
    text = render_report({"campaigns": [campaign("bsg", "7", "failed", error="x"), campaign("bsg", "8", "stopped")]})
    assert "1 failed, 1 stopped" in text


def test_a_dry_run_says_nothing_was_stopped():
    plan = {"campaigns": [campaign("bsg", "7", "would_stop")], "totals": {"would_stop": 1}, "dry_run": True}
    text = render_report(plan)
    assert text.startswith("Campaigns dry run") and "Would stop (dry run: nothing was stopped) (1)" in text and "1 would stop" in text


def test_no_result_says_so_with_the_error():
    text = render_report(None, error="InvalidInputError: targets: unknown vendor 'sms77'")
    assert "FAILED" in text and "unknown vendor 'sms77'" in text and "failed before it had a result" in text


def test_limit_caps_each_section_and_counts_the_rest():
    many = {"campaigns": [campaign("bsg", str(i), "stopped") for i in range(1, 8)]}
    text = render_report(many, limit=3)
    assert "... and 4 more" in text and "\nbsg " in text and "  7  " not in text


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="fmt must be one of text, markdown"):
        render_report(RESULT, "html")
