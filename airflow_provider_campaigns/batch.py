"""Stopping many campaigns in one task: bounded concurrency, every campaign attempted, one report."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airflow_provider_campaigns.exceptions import CampaignProviderError, PermanentError, TransientError
from airflow_provider_campaigns.vendors.base import ALREADY_FINAL, STOPPED, CampaignRef, StopOutcome

if TYPE_CHECKING:
    from airflow_provider_campaigns.hooks.base import CampaignHook

FAILED = "failed"
PROGRESS_EVERY = 5.0


@dataclass
class BatchReport:
    """Each campaign's outcome, in input order, plus totals."""

    vendor: str
    entries: list[dict[str, Any]] = field(default_factory=list)
    errors: list[CampaignProviderError] = field(default_factory=list)

    @property
    def failed_ids(self) -> list[str]:
        """Ids whose stop failed."""
        return [e["campaign_id"] for e in self.entries if e["outcome"] == FAILED]

    def totals(self) -> dict[str, int]:
        """``requested``, ``stopped``, ``already_final``, ``failed``."""
        counts = {STOPPED: 0, ALREADY_FINAL: 0, FAILED: 0}
        for entry in self.entries:
            counts[entry["outcome"]] += 1
        return {"requested": len(self.entries), **counts}

    def failure(self) -> CampaignProviderError | None:
        """The error to fail the task with: the campaign's own for one, a summary for several.

        The summary is transient (Airflow may retry: stops are idempotent) when any failure was.
        """
        if not self.errors:
            return None
        if len(self.entries) == 1:
            return self.errors[0]
        transient = any(not isinstance(error, PermanentError) for error in self.errors)
        cls = TransientError if transient else PermanentError
        return cls(
            f"{self.vendor}: {len(self.errors)} of {len(self.entries)} stop(s) failed: {', '.join(self.failed_ids[:20])}"
            f"{' ...' if len(self.errors) > 20 else ''}. Every other campaign was attempted; the first error: "
            f"{self.errors[0]} See the task log and XCom for each outcome.",
            vendor=self.vendor,
        )

    def as_dict(self) -> dict[str, Any]:
        """The JSON-safe batch result for XCom."""
        return {"vendor": self.vendor, "campaigns": self.entries, "totals": self.totals(), "failed_ids": self.failed_ids}


def stop_all(
    hook: CampaignHook,
    refs: Sequence[CampaignRef],
    fail_if_already_final: bool = False,
    max_concurrency: int = 32,
    log: Any = None,
) -> BatchReport:
    """Stop every campaign in ``refs`` through one hook; a failure never prevents the others."""
    log = log or logging.getLogger(__name__)
    vendor = hook.vendor_name
    results: list[dict[str, Any] | None] = [None] * len(refs)
    started = last_report = time.monotonic()

    errors: list[CampaignProviderError] = []

    def one(ref: CampaignRef) -> dict[str, Any]:
        try:
            outcome: StopOutcome = hook.stop(ref, fail_if_already_final)
            return outcome.as_dict()
        except CampaignProviderError as error:
            errors.append(error)
            return {"vendor": vendor, "campaign_id": hook.api.label(ref), "outcome": FAILED, "error": str(error)}
        except Exception as error:  # noqa: BLE001 - one campaign's surprise must not lose the whole report
            label = hook.api.label(ref)
            message = f"{vendor}: unexpected {type(error).__name__} stopping {label}: {error}"
            errors.append(TransientError(message, vendor=vendor, campaign_id=label))
            return {"vendor": vendor, "campaign_id": label, "outcome": FAILED, "error": f"{type(error).__name__}: {error}"}

    workers = max(1, min(max_concurrency, len(refs)))
    if workers == 1:  # one campaign (or no concurrency): no thread pool to start
        entries = [one(ref) for ref in refs]
        log.info("%s: %d/%d campaigns done.", vendor, len(entries), len(refs))
        return BatchReport(vendor, entries, errors)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"{hook.vendor_key}-stop") as pool:
        futures = {pool.submit(one, ref): index for index, ref in enumerate(refs)}
        for done_count, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            now = time.monotonic()
            if now - last_report >= PROGRESS_EVERY or done_count == len(refs):
                last_report = now
                rate = done_count / max(now - started, 1e-9)
                log.info("%s: %d/%d campaigns done (%.0f/s).", vendor, done_count, len(refs), rate)
    return BatchReport(vendor, [entry for entry in results if entry is not None], errors)
