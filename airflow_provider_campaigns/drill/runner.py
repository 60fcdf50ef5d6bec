"""Run the fire drill on one connection: its vendor's facts, found through the registry, each judged by its probe.

:func:`drill` returns JSON-safe results; nothing in it stops anything.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from airflow_provider_campaigns import registry
from airflow_provider_campaigns.drill.context import DrillContext
from airflow_provider_campaigns.drill.facts import Fact, core_facts
from airflow_provider_campaigns.drill.verdicts import CONTRADICTED, NOT_PROBED, NotProbed, Verdict

if TYPE_CHECKING:
    from airflow_provider_campaigns.hooks.base import CampaignHook

log = logging.getLogger(__name__)

DOC = "docs/vendor-contracts.md"


def facts_of(vendor: str) -> list[Fact]:
    """The facts a connection of ``vendor`` is drilled on, in order: the core checks, then its facts module's ``DRILL_FACTS``."""
    declared: tuple[Fact, ...] = getattr(registry.vendor(vendor).facts(), "DRILL_FACTS", ())
    return [*core_facts(vendor), *declared]


def all_facts() -> list[Fact]:
    """Every registered vendor's facts, in registry order."""
    return [fact for key in registry.vendor_keys() for fact in facts_of(key)]


def sections() -> dict[str, str]:
    """Per vendor key, the title of its section of ``docs/vendor-contracts.md`` (from its registry entry)."""
    return {entry.key: entry.contracts_section for entry in registry.entries()}


def drill(vendor: str, hook: CampaignHook[Any]) -> list[dict[str, Any]]:
    """Every fact of one connection: ``{"fact", "claim", "doc", "guess", "outcome", "detail", "error"}``.

    ``error`` is ``True`` when a probe could not reach a verdict because a request failed for another
    reason than the answer's shape (the vendor unreachable, the credentials refused): the drill
    cannot vouch for that connection.
    """
    entry = registry.vendor(vendor)
    ctx = DrillContext(entry, hook)
    doc = f"{DOC}, section {entry.contracts_section!r}"
    return [_judge(fact, ctx, doc) for fact in facts_of(vendor)]


def _judge(fact: Fact, ctx: DrillContext, doc: str) -> dict[str, Any]:
    from airflow_provider_campaigns.exceptions import AuthenticationError, CampaignProviderError

    error = False
    if fact.probe is None:
        verdict = Verdict(NOT_PROBED, fact.why_not)
    else:
        try:
            verdict = fact.probe(ctx)
        except NotProbed as skipped:
            verdict = Verdict(NOT_PROBED, str(skipped))
        except CampaignProviderError as failed:
            if is_contract_error(failed) or (isinstance(failed, AuthenticationError) and fact.key.endswith(".credentials")):
                verdict = Verdict(CONTRADICTED, str(failed))
            else:
                verdict, error = Verdict(NOT_PROBED, f"the probe failed: {failed}"), True
    result = {
        "fact": fact.key,
        "claim": fact.claim,
        "doc": doc,
        "guess": fact.guess,
        "outcome": verdict.outcome,
        "detail": verdict.detail,
        "error": error,
    }
    log.log(logging.ERROR if verdict.outcome == CONTRADICTED else logging.INFO, "%s: %s — %s", fact.key, verdict.outcome, verdict.detail)
    return result


def is_contract_error(error: Exception) -> bool:
    """A 2xx answer lacking what the vendor documents (the client's ``ContractError``, or an unreadable 2xx body)."""
    from airflow_provider_campaigns import exceptions

    contract = getattr(exceptions, "ContractError", None)
    if contract is not None and isinstance(error, contract):
        return True
    status = getattr(error, "http_status", None)
    return isinstance(error, exceptions.ResponseFormatError) and isinstance(status, int) and 200 <= status < 300
