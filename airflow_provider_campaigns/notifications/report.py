"""A notifier that sends a stop task's report to a person: by mail (SMTP) or through any channel you give it.

Use it as a task's (or DAG's) ``on_success_callback`` / ``on_failure_callback``::

    from airflow_provider_campaigns.notifications.report import CampaignReportNotifier

    report = CampaignReportNotifier(task_id="stop_campaigns", to="oncall@example.com", smtp_conn_id="smtp_default")
    CampaignKillSwitchOperator(..., on_success_callback=report, on_failure_callback=report)

It reads the task's result from XCom (the ``return_value``, or ``campaigns_result`` when the task
failed), renders it with :func:`~airflow_provider_campaigns.engine.report.render_report` (failed first,
every campaign, the run, who approved it) and sends it. The SMTP channel needs
``apache-airflow-providers-smtp`` (installed with Airflow by default); any other channel is a
callable ``send(subject, body, context)`` — e.g. one that posts the Markdown report to Slack.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from airflow.providers.common.compat.notifier import BaseNotifier

from airflow_provider_campaigns.engine.report import render_report
from airflow_provider_campaigns.engine.results import RESULT_KEY

#: ``send(subject, body, context)``: a channel other than SMTP
Channel = Callable[[str, str, Mapping[str, Any]], None]


def smtp_channel(
    to: str | Iterable[str], from_email: str | None = None, smtp_conn_id: str | None = None
) -> Channel:
    """A channel that mails the report through apache-airflow-providers-smtp (the body in ``<pre>``, kept aligned)."""
    try:
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier
    except ImportError as error:  # an optional provider: say what to install
        raise ImportError(
            "CampaignReportNotifier(channel='smtp') needs apache-airflow-providers-smtp: "
            "pip install apache-airflow-providers-smtp (or give channel=<a callable send(subject, body, context)>)."
        ) from error

    def send(subject: str, body: str, context: Mapping[str, Any]) -> None:
        notifier = SmtpNotifier(
            to=to, from_email=from_email, subject=subject, html_content=f"<pre>{html.escape(body)}</pre>", smtp_conn_id=smtp_conn_id
        )
        notifier.notify(context)  # type: ignore[arg-type]  # not __call__: the report is not a Jinja template

    return send


def _recipients(to: str | Iterable[str] | None) -> list[str]:
    """Recipients as a list: a comma- or semicolon-separated string, or an iterable of addresses."""
    items = to.replace(";", ",").split(",") if isinstance(to, str) else list(to or [])
    return [item.strip() for item in items if item and item.strip()]


def approver(context: Mapping[str, Any], approval_task_id: str | None) -> str | None:
    """Who approved the run (the human-in-the-loop task's ``responded_by_user``), or ``None``."""
    ti = context.get("ti")
    if not approval_task_id or ti is None:
        return None
    answer = ti.xcom_pull(task_ids=approval_task_id)
    if not isinstance(answer, Mapping) or "Approve" not in (answer.get("chosen_options") or []):
        return None
    user = answer.get("responded_by_user") or {}
    who = user.get("name") or user.get("id") or "someone"
    if user.get("id") and user.get("id") != who:
        who += f" ({user['id']})"
    return f"{who} at {answer['responded_at']}" if answer.get("responded_at") else str(who)


def run_of(context: Mapping[str, Any]) -> dict[str, Any]:
    """The run a report names: DAG id, run id and, when the task instance knows it, the link to its log."""
    run = context.get("dag_run")
    ti = context.get("ti")
    found = {"dag_id": getattr(run, "dag_id", None), "run_id": getattr(run, "run_id", None)}
    url = getattr(ti, "log_url", None)
    if isinstance(url, str):
        found["url"] = url
    return found


class CampaignReportNotifier(BaseNotifier):
    """Send the report of a stop task (kill switch, stop operator, sensor) when it succeeds or fails.

    :param task_id: the task whose result to report (default ``stop_campaigns``).
    :param to: recipients (SMTP channel).
    :param from_email: sender (SMTP channel; default: the SMTP connection's ``from_email``).
    :param smtp_conn_id: the SMTP connection (default: ``[email] email_conn_id``, i.e. ``smtp_default``).
    :param subject: the subject (templated); default names the DAG, the outcome and the totals.
    :param fmt: ``"text"`` (default) or ``"markdown"``.
    :param approval_task_id: a human-in-the-loop task whose responder the report names as approver.
    :param channel: ``"smtp"`` (default) or a callable ``send(subject, body, context)``.
    """

    template_fields = ("task_id", "to", "from_email", "smtp_conn_id", "subject", "approval_task_id")

    def __init__(
        self,
        *,
        task_id: str = "stop_campaigns",
        to: str | Iterable[str] | None = None,
        from_email: str | None = None,
        smtp_conn_id: str | None = None,
        subject: str | None = None,
        fmt: str = "text",
        approval_task_id: str | None = None,
        channel: str | Channel = "smtp",
    ) -> None:
        super().__init__()
        if channel == "smtp" and not to:
            raise ValueError("CampaignReportNotifier: give `to` (the recipients) for the SMTP channel.")
        if not (channel == "smtp" or callable(channel)):
            raise ValueError(f"CampaignReportNotifier: channel must be 'smtp' or a callable send(subject, body, context), not {channel!r}.")
        if fmt not in ("text", "markdown"):
            raise ValueError(f"CampaignReportNotifier: fmt must be 'text' or 'markdown', not {fmt!r}.")
        self.task_id = task_id
        self.to = to
        self.from_email = from_email
        self.smtp_conn_id = smtp_conn_id
        self.subject = subject
        self.fmt = fmt
        self.approval_task_id = approval_task_id
        self.channel = channel

    def report(self, context: Mapping[str, Any]) -> tuple[str, str]:
        """(subject, body) of the report for this context."""
        ti = context.get("ti")
        result = None
        if ti is not None:
            result = ti.xcom_pull(task_ids=self.task_id) or ti.xcom_pull(task_ids=self.task_id, key=RESULT_KEY)
        exception = context.get("exception")
        error = f"{type(exception).__name__}: {exception}" if exception else None
        body = render_report(
            result if isinstance(result, Mapping) else None,
            self.fmt,
            run=run_of(context),
            approved_by=approver(context, self.approval_task_id),
            error=error,
        )
        subject = self.subject or f"[{run_of(context)['dag_id'] or 'campaigns'}] {body.splitlines()[0].lstrip('# ')}"
        if not self.subject and isinstance(result, Mapping) and isinstance(result.get("totals"), Mapping):
            totals = result["totals"]
            subject += f" ({totals.get('stopped', 0)} stopped, {totals.get('failed', 0)} failed)"
        return subject, body

    def notify(self, context: Any) -> None:
        """Render the report and send it through the channel."""
        subject, body = self.report(context)
        if not callable(self.channel) and not _recipients(self.to):
            self.log.warning("CampaignReportNotifier: no recipients (`to` rendered empty): the report was not sent.\n%s", body)
            return
        if callable(self.channel):
            self.channel(subject, body, context)
        else:
            smtp_channel(_recipients(self.to), self.from_email, self.smtp_conn_id)(subject, body, context)
