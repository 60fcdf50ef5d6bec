"""The drill's probes of answers the kill switch's own reads get: each returns a :class:`.Verdict`.

The core probes (credentials, one list page, one status read) are exactly the calls the kill switch
makes; the others look at the same answers to test a fact of ``docs/vendor-contracts.md``. Probes that
send one more read are in :mod:`.variants`. A probe never sends a stop, a cancel or a trigger.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from airflow_provider_campaigns.drill.context import DrillContext, first_page, list_answer, list_body, listed_rows
from airflow_provider_campaigns.drill.verdicts import NotProbed, Verdict, confirmed, contradicted

Probe = Callable[[DrillContext], Verdict]


# -- the core probes: exactly the calls the kill switch makes ------------------------------------


def credentials(ctx: DrillContext) -> Verdict:
    """The client's own credentials check (a login, a token check or a one-row list)."""
    ctx.step("credentials check", ctx.hook.check_credentials)
    return confirmed(f"{ctx.hook.vendor_name} accepted the credentials of connection {ctx.hook.conn_id!r}")


def list_page(ctx: DrillContext) -> Verdict:
    """One page: items, ids, statuses and the paging signals the client relies on, all readable (or, where the
    vendor names no first page, the whole ``all_active`` listing).
    """
    if not ctx.lists_a_page:
        found = ctx.listing()
        return confirmed(f"the listing of every active campaign (all_active) found {len(found)}, complete by the paging signals")
    listed = first_page(ctx)
    more = "more pages follow" if listed.page.more else "it is the last page"
    return confirmed(f"{listed.reply.request.describe()} listed {len(listed.page.items)} item(s); the paging signals say {more}")


def status_read(ctx: DrillContext) -> Verdict:
    """The first listed campaign's status, read where the client reads it; every status seen is one it knows."""
    if ctx.lists_a_page:
        seen = first_page(ctx).page.items
        if not seen:
            raise NotProbed("the list is empty: no campaign to read")
        label, ref = seen[0].campaign_id, ctx.ref(seen[0].campaign_id)
    else:
        seen, refs = [], ctx.listing()
        if not refs:
            raise NotProbed("no active campaign listed: no campaign to read")
        label, ref = refs[0].label, refs[0]
    status, reply = ctx.step("status read", lambda: ctx.read(ctx.api.status_request(ref)))
    unknown = sorted({str(item.vendor_status) for item in [*seen, status] if item.state.value == "unknown"})
    if unknown:
        return contradicted(f"statuses the client does not know: {', '.join(unknown)} (the documented list changed?)")
    return confirmed(f"{reply.request.describe()}: {label} is {status.vendor_status!r} ({status.state.value})")


# -- probes of what the first list page says ---------------------------------------------------------


def _values(ctx: DrillContext, key: str) -> list[Any]:
    return [row.get(key) for row in listed_rows(ctx)]


def listed_values(value_of: Callable[[dict[str, Any]], Any], fits: Callable[[Any], bool], what: str, described: str) -> Probe:
    """A probe: the value ``value_of`` reads from each listed row ``fits`` (``described`` says how); contradicted by the
    first that does not, else confirmed with the count and an example.
    """

    def probe(ctx: DrillContext) -> Verdict:
        values = [value_of(row) for row in listed_rows(ctx, f"no {what} to look at")]
        wrong = [value for value in values if not fits(value)]
        if wrong:
            return contradicted(f"listed {what} are not all {described}: {wrong[0]!r}")
        return confirmed(f"{len(values)} listed {what} are {described} (e.g. {values[0]!r})")

    return probe


def timestamps_match(key: str, pattern: str, described: str) -> Probe:
    """A probe: every listed row's ``key`` matches ``pattern`` (a regular expression)."""
    form = re.compile(pattern)
    return listed_values(
        lambda row: row.get(key),
        lambda value: isinstance(value, str) and bool(form.fullmatch(value)),
        f"{key!r} value(s)",
        described,
    )


def rows_carry(*keys: str) -> Probe:
    """A probe: every listed row carries ``keys``."""

    def probe(ctx: DrillContext) -> Verdict:
        found = listed_rows(ctx)
        missing = sorted({key for row in found for key in keys if key not in row})
        if missing:
            return contradicted(f"listed rows lack {', '.join(missing)}")
        return confirmed(f"{len(found)} listed row(s) carry {', '.join(keys)}")

    return probe


def in_order(values: list[Any], key: str, newest_first: bool) -> Verdict:
    """A verdict on listed ``key`` values (ISO-like timestamps compare as text): newest first, or oldest first."""
    texts = [value for value in values if isinstance(value, str)]
    order = "newest first" if newest_first else "oldest first"
    if len(texts) < 2:
        raise NotProbed(f"fewer than two listed rows carry {key!r}: no order to look at")
    if texts != sorted(texts, reverse=newest_first):
        return contradicted(f"the rows are not {order} by {key!r}: {texts[:3]}")
    return confirmed(f"{len(texts)} rows {order} by {key!r}")


def ascending(key: str) -> Probe:
    """A probe: the client's list (which asks for ``key`` ascending) serves rows in that order."""
    return lambda ctx: in_order(_values(ctx, key), key, newest_first=False)


def window_applies_to(key: str, start: str, end: str) -> Probe:
    """A probe: every row listed for the window of query parameters ``start``..``end`` has its ``key`` inside it."""

    def probe(ctx: DrillContext) -> Verdict:
        import pendulum

        params = list_answer(ctx).request.params
        first, last = pendulum.parse(params[start]), pendulum.parse(params[end])
        outside = []
        for value in _values(ctx, key):
            moment = pendulum.parse(str(value), tz="UTC") if value else None
            if moment is None or not first <= moment <= last:  # type: ignore[operator]
                outside.append(value)
        if outside:
            return contradicted(f"rows listed for {params[start]}..{params[end]} have {key} {outside[0]!r}")
        return confirmed(f"every listed {key} lies in the requested window")

    return probe


def paging_keys(*paths: str) -> Probe:
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


def list_data(ctx: DrillContext) -> dict[str, Any] | None:
    """The list answer's ``data`` object (``None`` if it is not one)."""
    data = list_body(ctx).get("data")
    return data if isinstance(data, dict) else None


def paging_counts(more: str, total: str, served: str) -> Probe:
    """A probe: ``data.<more>`` is a boolean and ``data.<total>`` an integer at least the rows of ``data.<served>``."""

    def probe(ctx: DrillContext) -> Verdict:
        data = list_data(ctx)
        if data is None:
            return contradicted("the list answer has no 'data' object")
        flag, count, found = data.get(more), data.get(total), data.get(served)
        rows = len(found) if isinstance(found, list) else 0
        if not isinstance(flag, bool) or isinstance(count, bool) or not isinstance(count, int) or count < rows:
            return contradicted(f"data.{more} = {flag!r}, data.{total} = {count!r} with {rows} row(s) served")
        return confirmed(f"data.{more} = {flag}, data.{total} = {count} ({rows} row(s) served)")

    return probe


def statuses_within(known: Iterable[str]) -> Probe:
    """A probe: every status seen on the list page is one of ``known``."""
    allowed = frozenset(known)

    def probe(ctx: DrillContext) -> Verdict:
        seen = {str(item.vendor_status) for item in first_page(ctx).page.items}
        if not seen:
            raise NotProbed("the list is empty: no status seen")
        other = sorted(seen - allowed)
        if other:
            return contradicted(f"statuses outside {', '.join(sorted(allowed))}: {', '.join(other)}")
        return confirmed(f"statuses seen: {', '.join(sorted(seen))}")

    return probe


def ids_start_with(prefix: str, keys: tuple[str, ...] = ("id", "_id")) -> Probe:
    """A probe: every listed row's id (the first of ``keys`` it carries) starts with ``prefix``."""
    return listed_values(
        lambda row: next((row[key] for key in keys if key in row), None),
        lambda ident: isinstance(ident, str) and ident.startswith(prefix),
        "id(s)",
        f"text starting with {prefix!r}",
    )


# -- probes of the credentials ----------------------------------------------------------------------


def token_reused(ctx: DrillContext) -> Verdict:
    """One token (a JWT minted once: the same ``jti``) was accepted by several calls of this drill."""
    if not list_answer(ctx).ok:
        raise NotProbed(f"the list answered HTTP {list_answer(ctx).status}")
    minted = ctx.hook.transport.token_refreshes
    if minted != 1:
        raise NotProbed(f"{minted} tokens were minted: no reuse to look at")
    return confirmed("the credentials check and the list read were both accepted with the same JWT (same jti)")


def jwt_lifetime(assumed: str) -> Probe:
    """A probe: the connection's token is a JWT with an ``exp`` claim (the client refreshes by it; else ``assumed``)."""

    def probe(ctx: DrillContext) -> Verdict:
        import jwt

        try:
            claims = jwt.decode(ctx.token(), options={"verify_signature": False})
        except jwt.PyJWTError:
            claims = {}
        expiry, issued = claims.get("exp"), claims.get("iat")
        if isinstance(expiry, bool) or not isinstance(expiry, (int, float)):
            return contradicted(f"the bearer carries no readable 'exp' claim ({assumed})")
        lifetime = f"a lifetime of {round((expiry - issued) / 60)} min" if isinstance(issued, (int, float)) else "no 'iat'"
        return confirmed(f"the bearer is a JWT with 'exp' ({lifetime})")

    return probe
