"""Kill switch: stop campaigns at every vendor, now, in one DAG run.

Trigger it from the UI, the CLI or the REST API with a conf naming what to stop per vendor
(vendors left out are skipped)::

    {
      "bsg":      {"campaign_ids": [1001, 1002], "channel": "sms"}        # or {"all_active": true, "name_contains": "promo"}
      "cellcast": {"message_ids": ["675161d8a000000000000000"]}           # or {"custom_string": "promo-2026-11"}
      "comm":     {"campaign_sends": [["<campaign uuid>", "<send uuid>"]]}
      "kore":     {"campaign_ids": ["cmp-1"], "stream_id": "st-..."}      # or {"all_active": true}
    }

Add ``"dry_run": true`` to a vendor's entry to list what would be stopped. Each vendor is one
task (one login, concurrent stops); ``report`` prints one table of outcomes, returns it as XCom,
and fails the run if any campaign could not be stopped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.providers.common.compat.sdk import DAG, task

from airflow_provider_campaigns.operators.bsg import BsgStopCampaignOperator
from airflow_provider_campaigns.operators.cellcast import CellcastStopCampaignOperator
from airflow_provider_campaigns.operators.comm import CommStopCampaignOperator
from airflow_provider_campaigns.operators.kore import KoreStopCampaignOperator

#: What each vendor's conf entry may contain (anything else fails the plan before any request).
ALLOWED = {
    "bsg": {"campaign_ids", "channel", "all_active", "name_contains", "date_from", "date_to", "dry_run"},
    "cellcast": {"message_ids", "custom_string", "message_type", "dry_run"},
    "comm": {"campaign_sends", "all_active", "name_contains", "dry_run"},
    "kore": {"campaign_ids", "stream_id", "all_active", "name_contains", "dry_run"},
}
OPERATORS = {
    "bsg": BsgStopCampaignOperator,
    "cellcast": CellcastStopCampaignOperator,
    "comm": CommStopCampaignOperator,
    "kore": KoreStopCampaignOperator,
}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, dict):
        return [value]
    return [item for item in value if item is not None]


def _rows_of(result: dict[str, Any]) -> list[dict[str, Any]]:
    entries = result.get("campaigns")
    if entries is None:
        entries = (
            [result]
            if "campaign_id" in result
            else [{"vendor": result.get("vendor"), "campaign_id": c, "outcome": "would_stop"} for c in result.get("would_stop", [])]
        )
    return [
        {
            "vendor": str(e.get("vendor")),
            "campaign_id": str(e.get("campaign_id")),
            "outcome": str(e.get("outcome")),
            "vendor_status": e.get("vendor_status"),
            "error": str(e.get("error") or ""),
        }
        for e in entries
    ]


with DAG(
    dag_id="campaigns_kill_switch",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    is_paused_upon_creation=False,  # an alerting system's REST trigger must run at once, on a fresh deployment too
    tags=["campaigns", "kill-switch"],
    doc_md=__doc__,
    params={vendor: None for vendor in ALLOWED},  # documents the conf keys in the trigger form
):

    @task
    def plan(vendor: str, dag_run: Any = None) -> list[dict[str, Any]]:
        """The stop operator's kwargs for this vendor: one entry, or none (the task is skipped)."""
        entry = (dag_run.conf or {}).get(vendor)
        if not entry:
            return []
        unknown = set(entry) - ALLOWED[vendor]
        if unknown:
            raise ValueError(f"kill switch conf for {vendor!r}: unknown keys {sorted(unknown)}; allowed: {sorted(ALLOWED[vendor])}")
        if "campaign_sends" in entry:
            entry = {**entry, "campaign_sends": [tuple(pair) for pair in entry["campaign_sends"]]}
        return [entry]

    stops = [
        operator.partial(task_id=f"stop_{vendor}", retries=2).expand_kwargs(
            plan.override(task_id=f"plan_{vendor}")(vendor)
        )
        for vendor, operator in OPERATORS.items()
    ]

    @task(trigger_rule="all_done")
    def report(ti: Any = None) -> dict[str, Any]:
        """One table of every campaign's outcome, in the log and as XCom; fails if any stop failed."""
        rows: list[dict[str, Any]] = []
        for vendor in OPERATORS:
            task_id = f"stop_{vendor}"
            results = _as_list(ti.xcom_pull(task_ids=task_id)) or _as_list(ti.xcom_pull(task_ids=task_id, key="stop_result"))
            for result in results:
                rows.extend(_rows_of(result))
        lines = [f"{'vendor':<10} {'campaign':<76} {'outcome':<14} {'vendor status':<14} error"]
        lines += [
            f"{r['vendor']:<10} {r['campaign_id']:<76} {r['outcome']:<14} {r['vendor_status'] or '':<14} {r['error'][:120]}" for r in rows
        ]
        print("\n".join(lines))
        totals: dict[str, int] = {}
        for row in rows:
            totals[row["outcome"]] = totals.get(row["outcome"], 0) + 1
        failed = [f"{r['vendor']}:{r['campaign_id']}" for r in rows if r["outcome"] == "failed"]
        if failed:
            raise RuntimeError(f"kill switch: {len(failed)} campaign(s) not stopped: {', '.join(failed[:20])}")
        return {"campaigns": rows, "totals": totals}

    stops >> report()
