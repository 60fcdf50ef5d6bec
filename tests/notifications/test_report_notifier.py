"""The report notifier: reads the stop task's result from XCom, renders it, sends it through its channel."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from airflow_provider_campaigns.notifications.report import CampaignReportNotifier

RESULT = {
    "campaigns": [
        {"vendor": "bsg", "conn_id": "bsg_default", "campaign_id": "1001", "name": "BF", "outcome": "stopped", "vendor_status": "stopped"},
        {"vendor": "kore", "conn_id": "kore_default", "campaign_id": "k-1", "name": None, "outcome": "failed", "error": "HTTP 500"},
    ],
    "totals": {"stopped": 1, "already_final": 0, "would_stop": 0, "failed": 1},
    "dry_run": False,
}


class FakeTI:
    """A task instance's XCom as a notifier reads it (return_value, or the result pushed by a failed try)."""

    log_url = "http://airflow.local/dags/kill/runs/r1/tasks/stop_campaigns"

    def __init__(self, xcoms: dict[tuple[str, str], Any]) -> None:
        self.xcoms = xcoms

    def xcom_pull(self, task_ids: str, key: str = "return_value") -> Any:
        return self.xcoms.get((task_ids, key))


class FakeRun:
    dag_id = "campaigns_kill_switch"
    run_id = "manual__2026-12-07"


def context(xcoms: dict[tuple[str, str], Any], **more: Any) -> dict[str, Any]:
    return {"ti": FakeTI(xcoms), "dag_run": FakeRun(), **more}


def channel() -> tuple[list[tuple[str, str]], Any]:
    sent: list[tuple[str, str]] = []
    return sent, lambda subject, body, ctx: sent.append((subject, body))


def test_a_success_sends_the_report_of_the_return_value_through_the_channel():
    sent, send = channel()
    CampaignReportNotifier(channel=send).notify(context({("stop_campaigns", "return_value"): RESULT}))
    [(subject, body)] = sent
    assert subject == "[campaigns_kill_switch] Campaigns stop report: FAILED (1 stopped, 1 failed)"
    assert body.index("k-1") < body.index("1001")
    assert "campaigns_kill_switch / manual__2026-12-07 (http://airflow.local/" in body


def test_a_failure_reads_the_result_the_failed_try_pushed_and_names_the_error():
    sent, send = channel()
    ctx = context({("stop_campaigns", "campaigns_result"): RESULT}, exception=RuntimeError("1 campaign not stopped"))
    CampaignReportNotifier(channel=send, fmt="markdown").notify(ctx)
    [(_, body)] = sent
    assert body.startswith("# Campaigns stop report: FAILED") and "RuntimeError: 1 campaign not stopped" in body
    assert "| kore | kore_default | k-1 |" in body


def test_a_task_that_failed_before_any_result_still_reports():
    sent, send = channel()
    CampaignReportNotifier(channel=send).notify(context({}, exception=ValueError("bad targets")))
    assert "failed before it had a result" in sent[0][1] and "bad targets" in sent[0][1]


def test_the_approver_is_named_when_the_plan_was_approved():
    sent, send = channel()
    approval = {
        "chosen_options": ["Approve"],
        "responded_by_user": {"id": "ana", "name": "Ana Lima"},
        "responded_at": "2026-12-07T05:00:00",
    }
    ctx = context({("stop", "return_value"): RESULT, ("approve", "return_value"): approval})
    CampaignReportNotifier(task_id="stop", approval_task_id="approve", channel=send).notify(ctx)
    assert "Approved by: Ana Lima (ana) at 2026-12-07T05:00:00" in sent[0][1]


def test_smtp_sends_the_report_in_pre_through_the_smtp_provider(monkeypatch):
    calls: list[dict[str, Any]] = []

    class Recorder:
        def __init__(self, **kwargs: Any) -> None:
            calls.append(kwargs)

        def notify(self, ctx: Any) -> None:
            calls.append({"notified": True})

    import airflow.providers.smtp.notifications.smtp as smtp

    monkeypatch.setattr(smtp, "SmtpNotifier", Recorder)
    notifier = CampaignReportNotifier(to="a@example.com, b@example.com", smtp_conn_id="mail")
    notifier.notify(context({("stop_campaigns", "return_value"): RESULT}))
    kwargs, done = calls
    assert kwargs["to"] == ["a@example.com", "b@example.com"] and kwargs["smtp_conn_id"] == "mail" and done == {"notified": True}
    assert kwargs["html_content"].startswith("<pre>Campaigns stop report: FAILED") and "1001" in kwargs["html_content"]


def test_no_recipients_after_rendering_logs_the_report_instead_of_failing(monkeypatch):
    notifier = CampaignReportNotifier(to="{{ var.value.get('campaigns_report_to', '') }}")
    notifier.to = ""  # what the template renders to when the Variable is not set
    warnings: list[str] = []
    monkeypatch.setattr(notifier.log, "warning", lambda message, *args: warnings.append(message % args))
    notifier.notify(context({("stop_campaigns", "return_value"): RESULT}))
    assert "no recipients" in warnings[0] and "k-1" in warnings[0]


def test_a_missing_smtp_provider_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "airflow.providers.smtp.notifications.smtp", None)
    with pytest.raises(ImportError, match="pip install apache-airflow-providers-smtp"):
        CampaignReportNotifier(to="a@example.com").notify(context({("stop_campaigns", "return_value"): RESULT}))


def test_bad_settings_fail_when_the_dag_is_parsed():
    with pytest.raises(ValueError, match="give `to`"):
        CampaignReportNotifier()
    with pytest.raises(ValueError, match="channel must be"):
        CampaignReportNotifier(channel="slack")
    with pytest.raises(ValueError, match="fmt must be"):
        CampaignReportNotifier(to="a@x", fmt="html")
