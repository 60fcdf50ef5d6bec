"""Fire drill, every Tuesday: check, read-only, that each vendor still answers as the kill switch reads it.

For every connection named in ``conn_ids`` it checks the credentials, lists one page and the paging
signals the client relies on, reads one campaign's status where the client reads it, and probes each
guess of ``docs/vendor-contracts.md`` that a read can test. It stops nothing, ever. A fact the vendor
now contradicts fails the run at once, naming the fact and the documentation section; the result
(each fact: confirmed, contradicted or not probed, and why) is the task's XCom. Name every connection
your kill switch uses (edit the default below, or trigger with ``{"conn_ids": ["bsg_default"]}``);
see ``docs/guides/fire-drill.md``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.providers.common.compat.sdk import DAG, Param

from airflow_provider_campaigns.operators.drill import CampaignFireDrillOperator

with DAG(
    dag_id="campaigns_fire_drill",
    schedule="0 9 * * 2",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["campaigns", "fire-drill"],
    doc_md=__doc__,
    params={
        "conn_ids": Param(
            ["bsg_default", "cellcast_default", "comm_default", "kore_default"],
            type="array",
            items={"type": "string"},
            minItems=1,
            description="The connections to drill: every connection your kill switch uses.",
        ),
    },
):
    CampaignFireDrillOperator(
        task_id="fire_drill",
        conn_ids="{{ params.conn_ids | tojson }}",
        # a contradicted fact fails at once (no retries); retries only help a vendor that was unreachable
        retries=2,
        retry_delay=timedelta(minutes=10),
        execution_timeout=timedelta(minutes=15),
    )
