"""Kill switch fired by a queue message (Airflow 3): an alert published to a queue stops campaigns, once.

The DAG is scheduled on an asset whose watcher, ``MessageQueueTrigger`` (provider
``apache-airflow-providers-common-messaging``), listens on a queue — here the Redis pub/sub channel
``campaigns-kill-switch`` of the connection ``campaigns_alerts_redis`` (provider
``apache-airflow-providers-redis``); SQS (``scheme="sqs"``) and Kafka (``scheme="kafka"``) plug in
the same way. Each message starts a run: ``accept_message`` verifies it and ``stop_campaigns``
stops what it names, then waits until every campaign is final, like ``campaigns_kill_switch``.

A message is JSON ``{"body": "<alert JSON text>", "signature": "sha256=<hex>"}``; the alert is
``{"idempotency_key": "...", "sent_at": "<ISO-8601>", "conf": {...}}`` where ``conf`` is exactly the
REST conf of ``campaigns_kill_switch``, and the signature is the HMAC-SHA256 of the body text with
the password of the connection ``campaigns_alerts_signing``
(``airflow_provider_campaigns.queue_messages.make_message`` builds one). A message that is not
that JSON, is not signed with that key, is older than 15 minutes or names no conf is rejected: the
run fails naming why and nothing is stopped. A message whose idempotency key was already handled
stops nothing again (the run is skipped).

The DAG starts paused: create the connections ``campaigns_alerts_redis`` and
``campaigns_alerts_signing``, then unpause it (a paused DAG's watcher does not run, so nothing is
consumed; Airflow starts the watcher at the next parse of this file after the unpause). Redis
pub/sub delivers only to a listening subscriber: publish until ``PUBLISH`` reports a receiver
(re-sending is safe, the idempotency key makes it a no-op). On Airflow 2.11, or without those two
providers, this file defines no DAG.
"""

from __future__ import annotations

from datetime import datetime

from airflow.providers.common.compat.sdk import DAG

from airflow_provider_campaigns.notifications.report import CampaignReportNotifier
from airflow_provider_campaigns.operators.kill_switch import CampaignKillSwitchOperator

try:
    import airflow.providers.redis.queues.redis  # noqa: F401  # the redis+pubsub back-end of MessageQueueTrigger
    from airflow.providers.common.messaging.triggers.msg_queue import MessageQueueTrigger
    from airflow.sdk import Asset, AssetWatcher, task
except ImportError:  # Airflow 2.11, or the messaging/Redis providers are not installed
    MessageQueueTrigger = None

CHANNEL = "campaigns-kill-switch"
REDIS_CONN_ID = "campaigns_alerts_redis"
SIGNING_CONN_ID = "campaigns_alerts_signing"

if MessageQueueTrigger is not None:
    alerts = Asset(
        "campaigns_kill_switch_alerts",
        watchers=[
            AssetWatcher(
                name="campaigns_kill_switch_redis",
                trigger=MessageQueueTrigger(scheme="redis+pubsub", channels=[CHANNEL], redis_conn_id=REDIS_CONN_ID, poll_interval=0.2),
            )
        ],
    )
    report = CampaignReportNotifier(task_id="stop_campaigns", to="{{ var.value.get('campaigns_report_to', '') }}")

    with DAG(
        dag_id="campaigns_kill_switch_queue",
        schedule=[alerts],
        start_date=datetime(2026, 1, 1),
        catchup=False,
        # Starts paused: unpause it once the two connections exist. A paused DAG's watcher does not run
        # (an unconfigured one would fail in the triggerer in a loop); while paused, messages are not consumed.
        is_paused_upon_creation=True,
        tags=["campaigns", "kill-switch"],
        doc_md=__doc__,
    ):

        @task(max_active_tis_per_dag=1, retries=0, on_failure_callback=report)  # one claim at a time: a key is claimed once
        def accept_message(**context: object) -> dict[str, object]:
            """Verify the run's queue message(s) and claim their idempotency keys; returns the targets to stop."""
            from airflow_provider_campaigns.queue_messages import accept_from_context

            return accept_from_context(context, SIGNING_CONN_ID)

        CampaignKillSwitchOperator(
            task_id="stop_campaigns",
            targets="{{ ti.xcom_pull(task_ids='accept_message') | tojson }}",
            wait_for_completion=True,
            deferrable=True,
            poll_interval=5,
            timeout=1800,
            on_success_callback=report,
            on_failure_callback=report,
        ).set_upstream(accept_message())
