"""One report a person reads, rendered from a result: the task log, an approval's body and a notifier use it.

:func:`render_report` turns the one result shape (:mod:`~airflow_provider_campaigns.engine.results`) into
plain text or Markdown: a title with the run, who approved it (when someone did), the totals, then
the campaigns grouped by outcome — **failed first** (failed targets, then failed campaigns), then
stopped, would stop (a dry run), already final. Every campaign of the result is listed unless a
``limit`` is given (the task log caps its table; the result always has them all).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow_provider_campaigns.engine.eta import describe_part
from airflow_provider_campaigns.engine.results import ALREADY_FINAL, FAILED, STOPPED, WOULD_STOP

FORMATS = ("text", "markdown")
#: section order: what needs a person's attention first
SECTIONS = (
    (FAILED, "Failed campaigns"),
    (STOPPED, "Stopped"),
    (WOULD_STOP, "Would stop (dry run: nothing was stopped)"),
    (ALREADY_FINAL, "Already final (nothing to stop)"),
)
TOTAL_NAMES = (
    ("failed", "failed"),
    ("failed_targets", "of them failed targets"),
    ("stopped", "stopped"),
    ("would_stop", "would stop"),
    ("already_final", "already final"),
)
CAMPAIGN_COLUMNS = ("vendor", "connection", "campaign", "name", "vendor status", "error")
TARGET_COLUMNS = ("vendor", "connection", "target", "asked", "error")


def _run_label(run: str | Mapping[str, Any] | None) -> str | None:
    """``dag_id / run_id`` (and the URL) of a run given as text or as a mapping of those keys."""
    if run is None or isinstance(run, str):
        return run or None
    parts = [str(run[key]) for key in ("dag_id", "run_id") if run.get(key)]
    label = " / ".join(parts) or None
    if run.get("url"):
        label = f"{label} ({run['url']})" if label else str(run["url"])
    return label


def _totals(result: Mapping[str, Any]) -> dict[str, int]:
    """The result's totals; counted from the entries when a (partial) result lacks them."""
    campaigns = result.get("campaigns") or []
    targets = result.get("failed_targets") or []
    given = dict(result.get("totals") or {})
    counted = {outcome: sum(1 for c in campaigns if c.get("outcome") == outcome) for outcome, _ in SECTIONS}
    counted[FAILED] += len(targets)
    totals = {key: int(given.get(key, counted.get(key, 0)) or 0) for key, _ in TOTAL_NAMES if key != "failed_targets"}
    totals["failed_targets"] = int(given.get("failed_targets", len(targets)) or 0)
    return totals


def _totals_line(totals: Mapping[str, int], dry_run: bool) -> str:
    shown = []
    for key, name in TOTAL_NAMES:
        if key == "failed_targets":
            continue
        if key == "would_stop" and not dry_run and not totals.get(key):
            continue
        text = f"{totals.get(key, 0)} {name}"
        if key == "failed" and totals.get("failed_targets"):
            targets = totals["failed_targets"]
            text += f" ({targets} target(s) that selected nothing, {totals.get(key, 0) - targets} campaign(s))"
        shown.append(text)
    return ", ".join(shown)


def _campaign_row(item: Mapping[str, Any]) -> list[str]:
    return [
        str(item.get("vendor") or ""),
        str(item.get("conn_id") or ""),
        str(item.get("campaign_id") or ""),
        str(item.get("name") or ""),
        str(item.get("vendor_status") or ""),
        str(item.get("error") or ""),
    ]


def _target_row(item: Mapping[str, Any]) -> list[str]:
    asked = item.get("asked")
    asked_text = ", ".join(f"{k}={v}" for k, v in asked.items()) if isinstance(asked, Mapping) else str(asked or "")
    return [
        str(item.get("vendor") or ""),
        str(item.get("conn_id") or ""),
        str(item.get("target") or ""),
        asked_text,
        str(item.get("error") or ""),
    ]


def _text_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Aligned columns; the last column is not padded and long cells are cut at 120 characters."""
    cut = [[cell if len(cell) <= 120 else cell[:117] + "..." for cell in row] for row in rows]
    widths = [max([len(columns[i])] + [len(row[i]) for row in cut]) for i in range(len(columns) - 1)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join([*(cell.ljust(w) for cell, w in zip(cells, widths, strict=False)), cells[-1]]).rstrip()

    return [line(columns), line(["-" * w for w in widths] + ["-" * len(columns[-1])]), *(line(row) for row in cut)]


def _md_cell(cell: str) -> str:
    return cell.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("`", "\\`") or " "


def _md_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return [
        "| " + " | ".join(columns) + " |",
        "|" + "|".join("---" for _ in columns) + "|",
        *("| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in rows),
    ]


def render_report(
    result: Mapping[str, Any] | None,
    fmt: str = "text",
    run: str | Mapping[str, Any] | None = None,
    approved_by: str | None = None,
    *,
    limit: int | None = None,
    error: str | None = None,
) -> str:
    """The result as a report a person reads, in ``fmt`` ``"text"`` or ``"markdown"``.

    :param result: a stop task's result (``None`` when the task failed before it had one: the report says so).
    :param run: the run, as text or as a mapping with ``dag_id``, ``run_id`` and optionally ``url``.
    :param approved_by: who approved the stop, when a person did.
    :param limit: list at most this many campaigns per section (the rest are counted; default: all).
    :param error: why the task failed, shown under the title (e.g. the exception of a failure callback).
    """
    if fmt not in FORMATS:
        raise ValueError(f"render_report: fmt must be one of {', '.join(FORMATS)}, not {fmt!r}.")
    markdown = fmt == "markdown"
    result = result or {}
    dry_run = bool(result.get("dry_run"))
    campaigns: list[Mapping[str, Any]] = list(result.get("campaigns") or [])
    targets: list[Mapping[str, Any]] = list(result.get("failed_targets") or [])
    totals = _totals(result)
    failed = totals["failed"] > 0 or bool(error)

    title = "Campaigns dry run" if dry_run else "Campaigns stop report"
    title += ": FAILED" if failed else (": nothing stopped" if not dry_run and not totals["stopped"] else ": OK")
    lines = [f"# {title}", ""] if markdown else [title, "=" * len(title)]
    facts = []
    label = _run_label(run)
    if label:
        facts.append(("Run", label))
    if approved_by:
        facts.append(("Approved by", approved_by))
    facts.append(("Totals", _totals_line(totals, dry_run)))
    eta = result.get("eta")
    if isinstance(eta, Mapping) and eta.get("parts"):
        when = f"{eta.get('last_stop_at')} if it started at {eta.get('as_of')}"
        facts.append(("ETA", f"the last stop about {eta.get('seconds', 0):g} s after the stop starts ({when})"))
        facts.extend(("Plan", describe_part(part)) for part in eta["parts"])
    if error:
        facts.append(("Error", error))
    if not result:
        facts.append(("Result", "none: the task failed before it had a result (see the task log)"))
    for name, value in facts:
        lines.append(f"- **{name}:** {_md_cell(value)}" if markdown else f"{name}: {value}")

    def section(heading: str, columns: Sequence[str], rows: list[list[str]]) -> None:
        if all(not row[-1] for row in rows):  # no errors in this section: no error column
            columns, rows = columns[:-1], [row[:-1] for row in rows]
        shown = rows if limit is None else rows[:limit]
        lines.append("")
        lines.extend([f"## {heading} ({len(rows)})", ""] if markdown else [f"{heading} ({len(rows)})"])
        lines.extend(_md_table(columns, shown) if markdown else _text_table(columns, shown))
        if len(shown) < len(rows):
            lines.append(f"... and {len(rows) - len(shown)} more (every campaign is in the task's result).")

    if targets:
        section("Failed targets: nothing selected, nothing stopped", TARGET_COLUMNS, [_target_row(t) for t in targets])
    for outcome, heading in SECTIONS:
        rows = [_campaign_row(c) for c in campaigns if c.get("outcome") == outcome]
        if rows:
            section(heading, CAMPAIGN_COLUMNS, rows)
    if not campaigns and not targets and result:
        lines.extend(["", "No campaign matched: nothing to stop."])
    return "\n".join(lines) + "\n"
