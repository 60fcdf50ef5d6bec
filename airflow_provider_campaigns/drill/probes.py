"""The drill's probes: read-only calls built by the vendor modules, answers read by their own parsers.

A probe takes a :class:`DrillContext` (one connection's hook) and returns a :class:`Verdict`. The
core probes (credentials, one list page, one status read) are exactly the calls the kill switch
makes; the other probes look at the same answers (or send one more read) to test a guess of
``docs/vendor-contracts.md``. A probe never sends a stop, a cancel or a trigger.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from airflow_provider_campaigns.core.wire import ApiRequest, Reply
    from airflow_provider_campaigns.hooks.base import CampaignHook
    from airflow_provider_campaigns.protocol.flows import Page
    from airflow_provider_campaigns.status import CampaignStatus

T = TypeVar("T")
U = TypeVar("U")

CONFIRMED = "confirmed"
CONTRADICTED = "contradicted"
NOT_PROBED = "not probed"
#: an unauthenticated read sends this instead of the connection's credentials
WRONG_CREDENTIAL = "fire-drill-deliberately-wrong-credential"


@dataclass(frozen=True)
class Verdict:
    """What a probe found: ``confirmed``, ``contradicted`` or ``not probed``, and in words why."""

    outcome: str
    detail: str


def confirmed(detail: str) -> Verdict:
    """The vendor answered as the fact says."""
    return Verdict(CONFIRMED, detail)


def contradicted(detail: str) -> Verdict:
    """The vendor answered otherwise: the fact (and the client code resting on it) no longer holds."""
    return Verdict(CONTRADICTED, detail)


class NotProbed(Exception):
    """A probe could not run (no campaign to read, an earlier step failed); the message says why."""


@dataclass(frozen=True)
class Listed:
    """The first list page as the client read it, and the raw answer it came from."""

    page: Page
    reply: Reply


class DrillContext:
    """One connection under drill: its hook, the vendor key, and the answers the probes share."""

    def __init__(self, vendor: str, hook: CampaignHook[Any]) -> None:
        self.vendor = vendor
        self.hook = hook
        self._steps: dict[str, Any] = {}

    @property
    def list_request(self) -> ApiRequest[Page]:
        """The request of the first list page the kill switch reads (built once: a BSG window moves with the clock)."""
        return self.step("list request building", lambda: _list_request(self))

    @property
    def api(self) -> Any:
        """The vendor API (request builders and parsers) of the connection."""
        return self.hook.api

    def read(self, request: ApiRequest[T]) -> tuple[T, Reply]:
        """Send a read the client builds and return its parsed value with the raw answer.

        A 2xx answer the parser cannot read fails at once (no retry): the drill wants to see it.
        """
        return self.hook.send(_rewired(request, lambda reply: (request.interpret(reply), reply)))

    def raw(self, request: ApiRequest[Any]) -> Reply:
        """Send a read and return the raw answer, whatever its status."""
        return self.hook.send(_rewired(request, lambda reply: reply))

    def step(self, name: str, run: Callable[[], T]) -> T:
        """``run()`` once per drill; a later caller of a step that failed is told it was not probed."""
        if name not in self._steps:
            try:
                self._steps[name] = (True, run())
            except Exception as error:
                self._steps[name] = (False, error)
                raise
        ok, value = self._steps[name]
        if not ok:
            raise NotProbed(f"the {name} failed (see that fact)")
        return value  # type: ignore[no-any-return]


def _rewired(request: ApiRequest[Any], interpret: Callable[[Reply], U]) -> ApiRequest[U]:
    """The same request with another reader of its answer, never re-sent for an unreadable 2xx (the drill wants to see it)."""
    return replace(request, interpret=interpret, retry_unreadable=False)


# -- the core probes: exactly the calls the kill switch makes ------------------------------------


def credentials(ctx: DrillContext) -> Verdict:
    """The client's own credentials check (a login, a token check or a one-row list)."""
    ctx.step("credentials check", ctx.hook.check_credentials)
    return confirmed(f"{ctx.hook.vendor_name} accepted the credentials of connection {ctx.hook.conn_id!r}")


def list_answer(ctx: DrillContext) -> Reply:
    """The raw answer to the first page of the list the kill switch walks (``all_active``); sent once."""
    return ctx.step("list request", lambda: ctx.raw(ctx.list_request))


def first_page(ctx: DrillContext) -> Listed:
    """That page read by the client's own parser (which raises what the kill switch would meet)."""

    def run() -> Listed:
        reply = list_answer(ctx)
        return Listed(ctx.list_request.interpret(reply), reply)

    return ctx.step("list read", run)


def list_body(ctx: DrillContext) -> dict[str, Any]:
    """The list answer's JSON object, whether or not the client's parser can read it (shape probes look at it)."""
    reply = list_answer(ctx)
    if not reply.ok:
        raise NotProbed(f"the list answered HTTP {reply.status}")
    body = reply.json()
    if not isinstance(body, dict):
        raise NotProbed("the list answer is not a JSON object")
    return body


def list_page(ctx: DrillContext) -> Verdict:
    """One page: items, ids, statuses and the paging signals the client relies on, all readable."""
    listed = first_page(ctx)
    more = "more pages follow" if listed.page.more else "it is the last page"
    return confirmed(f"{listed.reply.request.describe()} listed {len(listed.page.items)} item(s); the paging signals say {more}")


def status_read(ctx: DrillContext) -> Verdict:
    """The first listed campaign's status, read where the client reads it; every status seen is one it knows."""
    listed = first_page(ctx)
    if not listed.page.items:
        raise NotProbed("the list is empty: no campaign to read")
    chosen = listed.page.items[0]
    status, reply = ctx.step("status read", lambda: ctx.read(ctx.api.status_request(_ref(ctx, chosen))))
    unknown = sorted({str(seen.vendor_status) for seen in [*listed.page.items, status] if seen.state.value == "unknown"})
    if unknown:
        return contradicted(f"statuses the client does not know: {', '.join(unknown)} (the documented list changed?)")
    return confirmed(f"{reply.request.describe()}: {chosen.campaign_id} is {status.vendor_status!r} ({status.state.value})")


def _list_request(ctx: DrillContext) -> ApiRequest[Page]:
    api = ctx.api
    if ctx.vendor == "bsg":
        import pendulum

        from airflow_provider_campaigns.vendors import bsg

        now = pendulum.now("UTC")
        return api.list_request("sms", bsg.list_windows(now.subtract(months=bsg.WINDOW_MONTHS), now.add(days=bsg.AHEAD_DAYS))[0], 0)  # type: ignore[no-any-return]
    if ctx.vendor == "cellcast":
        from airflow_provider_campaigns.vendors import cellcast

        return api.list_request(cellcast.list_filters(), 1)  # type: ignore[no-any-return]
    if ctx.vendor == "comm":
        return api.list_request(1)  # type: ignore[no-any-return]
    return api.list_request(ctx.hook.stream())  # type: ignore[attr-defined, no-any-return]


def _ref(ctx: DrillContext, listed: CampaignStatus) -> Any:
    """The reference the client would build for a listed campaign."""
    if ctx.vendor == "bsg":
        from airflow_provider_campaigns.vendors import bsg

        return bsg.campaign(listed.campaign_id)
    if ctx.vendor == "cellcast":
        from airflow_provider_campaigns.vendors import cellcast

        return cellcast.message(listed.campaign_id)
    if ctx.vendor == "comm":
        from airflow_provider_campaigns.vendors import comm

        # the client reads a send's status from its campaign's resource; no send is named here
        return comm.send(listed.campaign_id, listed.campaign_id)
    from airflow_provider_campaigns.vendors import kore

    return kore.KoreCampaign(kore.validate_id(listed.campaign_id), ctx.hook.stream(), "sms")  # type: ignore[attr-defined]


# -- probes of guesses ------------------------------------------------------------------------------


def _rows(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The raw list rows (where the client finds its items)."""
    data = body.get("data")
    if isinstance(data, dict):
        rows = data.get("results", data.get("items"))
        return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []
    return [row for row in data if isinstance(row, dict)] if isinstance(data, list) else []


def _values(body: dict[str, Any], key: str) -> list[Any]:
    rows = _rows(body)
    if not rows:
        raise NotProbed("the list is empty: nothing to look at")
    return [row.get(key) for row in rows]


def timestamps_match(key: str, pattern: str, described: str) -> Callable[[DrillContext], Verdict]:
    """A probe: every listed row's ``key`` matches ``pattern`` (a regular expression)."""

    def probe(ctx: DrillContext) -> Verdict:
        values = _values(list_body(ctx), key)
        wrong = [value for value in values if not isinstance(value, str) or not re.fullmatch(pattern, value)]
        if wrong:
            return contradicted(f"listed {key!r} values are not {described}: {wrong[0]!r}")
        return confirmed(f"{len(values)} listed {key!r} value(s) are {described} (e.g. {values[0]!r})")

    return probe


def rows_carry(*keys: str) -> Callable[[DrillContext], Verdict]:
    """A probe: every listed row carries ``keys``."""

    def probe(ctx: DrillContext) -> Verdict:
        rows = _rows(list_body(ctx))
        if not rows:
            raise NotProbed("the list is empty: nothing to look at")
        missing = sorted({key for row in rows for key in keys if key not in row})
        if missing:
            return contradicted(f"listed rows lack {', '.join(missing)}")
        return confirmed(f"{len(rows)} listed row(s) carry {', '.join(keys)}")

    return probe


def newest_first(key: str) -> Callable[[DrillContext], Verdict]:
    """A probe: the listed rows come newest first by ``key`` (ISO-like timestamps compare as text)."""

    def probe(ctx: DrillContext) -> Verdict:
        values = [value for value in _values(list_body(ctx), key) if isinstance(value, str)]
        if len(values) < 2:
            raise NotProbed(f"fewer than two listed rows carry {key!r}: no order to look at")
        if values != sorted(values, reverse=True):
            return contradicted(f"the rows are not newest first by {key!r}: {values[:3]}")
        return confirmed(f"{len(values)} rows newest first by {key!r}")

    return probe


def window_applies_to(key: str) -> Callable[[DrillContext], Verdict]:
    """A probe (BSG): every row listed for the window ``filter[from]``..``filter[to]`` was created inside it."""

    def probe(ctx: DrillContext) -> Verdict:
        import pendulum

        params = list_answer(ctx).request.params
        start, end = pendulum.parse(params["filter[from]"]), pendulum.parse(params["filter[to]"])
        outside = []
        for value in _values(list_body(ctx), key):
            moment = pendulum.parse(str(value), tz="UTC") if value else None
            if moment is None or not start <= moment <= end:  # type: ignore[operator]
                outside.append(value)
        if outside:
            return contradicted(f"rows listed for {params['filter[from]']}..{params['filter[to]']} have {key} {outside[0]!r}")
        return confirmed(f"every listed {key} lies in the requested window")

    return probe


def paging_keys(*paths: str) -> Callable[[DrillContext], Verdict]:
    """A probe: the list answer carries every dotted path in ``paths`` (paging signals the docs do not promise)."""

    def probe(ctx: DrillContext) -> Verdict:
        body = list_body(ctx)
        missing = [path for path in paths if _absent(body, path)]
        if missing:
            return contradicted(f"the list answer lacks {', '.join(missing)}")
        return confirmed(f"the list answer carries {', '.join(paths)}")

    return probe


def _absent(body: dict[str, Any], path: str) -> bool:
    container: Any = body
    *parents, last = path.split(".")
    for step in parents:
        container = container.get(step) if isinstance(container, dict) else None
    return not isinstance(container, dict) or last not in container


def next_page_null_on_last(ctx: DrillContext) -> Verdict:
    """Cellcast: ``nextPage`` is ``null`` exactly when ``hasNextPage`` is false; ``page`` and ``limit`` echoed."""
    data = list_body(ctx).get("data")
    if not isinstance(data, dict):
        return contradicted("the list answer has no 'data' object")
    problems = []
    if (data.get("nextPage") is None) != (data.get("hasNextPage") is False):
        problems.append(f"nextPage {data.get('nextPage')!r} with hasNextPage {data.get('hasNextPage')!r}")
    params = list_answer(ctx).request.params
    for key in ("page", "limit"):
        if str(data.get(key)) != params[key]:
            problems.append(f"{key} {data.get(key)!r} where {params[key]} was asked")
    if problems:
        return contradicted("; ".join(problems))
    return confirmed(f"page {data.get('page')}, limit {data.get('limit')} echoed; nextPage {data.get('nextPage')!r}")


def statuses_within(known: Iterable[str]) -> Callable[[DrillContext], Verdict]:
    """A probe: every status seen (the list page and the status read) is one of ``known``."""
    allowed = frozenset(known)

    def probe(ctx: DrillContext) -> Verdict:
        listed = first_page(ctx)
        seen = {str(item.vendor_status) for item in listed.page.items}
        if not seen:
            raise NotProbed("the list is empty: no status seen")
        other = sorted(seen - allowed)
        if other:
            return contradicted(f"statuses outside {', '.join(sorted(allowed))}: {', '.join(other)}")
        return confirmed(f"statuses seen: {', '.join(sorted(seen))}")

    return probe


def unauthenticated(expected_status: int, expected: dict[str, Any]) -> Callable[[DrillContext], Verdict]:
    """A probe: the first list read sent with a deliberately wrong credential answers ``expected_status``
    and a JSON body holding ``expected`` (a read: it changes nothing, whatever the answer).
    """

    def probe(ctx: DrillContext) -> Verdict:
        request = ctx.list_request
        headers = {**request.headers, **ctx.api.auth.headers(WRONG_CREDENTIAL)}
        reply = ctx.raw(replace(request, authenticated=False, headers=headers))
        try:
            body = reply.json()
        except Exception:  # noqa: BLE001 - any unreadable body contradicts a JSON claim
            body = None
        held = isinstance(body, dict) and all(body.get(key) == value for key, value in expected.items())
        if reply.status != expected_status or not held:
            return contradicted(f"a wrong credential got HTTP {reply.status} {reply.excerpt()!r}, not {expected_status} {expected}")
        return confirmed(f"a wrong credential got HTTP {reply.status} {reply.excerpt()!r}")

    return probe


def bsg_jwt_expiry(ctx: DrillContext) -> Verdict:
    """BSG: the login's bearer is a JWT whose ``exp`` the client reads to refresh in time."""
    import jwt

    from airflow_provider_campaigns.vendors import bsg

    token, _ = ctx.read(ctx.api.auth.login_request())
    expiry = bsg.jwt_expiry(token.value)
    if expiry is None:
        return contradicted("the bearer carries no readable 'exp' claim (the client assumes 1 h)")
    issued = jwt.decode(token.value, options={"verify_signature": False}).get("iat")
    lifetime = f"a lifetime of {round((expiry - issued) / 60)} min" if isinstance(issued, (int, float)) else "no 'iat'"
    return confirmed(f"the bearer is a JWT with 'exp' ({lifetime})")


def token_reused(ctx: DrillContext) -> Verdict:
    """Kore.ai: one minted JWT (same ``jti``) was accepted by several calls of this drill."""
    if not list_answer(ctx).ok:
        raise NotProbed(f"the list answered HTTP {list_answer(ctx).status}")
    minted = ctx.hook.transport.token_refreshes
    if minted != 1:
        raise NotProbed(f"{minted} tokens were minted: no reuse to look at")
    return confirmed("the credentials check and the list read were both accepted with the same JWT (same jti)")


# -- probes that send one more read: the list request with other query parameters ----------------------


def list_variant(
    change: Callable[[DrillContext, dict[str, str]], dict[str, str]], judge: Callable[[DrillContext, Reply], Verdict]
) -> Callable[[DrillContext], Verdict]:
    """A probe: the client's first list request with its query changed by ``change``, the raw answer judged by ``judge``."""

    def probe(ctx: DrillContext) -> Verdict:
        request = ctx.list_request
        return judge(ctx, ctx.raw(replace(request, params=change(ctx, dict(request.params)))))

    return probe


def _first_row(ctx: DrillContext) -> dict[str, Any]:
    rows = _rows(list_body(ctx))
    if not rows:
        raise NotProbed("the list is empty: no row to look for")
    return rows[0]


def _listed_ids(reply: Reply, key: str = "id") -> list[Any]:
    body = reply.json() if reply.ok else None
    return [row.get(key) for row in _rows(body)] if isinstance(body, dict) else []


def bsg_window_violation(ctx: DrillContext) -> Reply:
    """BSG: the list asked for a 6-month window (twice the documented limit); sent once, judged by two facts."""

    def run() -> Reply:
        from airflow_provider_campaigns.vendors.bsg import validate_date

        request = ctx.list_request
        start = validate_date(request.params["filter[to]"], "filter[to]").subtract(months=6)
        return ctx.raw(replace(request, params={**request.params, "filter[from]": start.to_iso8601_string()}))

    return ctx.step("window violation read", run)


def bsg_window_422(ctx: DrillContext) -> Verdict:
    """BSG: a window over 3 months is a validation 422 naming ``filter.from`` or ``filter.to``."""
    reply = bsg_window_violation(ctx)
    errors = reply.json().get("errors") if reply.status == 422 and isinstance(reply.json(), dict) else None
    if not isinstance(errors, dict) or not {"filter.from", "filter.to"} & set(errors):
        return contradicted(f"a 6-month window got HTTP {reply.status} {reply.excerpt()!r}")
    return confirmed(f"a 6-month window got 422 naming {', '.join(sorted(errors))}")


def bsg_validation_shape(ctx: DrillContext) -> Verdict:
    """BSG: a validation 422 is ``{"message": "The given data was invalid.", "errors": {field: [messages]}}``."""
    reply = bsg_window_violation(ctx)
    body = reply.json() if reply.status == 422 else None
    shaped = isinstance(body, dict) and isinstance(body.get("errors"), dict) and all(isinstance(v, list) for v in body["errors"].values())
    if not shaped or body.get("message") != "The given data was invalid.":  # type: ignore[union-attr]
        return contradicted(f"a validation error got HTTP {reply.status} {reply.excerpt()!r}")
    return confirmed(f"a validation error got 422 {reply.excerpt()!r}")


def bsg_sort_date(ctx: DrillContext) -> Verdict:
    """BSG: ``sort=date&way=desc`` lists newest ``created_at`` first."""
    reply = ctx.raw(replace(ctx.list_request, params={**ctx.list_request.params, "sort": "date", "way": "desc"}))
    body = reply.json() if reply.ok else None
    values = [row.get("created_at") for row in _rows(body)] if isinstance(body, dict) else []
    if not reply.ok:
        return contradicted(f"sort=date got HTTP {reply.status} {reply.excerpt()!r}")
    if len(values) < 2:
        raise NotProbed("fewer than two campaigns listed: no order to look at")
    if values != sorted(values, key=str, reverse=True):
        return contradicted(f"sort=date&way=desc listed created_at {values[:3]}")
    return confirmed(f"sort=date&way=desc listed {len(values)} campaigns newest created_at first")


def bsg_status_filter_ignored(ctx: DrillContext) -> Verdict:
    """BSG: the undocumented ``filter[status]`` is ignored: a campaign in another status is still listed."""
    row = _first_row(ctx)
    other = "done" if row.get("status") != "done" else "sending"
    reply = ctx.raw(replace(ctx.list_request, params={**ctx.list_request.params, "filter[status]": other}))
    if row.get("id") in _listed_ids(reply):
        return confirmed(f"filter[status]={other} still listed campaign {row.get('id')} ({row.get('status')})")
    return contradicted(f"filter[status]={other} left out campaign {row.get('id')} ({row.get('status')}): BSG filters by status")


def bsg_taskname_search(ctx: DrillContext) -> Verdict:
    """BSG: ``search[field]=taskname`` finds a campaign by a case-changed part of its name."""
    row = _first_row(ctx)
    name = str(row.get("name") or "")
    if len(name) < 3:
        raise NotProbed("the first listed campaign has no name to search for")
    part = name[len(name) // 4 : len(name) // 4 + max(3, len(name) // 2)].swapcase()
    query = {**ctx.list_request.params, "search[field]": "taskname", "search[value]": part}
    reply = ctx.raw(replace(ctx.list_request, params=query))
    if row.get("id") in _listed_ids(reply):
        return confirmed(f"searching taskname {part!r} found campaign {row.get('id')}")
    return contradicted(f"searching taskname {part!r} (a part of {name!r}) got HTTP {reply.status} without campaign {row.get('id')}")


def bsg_login_without_key(ctx: DrillContext) -> Verdict:
    """BSG: a login without ``api_key`` is a validation 422."""
    reply = ctx.raw(replace(ctx.api.auth.login_request(), json={}))
    if reply.status != 422:
        return contradicted(f"a login without api_key got HTTP {reply.status} {reply.excerpt()!r}")
    return confirmed(f"a login without api_key got 422 {reply.excerpt()!r}")


def bsg_prose_header(ctx: DrillContext) -> Verdict:
    """BSG: a valid bearer sent as the prose writes it (``Bearer: <jwt>``) is refused."""
    token, _ = ctx.step("login", lambda: ctx.read(ctx.api.auth.login_request()))
    reply = ctx.raw(replace(ctx.list_request, authenticated=False, headers={"Bearer": token.value}))
    if reply.status != 401:
        return contradicted(f"'Bearer: <jwt>' got HTTP {reply.status}: BSG accepts the prose's header")
    return confirmed("'Bearer: <jwt>' got 401: only 'Authorization: Bearer <jwt>' works")


def cellcast_status_filter(status: str, accepted: bool) -> Callable[[DrillContext], Verdict]:
    """Cellcast: the report's ``status`` filter takes ``status`` (``accepted``) or answers 400; accepted rows all match."""

    def change(ctx: DrillContext, params: dict[str, str]) -> dict[str, str]:
        return {**params, "status": status}

    def judge(ctx: DrillContext, reply: Reply) -> Verdict:
        if not accepted:
            if reply.status == 400:
                return confirmed(f"status={status} got 400 {reply.excerpt()!r}")
            return contradicted(f"status={status} got HTTP {reply.status}: Cellcast accepts it")
        if not reply.ok:
            return contradicted(f"status={status} got HTTP {reply.status} {reply.excerpt()!r}")
        body = reply.json()
        seen = {row.get("status") for row in _rows(body)} if isinstance(body, dict) else set()
        if seen - {"delivered"}:
            return contradicted(f"status={status} listed statuses {sorted(map(str, seen))}")
        return confirmed(f"status={status} got 200 listing {len(_rows(body))} delivered message(s)")

    return list_variant(change, judge)


# -- Kore.ai: the list request with another body ----------------------------------------------------

WRONG_ACCOUNT = "fire-drill-deliberately-wrong-account"


def list_body_variant(
    change: Callable[[dict[str, Any]], dict[str, Any]], judge: Callable[[Reply], Verdict]
) -> Callable[[DrillContext], Verdict]:
    """A probe: the client's first list request (a ``POST`` read) with its JSON body changed by ``change``."""

    def probe(ctx: DrillContext) -> Verdict:
        request = ctx.list_request
        return judge(ctx.raw(replace(request, json=change(dict(request.json or {})))))

    return probe


def _data(reply: Reply) -> dict[str, Any]:
    body = reply.json() if reply.ok else None
    data = body.get("data") if isinstance(body, dict) else None
    return data if isinstance(data, dict) else {}


def refused(what: str) -> Callable[[Reply], Verdict]:
    """A judge: the vendor refuses the changed request with a 4xx."""

    def judge(reply: Reply) -> Verdict:
        if 400 <= reply.status < 500:
            return confirmed(f"{what} got HTTP {reply.status} {reply.excerpt()!r}")
        return contradicted(f"{what} got HTTP {reply.status}: the vendor accepts it")

    return judge


def echoes(key: str, check: Callable[[Any], bool], what: str) -> Callable[[Reply], Verdict]:
    """A judge: a 2xx whose ``data.<key>`` passes ``check``."""

    def judge(reply: Reply) -> Verdict:
        value = _data(reply).get(key)
        if not reply.ok or not check(value):
            return contradicted(f"{what}: HTTP {reply.status}, data.{key} = {value!r}")
        return confirmed(f"{what}: data.{key} = {value!r}")

    return judge


def kore_wrong_account(ctx: DrillContext) -> Verdict:
    """Kore.ai: a valid JWT with a wrong ``accountid`` (header and query) is a 401 with ``code`` 4002."""
    request = ctx.list_request
    headers = {**request.headers, "accountid": WRONG_ACCOUNT}
    reply = ctx.raw(replace(request, headers=headers, params={**request.params, "accountId": WRONG_ACCOUNT}))
    body = reply.json() if reply.status == 401 else None
    if not isinstance(body, dict) or body.get("code") != 4002:
        return contradicted(f"a wrong account id got HTTP {reply.status} {reply.excerpt()!r}")
    return confirmed(f"a wrong account id got 401 {reply.excerpt()!r}")


def ids_start_with(prefix: str, keys: tuple[str, ...] = ("id", "_id")) -> Callable[[DrillContext], Verdict]:
    """A probe: every listed row's id (the first of ``keys`` it carries) starts with ``prefix``."""

    def probe(ctx: DrillContext) -> Verdict:
        rows = _rows(list_body(ctx))
        if not rows:
            raise NotProbed("the list is empty: no id to look at")
        ids = [next((row[key] for key in keys if key in row), None) for row in rows]
        wrong = [ident for ident in ids if not (isinstance(ident, str) and ident.startswith(prefix))]
        if wrong:
            return contradicted(f"listed ids not starting with {prefix!r}: {wrong[0]!r}")
        return confirmed(f"{len(ids)} listed id(s) start with {prefix!r} (e.g. {ids[0]!r})")

    return probe


def kore_paging_signals(ctx: DrillContext) -> Verdict:
    """Kore.ai: ``data.hasMore`` is a boolean and ``data.totalResults`` an integer at least the rows served."""
    data = list_body(ctx).get("data")
    if not isinstance(data, dict):
        return contradicted("the list answer has no 'data' object")
    more, total, rows = data.get("hasMore"), data.get("totalResults"), data.get("results")
    served = len(rows) if isinstance(rows, list) else 0
    if not isinstance(more, bool) or isinstance(total, bool) or not isinstance(total, int) or total < served:
        return contradicted(f"data.hasMore = {more!r}, data.totalResults = {total!r} with {served} row(s) served")
    return confirmed(f"data.hasMore = {more}, data.totalResults = {total} ({served} row(s) served)")


def ascending(key: str) -> Callable[[DrillContext], Verdict]:
    """A probe: the client's list (which asks for ``key`` ascending) serves rows in that order."""

    def probe(ctx: DrillContext) -> Verdict:
        values = [value for value in _values(list_body(ctx), key) if isinstance(value, str)]
        if len(values) < 2:
            raise NotProbed(f"fewer than two listed rows carry {key!r}: no order to look at")
        if values != sorted(values):
            return contradicted(f"the rows are not oldest first by {key!r}: {values[:3]}")
        return confirmed(f"{len(values)} rows oldest first by {key!r}")

    return probe
