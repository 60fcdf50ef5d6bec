"""What a task leaves behind: its result in XCom and, in the task log, the report a person reads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_provider_campaigns.core.logs import Logger
from airflow_provider_campaigns.engine.results import FAILED, OUTCOMES, RESULT_KEY

#: rows of the report table written to the task log (all of them are in the result)
TABLE_ROWS = 500

def log_table(logger: Logger, value: Mapping[str, Any]) -> None:
    """A result as the report a person reads (:func:`~airflow_provider_campaigns.engine.report.render_report`), in the task log:
    failed targets, then failed campaigns first; up to :data:`TABLE_ROWS` campaigns per outcome (all are in the result).
    """
    from airflow_provider_campaigns.engine.report import render_report

    logger.info("Campaigns:\n%s", render_report(value, limit=TABLE_ROWS))


def totals_line(totals: Mapping[str, int]) -> str:
    """``1 stopped, 0 already final, 0 would stop, 2 failed (1 target, 1 campaign)``."""
    line = ", ".join(f"{totals[outcome]} {outcome.replace('_', ' ')}" for outcome in OUTCOMES)
    targets = totals.get("failed_targets", 0)
    if targets:
        line += f" ({targets} target(s) that selected nothing, {totals[FAILED] - targets} campaign(s))"
    return line


def log_table_if_changed(logger: Logger, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    """The table after a wait, unless the wait changed nothing the table above shows (then one line says so)."""
    shown = ("name", "outcome", "vendor_status", "error")
    if [[item[key] for key in shown] for item in before["campaigns"]] == [[item[key] for key in shown] for item in after["campaigns"]]:
        logger.info("Every campaign is as the table above shows (totals: %s).", totals_line(after["totals"]))
        return
    log_table(logger, after)


def push_result(context: Mapping[str, Any], value: dict[str, Any] | None, key: str = RESULT_KEY) -> None:
    """Push the result under ``key`` (:data:`RESULT_KEY`: read by a report when the task failed)."""
    ti = context.get("ti")
    if ti is not None:
        ti.xcom_push(key=key, value=value)


def pull_own(context: Mapping[str, Any], key: str) -> Any:
    """What this task instance pushed under ``key`` earlier (before a deferral), or ``None``."""
    ti = context["ti"]
    kwargs = {"map_indexes": ti.map_index} if getattr(ti, "map_index", -1) not in (-1, None) else {}
    return ti.xcom_pull(task_ids=ti.task_id, key=key, **kwargs)
