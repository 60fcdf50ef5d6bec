"""The fire drill's one table: each fact the client relies on, or ``docs/vendor-contracts.md`` marks as a
guess, and the read-only probe that tests it (or why none exists).

A fact's key is its name in ``docs/vendor-contracts.md`` (the first column of its row); a test keeps
every guess of that page in this table, and the page's ``probe:`` in step with the probe here. :func:`drill` runs one connection's facts
and returns JSON-safe results; nothing in it stops anything.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_provider_campaigns.drill import probes
from airflow_provider_campaigns.drill.probes import CONTRADICTED, NOT_PROBED, DrillContext, NotProbed, Verdict

if TYPE_CHECKING:
    from airflow_provider_campaigns.hooks.base import CampaignHook

log = logging.getLogger(__name__)

DOC = "docs/vendor-contracts.md"
SECTIONS = {"bsg": "BSG (One-API v2)", "cellcast": "Cellcast", "comm": "comm.com", "kore": "Kore.ai"}

#: why a guess has no read-only probe, in the words the results use
NEEDS_A_STOP = "only a stop (or cancel) would show it, and the drill stops nothing"
NEEDS_A_TRIGGER = "only a trigger (play or stop) would show it, and the drill triggers nothing"
NOT_OBSERVABLE = "comm.com lists no sends, so no answer shows how a campaign's status follows them"
VALUES_VARY = "the values are the simulator's choice; a vendor's own differ by campaign, so no answer contradicts them"
NOT_A_READ = "a wrong method would be a write to the vendor, and a 429 cannot be provoked without flooding it"
FLOODING = "a 429 cannot be provoked without flooding the vendor with calls"
MEANING = "what a status or a count means for sending is not in any answer"
UNFALSIFIABLE = "the fields are undocumented and the client never reads that answer: no answer could contradict the guess"
UNREAD_ENVELOPE = "the client reads no envelope key beyond status, message, data and error: no answer could contradict the guess"


@dataclass(frozen=True)
class Fact:
    """One fact: where it is written, what it says, and its probe (``None``: ``why_not``).

    :param key: the fact's name: the first column of its row in ``docs/vendor-contracts.md``
        (``kore.list.skip_wins``), or ``<vendor>.credentials``/``.list``/``.status`` for the core checks.
    :param vendor: the vendor key (``kore``).
    :param claim: the fact in a few words.
    :param guess: whether that page marks it a guess.
    :param named: whether a row of that page names it (the core checks are the client's own reads).
    """

    key: str
    vendor: str
    claim: str
    guess: bool = False
    probe: Callable[[DrillContext], Verdict] | None = None
    why_not: str = ""
    named: bool = False

    @property
    def section(self) -> str:
        """Where the fact is written: ``docs/vendor-contracts.md``, section ``Kore.ai``."""
        return f"{DOC}, section {SECTIONS[self.vendor]!r}"


def _core(vendor: str) -> list[Fact]:
    """The three checks every connection gets: the calls the kill switch makes (no row of the page: code, not a claim)."""
    return [
        Fact(f"{vendor}.credentials", vendor, "the connection's credentials are accepted", probe=probes.credentials),
        Fact(f"{vendor}.list", vendor, "one list page reads as the client reads it, paging signals included", probe=probes.list_page),
        Fact(
            f"{vendor}.status",
            vendor,
            "one campaign's status reads where the client reads it, in a status it knows",
            probe=probes.status_read,
        ),
    ]


def _named(key: str, claim: str, probe: Callable[[DrillContext], Verdict] | None = None, why_not: str = "", guess: bool = True) -> Fact:
    """A fact of a table whose rows name their facts: ``key`` is the row's name."""
    return Fact(key, key.split(".", 1)[0], claim, guess, probe, why_not, named=True)


KORE_STATUSES = ("Ready", "Preparing", "Scheduled", "Rescheduled", "Active", "Paused", "Stopped", "Completed")
UNAUTHENTICATED = {"message": "Unauthenticated."}
COMM_STATUSES = ("pending", "scheduled", "in_progress", "stopped", "completed", "cancelled", "failed")
BSG_DATE = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
COMM_DATE = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"

FACTS: tuple[Fact, ...] = (
    *_core("bsg"),
    _named("bsg.auth.prose_bearer_colon", "a valid JWT sent as 'Bearer: <jwt>' is refused", probes.bsg_prose_header),
    _named("bsg.auth.jwt_lifetime", "the bearer is a JWT with a limited lifetime (exp)", probes.bsg_jwt_expiry),
    _named(
        "bsg.errors.401_404_bodies", 'a wrong bearer gets 401 {"message": "Unauthenticated."}', probes.unauthenticated(401, UNAUTHENTICATED)
    ),
    _named("bsg.auth.login_validation", "a login without api_key is a validation 422", probes.bsg_login_without_key),
    _named("bsg.stop.method_mismatch_405", "PUT on an SMS campaign is 405", why_not=NEEDS_A_STOP),
    _named("bsg.stop.stoppable_statuses", "the stoppable statuses of each channel", why_not=NEEDS_A_STOP),
    _named("bsg.sim.statistics_values", "prices and statistics values", why_not=VALUES_VARY),
    _named(
        "bsg.timestamps.format",
        "timestamps are yyyy-mm-dd hh:mm:ss",
        probes.timestamps_match("created_at", BSG_DATE, "yyyy-mm-dd hh:mm:ss"),
    ),
    _named("bsg.list.sort_date_created", "sort=date orders by created_at", probes.bsg_sort_date),
    _named("bsg.list.search_semantics", "search[field]=taskname finds a part of the name, any case", probes.bsg_taskname_search),
    _named("bsg.list.window_422", "a window over 3 months is a 422 naming filter.from/filter.to", probes.bsg_window_422),
    _named("bsg.list.window_field", "the list window applies to created_at", probes.window_applies_to("created_at")),
    _named("bsg.errors.validation_422", "a validation 422 is {message, errors: {field: [messages]}}", probes.bsg_validation_shape),
    _named("bsg.list.status_filter_ignored", "filter[status] is ignored", probes.bsg_status_filter_ignored),
    _named("bsg.list.date_form", "the list takes dates as yyyy-mm-dd hh:mm:ss", probes.list_page),
    _named("bsg.stop.duplicate_then_read", "a 429 on a stop is the duplicate-request detector", why_not=NEEDS_A_STOP),
    *_core("cellcast"),
    _named("cellcast.answer.envelope", "status: false answers carry the whole app envelope", why_not=UNREAD_ENVELOPE),
    _named("cellcast.auth.verify", "the token check exists and accepts the key", probes.credentials),
    _named("cellcast.cancel.type_400", "a cancel without a valid type is 400", why_not=NEEDS_A_STOP),
    _named("cellcast.cancel.not_pending", "cancelling a done message answers status false", why_not=NEEDS_A_STOP),
    _named("cellcast.cancel.queued", "queued messages cancel like scheduled ones", why_not=NEEDS_A_STOP),
    _named("cellcast.cancel.type_mismatch", "a cancel with another type is 'message not found'", why_not=NEEDS_A_STOP),
    _named(
        "cellcast.list.status_filter",
        "the status filter refuses a value outside the enum",
        probes.cellcast_status_filter("scheduled", accepted=False),
    ),
    _named(
        "cellcast.list.delievered_spelling",
        "status=delievered selects delivered messages",
        probes.cellcast_status_filter("delievered", accepted=True),
    ),
    _named("cellcast.list.paging_details", "page and limit echoed, nextPage null on the last page", probes.next_page_null_on_last),
    _named("cellcast.errors.routes_429", "a wrong method is 404; the 429 body", why_not=NOT_A_READ),
    _named("cellcast.errors.rate_limit_body", "a 429 carries the legacy API's OVER_LIMIT envelope", why_not=FLOODING),
    *_core("comm"),
    _named("comm.errors.bodies", 'a wrong token gets 401 {"message": "Unauthenticated."}', probes.unauthenticated(401, UNAUTHENTICATED)),
    _named(
        "comm.status.values",
        "statuses are pending, scheduled, in_progress, stopped, completed, cancelled, failed",
        probes.statuses_within(COMM_STATUSES),
    ),
    _named("comm.stop.refusal_422", "stopping a final send is 422", why_not=NEEDS_A_STOP),
    _named("comm.status.reason", "status_reason and timestamps over a send's life", why_not=NEEDS_A_STOP),
    _named("comm.campaign.timestamps", "campaigns carry created_at and updated_at", probes.rows_carry("created_at", "updated_at")),
    _named("comm.campaign.id_name", "listed campaigns carry id and name", probes.rows_carry("id", "name")),
    _named("comm.campaign.status_rule", "a campaign is in_progress while any send runs", why_not=NOT_OBSERVABLE),
    _named(
        "comm.list.paging",
        "the list pages like Laravel: links.next, meta.last_page, meta.total",
        probes.paging_keys("links.next", "meta.last_page", "meta.current_page", "meta.total"),
    ),
    _named(
        "comm.errors.timestamps_429",
        "timestamps are ISO 8601 with microseconds and Z",
        probes.timestamps_match("created_at", COMM_DATE, "ISO 8601 with microseconds and Z"),
    ),
    *_core("kore"),
    _named("kore.auth.jwt_exp_checked", "one JWT (one jti) serves several calls (exp: not probed)", probes.token_reused),
    _named(
        "kore.auth.bad_jwt_401",
        'a wrong JWT gets 401 {"msg": "Invalid SDK credentials", "code": 4002}',
        probes.unauthenticated(401, {"msg": "Invalid SDK credentials", "code": 4002}),
    ),
    _named("kore.auth.scope_errors", "a valid JWT with a wrong account id is 401 code 4002", probes.kore_wrong_account),
    _named("kore.stop.siblings", "the single-slash SMS stop path is 404", why_not=NEEDS_A_TRIGGER),
    _named("kore.trigger.play", "trigger=play activates a campaign", why_not=NEEDS_A_TRIGGER),
    _named("kore.stop.refusal", "stopping a final campaign is a 400 refusal", why_not=NEEDS_A_TRIGGER),
    _named("kore.status.values", "every listed status is a documented one", probes.statuses_within(KORE_STATUSES)),
    _named("kore.campaign.get", "the full campaign's extra fields", why_not=UNFALSIFIABLE),
    _named("kore.ids.shape", "campaign ids start with cd-", probes.ids_start_with("cd-"), guess=False),
    _named(
        "kore.list.type_required",
        "a list body without type is refused",
        probes.list_body_variant(lambda body: {k: v for k, v in body.items() if k != "type"}, probes.refused("a list body without type")),
    ),
    _named(
        "kore.list.skip_wins",
        "skip wins over page",
        probes.list_body_variant(
            lambda body: {**body, "limit": 1, "skip": 1, "page": 1}, probes.echoes("skip", lambda v: v == 1, "limit 1, skip 1, page 1")
        ),
    ),
    _named("kore.list.sort_created_asc", "the client's list comes oldest createdAt first", probes.ascending("createdAt")),
    _named(
        "kore.list.status_filter",
        "an undocumented status spelling is refused",
        probes.list_body_variant(lambda body: {**body, "filters": {"status": ["active"]}}, probes.refused("filters.status ['active']")),
    ),
    _named("kore.list.has_more", "data.hasMore is a boolean, data.totalResults an integer", probes.kore_paging_signals, guess=False),
    _named(
        "kore.list.limits",
        "limit 100 is accepted",
        probes.list_body_variant(
            lambda body: {**body, "limit": 100, "skip": 0, "page": 1},
            probes.echoes("limit", lambda v: isinstance(v, int) and not isinstance(v, bool) and v <= 100, "limit 100"),
        ),
    ),
    _named("kore.errors.rate_limit", "a 429 carries the rate-limit text", why_not=FLOODING),
    _named("kore.rate_limit.default", "the campaign API keeps the platform's 60 calls a minute per bot", why_not=FLOODING),
    _named("kore.order.list_fields", "a Preparing campaign is about to send (the order of stops)", why_not=MEANING),
    _named("comm.order.progress", "in_progress sends now, scheduled/pending start soon, start_timestamp is epoch seconds", why_not=MEANING),
    _named("cellcast.order.queued_now", "a queued message goes out now, before any scheduled one (the order of cancels)", why_not=MEANING),
)


def facts_of(vendor: str) -> list[Fact]:
    """The facts a connection of ``vendor`` is drilled on, in order (the core checks first)."""
    return [fact for fact in FACTS if fact.vendor == vendor]


def drill(vendor: str, hook: CampaignHook[Any]) -> list[dict[str, Any]]:
    """Every fact of one connection: ``{"fact", "claim", "doc", "guess", "outcome", "detail", "error"}``.

    ``error`` is ``True`` when a probe could not reach a verdict because a request failed for another
    reason than the answer's shape (the vendor unreachable, the credentials refused): the drill
    cannot vouch for that connection.
    """
    ctx = DrillContext(vendor, hook)
    return [_judge(fact, ctx) for fact in facts_of(vendor)]


def _judge(fact: Fact, ctx: DrillContext) -> dict[str, Any]:
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
        "doc": fact.section,
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
