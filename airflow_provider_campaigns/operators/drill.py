"""The fire drill: a read-only check, run on a schedule, that every connection's vendor still answers as the
kill switch reads it — so a vendor changing its API is caught on a Tuesday, not during an incident.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow.providers.common.compat.sdk import BaseOperator

from airflow_provider_campaigns.exceptions import InvalidInputError

if TYPE_CHECKING:
    from airflow_provider_campaigns.hooks.base import CampaignHook

class CampaignFireDrillOperator(BaseOperator):
    """Drill every named connection, read-only: credentials, one list page and its paging signals, one
    campaign's status, and a probe of each guess in ``docs/vendor-contracts.md`` that a read can test.

    It never stops, cancels or triggers anything: every request is a read (a login or token check, a
    list page, a status read, or a read sent with a deliberately wrong credential).

    :param conn_ids: the connections to drill (templated; a list, or its JSON text such as
        ``"{{ params.conn_ids | tojson }}"``): connection ids of the provider's
        types ``bsg``, ``cellcast``, ``comm`` and ``kore``; each connection's type picks its vendor.
        Name every connection your kill switch uses: Airflow cannot list connections from a task
        (secrets backends cannot be enumerated, and Airflow 3 tasks have no database access), so
        nothing is discovered and a missing connection fails the drill. A Kore.ai connection needs
        its extra ``stream_id``.
    :param request_timeout: seconds (or ``(connect, read)``) per request; overrides the extra ``timeout``.

    Returns (XCom, JSON-safe) ``{"connections": [{"conn_id", "vendor", "facts": [{"fact", "claim",
    "doc", "guess", "outcome", "detail", "error"}]}], "totals": {"confirmed", "contradicted",
    "not probed"}, "contradicted": [...]}``; ``outcome`` is ``confirmed``, ``contradicted`` or ``not
    probed`` (``detail`` says why). A contradicted fact fails the task at once (no retries), naming the
    fact and the documentation section it contradicts; a probe that could not reach a verdict because
    a request failed (vendor unreachable, credentials refused) fails it too, so a drill is green only
    when it vouched for every connection. The result is pushed to XCom before the task fails.
    """

    template_fields: Sequence[str] = ("conn_ids",)
    ui_color = "#ffd54f"

    def __init__(self, *, conn_ids: Sequence[str] | str, request_timeout: float | Sequence[float] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.conn_ids = conn_ids
        self.request_timeout = request_timeout

    def execute(self, context: Any) -> dict[str, Any]:
        """Drill each connection in turn; fail naming every contradicted fact."""
        from airflow_provider_campaigns.drill.runner import drill

        hooks = [(conn_id, vendor, self._hook(vendor, conn_id)) for conn_id, vendor in self._connections()]
        connections: list[dict[str, Any]] = []
        for conn_id, vendor, hook in hooks:
            self.log.info("Fire drill of connection %r (%s): read-only, nothing is stopped.", conn_id, hook.vendor_name)
            try:
                connections.append({"conn_id": conn_id, "vendor": vendor, "facts": drill(vendor, hook)})
            finally:
                hook.close()
        result = summary(connections)
        self.log.info("Fire drill:\n%s", render(result))
        failed = result["contradicted"] or [fact for conn in connections for fact in conn["facts"] if fact["error"]]
        if failed:
            context["ti"].xcom_push(key="return_value", value=result)
            raise drill_failure(result, connections)
        return result

    def _connections(self) -> list[tuple[str, str]]:
        """``(conn_id, vendor)`` of every named connection, all checked before any request."""
        from airflow.providers.common.compat.sdk import AirflowNotFoundException, BaseHook

        from airflow_provider_campaigns.protocol.selection import rendered_list
        from airflow_provider_campaigns.registry import vendor_keys

        conn_ids = rendered_list(self.conn_ids, "conn_ids")
        conn_ids = [conn_ids] if isinstance(conn_ids, str) else conn_ids
        if not isinstance(conn_ids, Sequence) or not conn_ids or not all(isinstance(c, str) and c.strip() for c in conn_ids):
            raise InvalidInputError(f"{self.task_id}: conn_ids must be a non-empty list of connection ids, not {self.conn_ids!r:.80}.")
        found = []
        for conn_id in dict.fromkeys(conn_ids):
            try:
                conn = BaseHook.get_connection(conn_id)
            except AirflowNotFoundException:
                raise InvalidInputError(
                    f"{self.task_id}: connection {conn_id!r} does not exist; the drill checks named connections only."
                ) from None
            if conn.conn_type not in vendor_keys():
                raise InvalidInputError(
                    f"{self.task_id}: connection {conn_id!r} is of type {conn.conn_type!r}, not one of {', '.join(vendor_keys())}."
                )
            found.append((conn_id, str(conn.conn_type)))
        return found

    def _hook(self, vendor: str, conn_id: str) -> CampaignHook[Any]:
        from airflow_provider_campaigns.operators.kill_switch import make_hook

        hook = make_hook(vendor, conn_id, self.request_timeout, 1)
        hook.check_ready()  # e.g. a Kore.ai connection without a stream: fail before any request
        return hook


def summary(connections: list[dict[str, Any]]) -> dict[str, Any]:
    """The drill's result: per connection its facts, the totals, and the contradicted facts."""
    from airflow_provider_campaigns.drill.verdicts import CONFIRMED, CONTRADICTED, NOT_PROBED

    facts = [fact for conn in connections for fact in conn["facts"]]
    return {
        "connections": connections,
        "totals": {outcome: sum(fact["outcome"] == outcome for fact in facts) for outcome in (CONFIRMED, CONTRADICTED, NOT_PROBED)},
        "contradicted": [
            {"conn_id": conn["conn_id"], **fact} for conn in connections for fact in conn["facts"] if fact["outcome"] == CONTRADICTED
        ],
    }


def render(result: dict[str, Any]) -> str:
    """One line per fact: connection, fact, outcome, detail."""
    lines = [
        f"  {conn['conn_id']:<16} {fact['fact']:<26} {fact['outcome']:<12} {fact['detail']}"
        for conn in result["connections"]
        for fact in conn["facts"]
    ]
    totals = ", ".join(f"{count} {outcome}" for outcome, count in result["totals"].items())
    return "\n".join([*lines, f"  totals: {totals}"])


def drill_failure(result: dict[str, Any], connections: list[dict[str, Any]]) -> Exception:
    """``AirflowFailException`` naming each contradicted fact and its doc section; else an ``AirflowException``
    (retryable) naming the probes that could not reach a verdict.
    """
    from airflow.providers.common.compat.sdk import AirflowException, AirflowFailException

    if result["contradicted"]:
        named = "; ".join(
            f"{fact['conn_id']}: {fact['fact']} ({fact['claim']}; {fact['doc']}) — {fact['detail']}" for fact in result["contradicted"]
        )
        return AirflowFailException(
            f"Fire drill: {len(result['contradicted'])} fact(s) contradicted: {named}. The vendor no longer answers as the "
            "client reads it: a kill switch at this vendor would fail; see docs/guides/fire-drill.md."
        )
    errors = "; ".join(
        f"{conn['conn_id']}: {fact['fact']} — {fact['detail']}" for conn in connections for fact in conn["facts"] if fact["error"]
    )
    return AirflowException(f"Fire drill could not vouch for every connection: {errors}.")
