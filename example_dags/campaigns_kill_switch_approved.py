"""Kill switch with a human in the loop (Airflow 3.3+): dry run, approval, then stop exactly the approved plan.

Trigger it with the same conf as ``campaigns_kill_switch``. ``plan`` reads every targeted campaign
and stops nothing; ``approve`` asks a person to approve the listed campaigns, in the UI (the run's
"Required actions") or over REST::

    PATCH /api/v2/dags/campaigns_kill_switch_approved/dagRuns/{run_id}/taskInstances/approve/-1/hitlDetails
    {"chosen_options": ["Approve"]}

``stop`` then stops exactly the campaigns of the plan — nothing selected since — and an empty plan
is a successful no-op. A rejection, or no answer within 30 minutes, skips the stop. To restrict who
may approve, give ``approve`` ``assigned_users=[{"id": "...", "name": "..."}]`` (Airflow's HITL users).

The approval's body is the dry run's report (``render_report``, Markdown); the stop's report, naming
who approved it, is mailed to the Variable ``campaigns_report_to`` like ``campaigns_kill_switch``'s.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.providers.common.compat.sdk import DAG

from airflow_provider_campaigns.engine.report import render_report
from airflow_provider_campaigns.notifications.report import CampaignReportNotifier
from airflow_provider_campaigns.operators.kill_switch import CampaignKillSwitchOperator

try:
    from airflow.providers.standard.operators.hitl import ApprovalOperator
except ImportError:  # Airflow 2.11 has no human-in-the-loop operators: this example is for Airflow 3.3+
    ApprovalOperator = None

if ApprovalOperator is not None:
    with DAG(
        dag_id="campaigns_kill_switch_approved",
        schedule=None,
        start_date=datetime(2026, 1, 1),
        catchup=False,
        is_paused_upon_creation=False,
        tags=["campaigns", "kill-switch"],
        doc_md=__doc__,
        user_defined_macros={"campaigns_report": render_report},
    ):
        plan = CampaignKillSwitchOperator(task_id="plan", targets="{{ dag_run.conf | tojson }}", dry_run=True)
        approve = ApprovalOperator(
            task_id="approve",
            response_timeout=timedelta(minutes=30),  # an approval is for now, not for whenever someone looks
            defaults="Reject",  # chosen when nobody answers in time: the stop is skipped
            subject="Stop {{ ti.xcom_pull(task_ids='plan')['totals']['would_stop'] }} campaign(s)?",
            body="{{ campaigns_report(ti.xcom_pull(task_ids='plan'), 'markdown', run=dag_run.dag_id ~ ' / ' ~ dag_run.run_id) }}",
        )
        report = CampaignReportNotifier(task_id="stop", approval_task_id="approve", to="{{ var.value.get('campaigns_report_to', '') }}")
        stop = CampaignKillSwitchOperator(
            task_id="stop",
            plan="{{ ti.xcom_pull(task_ids='plan') | tojson }}",
            on_success_callback=report,
            on_failure_callback=report,
        )
        plan >> approve >> stop
