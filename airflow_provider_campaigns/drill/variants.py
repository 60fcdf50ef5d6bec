"""Probes that send one more read: the client's own first list request (or login) with one thing changed, its raw
answer judged. Whatever is changed, the request stays a read: it changes nothing at the vendor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from airflow_provider_campaigns.drill.context import DrillContext, listed_rows, reply_rows
from airflow_provider_campaigns.drill.probes import Probe, in_order
from airflow_provider_campaigns.drill.verdicts import NotProbed, Verdict, confirmed, contradicted

if TYPE_CHECKING:
    from airflow_provider_campaigns.core.wire import ApiRequest, Reply

Build = Callable[[DrillContext], "ApiRequest[Any]"]
Judge = Callable[[DrillContext, "Reply"], Verdict]

#: an unauthenticated read sends this instead of the connection's credentials
WRONG_CREDENTIAL = "fire-drill-deliberately-wrong-credential"


def variant(build: Build, judge: Judge, once: str | None = None) -> Probe:
    """A probe: the read ``build`` makes, its raw answer judged by ``judge`` (sent once per drill under the step ``once``)."""

    def probe(ctx: DrillContext) -> Verdict:
        reply = ctx.step(once, lambda: ctx.raw(build(ctx))) if once else ctx.raw(build(ctx))
        return judge(ctx, reply)

    return probe


# -- what is changed ---------------------------------------------------------------------------------


def query(change: Callable[[dict[str, str]], dict[str, str]]) -> Build:
    """The first list request with its query parameters changed by ``change``."""
    return lambda ctx: replace(ctx.list_request, params=change(dict(ctx.list_request.params)))


def with_params(**params: str) -> Build:
    """The first list request with ``params`` added to (or replacing) its query."""
    return query(lambda given: {**given, **params})


def body(change: Callable[[dict[str, Any]], dict[str, Any]]) -> Build:
    """The first list request (a ``POST`` read) with its JSON body changed by ``change``."""
    return lambda ctx: replace(ctx.list_request, json=change(dict(ctx.list_request.json or {})))


def body_with(**changes: Any) -> Build:
    """The first list request with ``changes`` set in its JSON body."""
    return body(lambda given: {**given, **changes})


def body_without(*keys: str) -> Build:
    """The first list request with ``keys`` left out of its JSON body."""
    return body(lambda given: {key: value for key, value in given.items() if key not in keys})


def with_headers(headers: Mapping[str, str], **params: str) -> Build:
    """The first list request, still authenticated, with ``headers`` and query ``params`` added."""
    return lambda ctx: replace(
        ctx.list_request, headers={**ctx.list_request.headers, **headers}, params={**ctx.list_request.params, **params}
    )


def wrong_credential(ctx: DrillContext) -> ApiRequest[Any]:
    """The first list request sent with a deliberately wrong credential instead of the connection's."""
    request = ctx.list_request
    return replace(request, authenticated=False, headers={**request.headers, **ctx.api.auth.headers(WRONG_CREDENTIAL)})


# -- how the answer is judged ------------------------------------------------------------------------


def refused(what: str) -> Judge:
    """A judge: the vendor refuses the changed request with a 4xx."""

    def judge(ctx: DrillContext, reply: Reply) -> Verdict:
        if 400 <= reply.status < 500:
            return confirmed(f"{what} got HTTP {reply.status} {reply.excerpt()!r}")
        return contradicted(f"{what} got HTTP {reply.status}: the vendor accepts it")

    return judge


def answers(status: int, what: str, holding: Mapping[str, Any] | None = None) -> Judge:
    """A judge: the answer is HTTP ``status`` (with a JSON object holding ``holding``, if given)."""

    def judge(ctx: DrillContext, reply: Reply) -> Verdict:
        try:
            found = reply.json()
        except Exception:  # noqa: BLE001 - any unreadable body contradicts a JSON claim
            found = None
        held = not holding or (isinstance(found, dict) and all(found.get(key) == value for key, value in holding.items()))
        if reply.status != status or not held:
            expected = f"{status} {dict(holding)}" if holding else str(status)
            return contradicted(f"{what} got HTTP {reply.status} {reply.excerpt()!r}, not {expected}")
        return confirmed(f"{what} got {reply.status} {reply.excerpt()!r}")

    return judge


def echoes(key: str, check: Callable[[Any], bool], what: str) -> Judge:
    """A judge: a 2xx whose ``data.<key>`` passes ``check``."""

    def judge(ctx: DrillContext, reply: Reply) -> Verdict:
        found = reply.json() if reply.ok else None
        data = found.get("data") if isinstance(found, dict) else None
        value = data.get(key) if isinstance(data, dict) else None
        if not reply.ok or not check(value):
            return contradicted(f"{what}: HTTP {reply.status}, data.{key} = {value!r}")
        return confirmed(f"{what}: data.{key} = {value!r}")

    return judge


def at_most(limit: int) -> Callable[[Any], bool]:
    """A check for :func:`echoes`: a whole number up to ``limit``."""
    return lambda value: isinstance(value, int) and not isinstance(value, bool) and value <= limit


def validation_naming(fields: set[str], what: str) -> Judge:
    """A judge: a validation 422 whose ``errors`` name one of ``fields``."""

    def judge(ctx: DrillContext, reply: Reply) -> Verdict:
        errors = reply.json().get("errors") if reply.status == 422 and isinstance(reply.json(), dict) else None
        if not isinstance(errors, dict) or not fields & set(errors):
            return contradicted(f"{what} got HTTP {reply.status} {reply.excerpt()!r}")
        return confirmed(f"{what} got 422 naming {', '.join(sorted(errors))}")

    return judge


def validation_shape(message: str, what: str) -> Judge:
    """A judge: a validation 422 is ``{"message": message, "errors": {field: [messages]}}``."""

    def judge(ctx: DrillContext, reply: Reply) -> Verdict:
        found = reply.json() if reply.status == 422 else None
        errors = found.get("errors") if isinstance(found, dict) else None
        if not isinstance(errors, dict) or not all(isinstance(v, list) for v in errors.values()) or found.get("message") != message:  # type: ignore[union-attr]
            return contradicted(f"{what} got HTTP {reply.status} {reply.excerpt()!r}")
        return confirmed(f"{what} got 422 {reply.excerpt()!r}")

    return judge


def on_rows(what: str, judge_rows: Callable[[list[dict[str, Any]]], Verdict]) -> Judge:
    """A judge: a 2xx whose listed rows pass ``judge_rows`` (any other answer contradicts)."""

    def judge(ctx: DrillContext, reply: Reply) -> Verdict:
        if not reply.ok:
            return contradicted(f"{what} got HTTP {reply.status} {reply.excerpt()!r}")
        return judge_rows(reply_rows(reply))

    return judge


def rows_all(key: str, value: str, what: str) -> Judge:
    """A judge: a 2xx whose every listed row has ``key`` = ``value``."""

    def judge_rows(found: list[dict[str, Any]]) -> Verdict:
        seen = {row.get(key) for row in found}
        if seen - {value}:
            return contradicted(f"{what} listed {key} values {sorted(map(str, seen))}")
        return confirmed(f"{what} got 200 listing {len(found)} row(s) with {key} {value}")

    return on_rows(what, judge_rows)


def ordered(key: str, newest_first: bool, what: str) -> Judge:
    """A judge: a 2xx whose rows come in order by ``key``."""

    def judge_rows(found: list[dict[str, Any]]) -> Verdict:
        verdict = in_order([row.get(key) for row in found], key, newest_first)
        return replace(verdict, detail=f"{what}: {verdict.detail}")

    return on_rows(what, judge_rows)


# -- whole probes ------------------------------------------------------------------------------------


def unauthenticated(status: int, expected: Mapping[str, Any]) -> Probe:
    """A probe: the first list read with a deliberately wrong credential answers ``status`` and a JSON body holding ``expected``."""
    return variant(wrong_credential, answers(status, "a wrong credential", expected))


def token_header_refused(headers: Callable[[str], dict[str, str]], form: str, right: str) -> Probe:
    """A probe: a valid token sent in another header form (``headers(token)``, ``form`` in words) is refused with 401."""

    def judge(ctx: DrillContext, reply: Reply) -> Verdict:
        if reply.status != 401:
            return contradicted(f"{form} got HTTP {reply.status}: {ctx.hook.vendor_name} accepts it")
        return confirmed(f"{form} got 401: only {right} works")

    return variant(lambda ctx: replace(ctx.list_request, authenticated=False, headers=headers(ctx.token())), judge)


def still_lists_first_row(change: Callable[[dict[str, Any]], dict[str, str]], what: str) -> Probe:
    """A probe: the first list request with the query ``change(first row)`` adds (``what`` it means) still lists that row."""

    def probe(ctx: DrillContext) -> Verdict:
        row = listed_rows(ctx, "no row to look for")[0]
        params = change(row)
        given = "&".join(f"{key}={value}" for key, value in params.items())
        reply = ctx.raw(with_params(**params)(ctx))
        if row.get("id") in [found.get("id") for found in reply_rows(reply)]:
            return confirmed(f"{given} still listed campaign {row.get('id')} ({what})")
        return contradicted(f"{given} got HTTP {reply.status} without campaign {row.get('id')} ({what})")

    return probe


def name_part(row: dict[str, Any]) -> str:
    """A case-changed middle part of a row's ``name`` (at least three characters), to search for."""
    name = str(row.get("name") or "")
    if len(name) < 3:
        raise NotProbed("the first listed campaign has no name to search for")
    return name[len(name) // 4 : len(name) // 4 + max(3, len(name) // 2)].swapcase()
