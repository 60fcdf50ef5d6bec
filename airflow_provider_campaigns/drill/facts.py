"""The fire drill's one table: each fact the client relies on, or ``docs/vendor-contracts.md`` marks as a
guess, and the read-only probe that tests it (or why none exists).

A fact's ``row`` is the start of its row (the "behaviour" cell) in ``docs/vendor-contracts.md``;
a test keeps every guess row of that page in this table. :func:`drill` runs one connection's facts
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
UNFALSIFIABLE = "the fields are undocumented and the client never reads that answer: no answer could contradict the guess"


@dataclass(frozen=True)
class Fact:
    """One fact: where it is written, what it says, and its probe (``None``: ``why_not``).

    :param key: stable id in results (``kore.list``).
    :param vendor: the vendor key (``kore``).
    :param claim: the fact in a few words.
    :param row: the start of its row in ``docs/vendor-contracts.md`` (``None``: not a row of that page).
    :param guess: whether that page marks it a guess.
    :param named: the page's row names this fact by ``key`` (its table has a fact column).
    """

    key: str
    vendor: str
    claim: str
    row: str | None = None
    guess: bool = False
    probe: Callable[[DrillContext], Verdict] | None = None
    why_not: str = ""
    named: bool = False

    @property
    def section(self) -> str:
        """Where the fact is written: ``docs/vendor-contracts.md``, section ``Kore.ai``."""
        return f"{DOC}, section {SECTIONS[self.vendor]!r}"


def _core(vendor: str, list_row: str | None) -> list[Fact]:
    """The three checks every connection gets: the calls the kill switch makes."""
    return [
        Fact(f"{vendor}.credentials", vendor, "the connection's credentials are accepted", probe=probes.credentials),
        Fact(
            f"{vendor}.list",
            vendor,
            "one list page reads as the client reads it, paging signals included",
            list_row,
            probe=probes.list_page,
        ),
        Fact(
            f"{vendor}.status",
            vendor,
            "one campaign's status reads where the client reads it, in a status it knows",
            probe=probes.status_read,
        ),
    ]


def _named(key: str, claim: str, probe: Callable[[DrillContext], Verdict] | None = None, why_not: str = "", guess: bool = True) -> Fact:
    """A fact of a table whose rows name their facts: ``key`` is the row's name."""
    return Fact(key, key.split(".", 1)[0], claim, None, guess, probe, why_not, named=True)


def _guess(key: str, vendor: str, row: str, claim: str, probe: Callable[[DrillContext], Verdict] | None = None, why_not: str = "") -> Fact:
    return Fact(key, vendor, claim, row, True, probe, why_not)


KORE_STATUSES = ("Ready", "Preparing", "Scheduled", "Rescheduled", "Active", "Paused", "Stopped", "Completed")
BSG_DATE = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
COMM_DATE = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"

FACTS: tuple[Fact, ...] = (
    *_core("bsg", 'list answer `{"data": [...], "meta"'),
    _guess(
        "bsg.bearer_header",
        "bsg",
        "the prose's `Bearer: <jwt>` header",
        "the `Bearer: <jwt>` header of the prose is refused",
        probe=probes.bsg_prose_header,
    ),
    _guess(
        "bsg.jwt_lifetime", "bsg", "JWT lifetime `bsg_jwt_ttl`", "the bearer is a JWT with a limited lifetime (exp)", probes.bsg_jwt_expiry
    ),
    _guess(
        "bsg.error_bodies",
        "bsg",
        '401 body `{"message": "Unauthenticated."}`',
        'a wrong bearer gets 401 {"message": "Unauthenticated."}',
        probes.unauthenticated(401, {"message": "Unauthenticated."}),
    ),
    _guess(
        "bsg.login_422", "bsg", "login without `api_key`", "a login without api_key is a validation 422", probe=probes.bsg_login_without_key
    ),
    _guess("bsg.put_on_sms", "bsg", "strict: `PUT` on an SMS campaign", "PUT on an SMS campaign is 405", why_not=NEEDS_A_STOP),
    _guess("bsg.stoppable", "bsg", "strict stoppable statuses", "the stoppable statuses of each channel", why_not=NEEDS_A_STOP),
    _guess("bsg.values", "bsg", '`currency` `"USD"`', "prices and statistics values", why_not=VALUES_VARY),
    _guess(
        "bsg.timestamps",
        "bsg",
        "timestamps `yyyy-mm-dd hh:mm:ss`",
        "timestamps are yyyy-mm-dd hh:mm:ss",
        probes.timestamps_match("created_at", BSG_DATE, "yyyy-mm-dd hh:mm:ss"),
    ),
    _guess("bsg.sort_date", "bsg", "`sort=date` orders by", "sort=date orders by created_at", probe=probes.bsg_sort_date),
    _guess(
        "bsg.taskname", "bsg", "`taskname` searches `name`", "search[field]=taskname searches the name", probe=probes.bsg_taskname_search
    ),
    _guess(
        "bsg.window_422",
        "bsg",
        "a violation answers the validation 422",
        "a window violation's 422 names filter.from/filter.to",
        probe=probes.bsg_window_422,
    ),
    _guess(
        "bsg.window_created_at",
        "bsg",
        "the window applies to `created_at`",
        "the list window applies to created_at",
        probes.window_applies_to("created_at"),
    ),
    _guess(
        "bsg.validation_422",
        "bsg",
        'validation 422 `{"message": "The given data was invalid."',
        "validation 422 field names and messages",
        probe=probes.bsg_validation_shape,
    ),
    _guess(
        "bsg.status_filter",
        "bsg",
        "strict: the undocumented `filter[status]`",
        "filter[status] is ignored",
        probe=probes.bsg_status_filter_ignored,
    ),
    *_core("cellcast", "paging answer `data.items`"),
    _guess(
        "cellcast.verify",
        "cellcast",
        "`GET /api/v1/user/token/verify` exists",
        "the token check exists and accepts the key",
        probes.credentials,
    ),
    _guess("cellcast.type_400", "cellcast", "missing or unknown `type`", "a cancel without a valid type is 400", why_not=NEEDS_A_STOP),
    _guess(
        "cellcast.not_pending",
        "cellcast",
        "cancelling a message no longer pending",
        "cancelling a done message answers status false",
        why_not=NEEDS_A_STOP,
    ),
    _guess(
        "cellcast.queued",
        "cellcast",
        "`queued` messages can be cancelled",
        "queued messages cancel like scheduled ones",
        why_not=NEEDS_A_STOP,
    ),
    _guess(
        "cellcast.other_type",
        "cellcast",
        "a `type` other than the message's",
        "a cancel with another type is 'message not found'",
        why_not=NEEDS_A_STOP,
    ),
    _guess(
        "cellcast.status_filter",
        "cellcast",
        "strict `status` filter",
        "the status filter takes only the documented enum",
        probe=probes.cellcast_status_filter("scheduled", accepted=False),
    ),
    _guess(
        "cellcast.misspelling",
        "cellcast",
        "`status=delievered` selects",
        "status=delievered selects delivered messages",
        probe=probes.cellcast_status_filter("delievered", accepted=True),
    ),
    _guess(
        "cellcast.paging_details",
        "cellcast",
        "`data.page`, `data.limit` echoed",
        "page and limit echoed, nextPage null on the last page",
        probes.next_page_null_on_last,
    ),
    _guess("cellcast.errors", "cellcast", "wrong method → 404", "a wrong method is 404; the 429 body", why_not=NOT_A_READ),
    *_core("comm", '`GET /api/v1/sms/campaigns` → `{"data": [campaign, ...]}`'),
    _guess(
        "comm.error_bodies",
        "comm",
        '401 `{"message": "Unauthenticated."}`',
        'a wrong token gets 401 {"message": "Unauthenticated."}',
        probes.unauthenticated(401, {"message": "Unauthenticated."}),
    ),
    _guess(
        "comm.statuses",
        "comm",
        "send statuses `pending, scheduled, in_progress`",
        "statuses are pending, scheduled, in_progress, stopped, completed, cancelled, failed",
        probes.statuses_within(("pending", "scheduled", "in_progress", "stopped", "completed", "cancelled", "failed")),
    ),
    _guess("comm.stop_final_422", "comm", "stopping a final send", "stopping a final send is 422", why_not=NEEDS_A_STOP),
    _guess(
        "comm.status_reason",
        "comm",
        "`status_reason` `null` while running",
        "status_reason and timestamps over a send's life",
        why_not=NEEDS_A_STOP,
    ),
    _guess(
        "comm.campaign_timestamps",
        "comm",
        "the campaign's `created_at`, `updated_at`",
        "campaigns carry created_at and updated_at",
        probes.rows_carry("created_at", "updated_at"),
    ),
    _guess(
        "comm.campaign_status",
        "comm",
        "a campaign's status: `in_progress` while",
        "a campaign is in_progress while any send runs",
        why_not=NOT_OBSERVABLE,
    ),
    _guess(
        "comm.paging",
        "comm",
        "list paging: Laravel's paginator",
        "the list pages like Laravel: links.next, meta.last_page, meta.total",
        probes.paging_keys("links.next", "meta.last_page", "meta.current_page", "meta.total"),
    ),
    _guess(
        "comm.timestamps",
        "comm",
        "timestamps ISO 8601 with microseconds",
        "timestamps are ISO 8601 with microseconds and Z",
        probes.timestamps_match("created_at", COMM_DATE, "ISO 8601 with microseconds and Z"),
    ),
    *_core("kore", None),
    # Kore.ai's rows name their facts (first column of its table): a fact's key is that name
    _named("kore.auth.jwt_exp_checked", "one JWT (one jti) serves several calls (exp: not probed)", probes.token_reused),
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
