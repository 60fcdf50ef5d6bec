"""One connection under drill (:class:`DrillContext`) and the answers its probes share, each sent once.

The vendor's facts module may name the first list page the drill reads (``drill_list_request(ctx)``) and
how it refers to a listed campaign (``drill_ref(ctx, campaign_id)``); without them the drill lists as
the kill switch's ``all_active`` target does and refers to a campaign as a task naming its id would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_campaigns.drill.verdicts import NotProbed

if TYPE_CHECKING:
    from airflow_provider_campaigns.core.wire import ApiRequest, Reply
    from airflow_provider_campaigns.hooks.base import CampaignHook
    from airflow_provider_campaigns.protocol.flows import Page
    from airflow_provider_campaigns.registry import VendorEntry

T = TypeVar("T")
U = TypeVar("U")

#: how the drill names itself in the hook's input checks
OWNER = "fire drill"


@dataclass(frozen=True)
class Listed:
    """The first list page as the client read it, and the raw answer it came from."""

    page: Page
    reply: Reply


class DrillContext:
    """One connection under drill: its hook, its vendor's registry entry, and the answers the probes share."""

    def __init__(self, entry: VendorEntry, hook: CampaignHook[Any]) -> None:
        self.entry = entry
        self.vendor = entry.key
        self.hook = hook
        self._facts = entry.facts()
        self._steps: dict[str, Any] = {}

    @property
    def lists_a_page(self) -> bool:
        """Whether the vendor's facts module names the first list page the drill reads (``drill_list_request``)."""
        return hasattr(self._facts, "drill_list_request")

    @property
    def list_request(self) -> ApiRequest[Page]:
        """The request of the first list page the kill switch reads (built once: it may move with the clock)."""
        if not self.lists_a_page:
            raise NotProbed(f"the {self.hook.vendor_name} facts module names no first list page (drill_list_request)")
        return self.step("list request building", lambda: self._facts.drill_list_request(self))  # type: ignore[no-any-return]

    def ref(self, campaign_id: str) -> Any:
        """The reference the client builds for a listed campaign: the facts module's ``drill_ref``, else what a task
        naming that id gets (the hook's selection under the registry's ids key).
        """
        build = getattr(self._facts, "drill_ref", None)
        if build is not None:
            return build(self, campaign_id)
        return self.hook.selection(OWNER, **{self.entry.trigger_form.ids_key: [campaign_id]}).refs[0]

    def listing(self) -> list[Any]:
        """Every active campaign as the kill switch's ``all_active`` target lists them (all pages; sent once)."""
        return self.step("listing", lambda: self.hook.select(self.hook.selection(OWNER, **self.hook.not_final_selection)))

    def token(self) -> str:
        """A token obtained with the connection's credentials (a login, or a mint), once per drill."""
        return self.step("login", lambda: self.hook.run(self.api.auth.token_flow(self.hook.budget())).value)  # type: ignore[no-any-return]

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


# -- the first list page, shared by the probes -----------------------------------------------------


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


def rows(body: Any) -> list[dict[str, Any]]:
    """The raw list rows of an answer body (``data``, or ``data.results`` / ``data.items``)."""
    data = body.get("data") if isinstance(body, dict) else None
    if isinstance(data, dict):
        found = data.get("results", data.get("items"))
        return [row for row in found if isinstance(row, dict)] if isinstance(found, list) else []
    return [row for row in data if isinstance(row, dict)] if isinstance(data, list) else []


def listed_rows(ctx: DrillContext, what: str = "nothing to look at") -> list[dict[str, Any]]:
    """The first page's raw rows; none is :class:`NotProbed` (``the list is empty: <what>``)."""
    found = rows(list_body(ctx))
    if not found:
        raise NotProbed(f"the list is empty: {what}")
    return found


def reply_rows(reply: Reply) -> list[dict[str, Any]]:
    """The raw rows of another answer (none unless it is a 2xx JSON object)."""
    return rows(reply.json()) if reply.ok else []
