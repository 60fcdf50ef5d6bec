"""Async status polling for every vendor, in the triggerer. Reads only; stops are sent by workers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_campaigns.exceptions import CampaignProviderError, ConnectionNotFoundError, PermanentError

MAX_PARALLEL_READS = 10
#: how far past its deadline one poll round may run before the trigger gives up on it
DEADLINE_GRACE = 5.0


def event(status: str, vendor: str, labels: Sequence[str], message: str, statuses: Sequence[Any] = ()) -> dict[str, Any]:
    """The one event shape: ``status`` is ``success``, ``failure``, ``timeout`` or ``error``."""
    from airflow_provider_campaigns.outcomes import status_result

    single = statuses[0].as_dict() if len(statuses) == 1 else {}
    return {
        "status": status,
        "vendor": vendor,
        "campaign_id": labels[0] if len(labels) == 1 else list(labels),
        "state": single.get("state"),
        "vendor_status": single.get("vendor_status"),
        "message": message,
        "result": status_result(statuses) if statuses else None,
    }


class CampaignStatusTrigger(BaseTrigger):
    """Poll campaign statuses until each is final (or in a target state), or the deadline passes.

    Serializes only the vendor key, connection id, campaign references, interval, target states,
    request timeout, status-map additions and a wall-clock ``deadline`` (``time.time()``): never a
    token. Transient poll errors are retried until the deadline; permanent ones end with ``error``.
    """

    def __init__(
        self,
        vendor_key: str,
        conn_id: str,
        refs: Sequence[Mapping[str, str]],
        target_states: Sequence[str],
        poll_interval: float,
        deadline: float,
        request_timeout: float | list[float] | None = None,
        status_map: Mapping[str, str] | None = None,
        api_options: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.vendor_key = vendor_key
        self.conn_id = conn_id
        self.refs = [dict(ref) for ref in refs]
        self.target_states = list(target_states)
        self.poll_interval = float(poll_interval)
        self.deadline = float(deadline)
        self.request_timeout = request_timeout
        self.status_map = dict(status_map) if status_map else None
        self.api_options = dict(api_options) if api_options else None

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """Class path and kwargs; a re-created trigger continues the same wait."""
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "vendor_key": self.vendor_key,
                "conn_id": self.conn_id,
                "refs": self.refs,
                "target_states": self.target_states,
                "poll_interval": self.poll_interval,
                "deadline": self.deadline,
                "request_timeout": self.request_timeout,
                "status_map": self.status_map,
                "api_options": self.api_options,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Poll until done; yield exactly one event (an unexpected failure is an ``error`` event, never a crash)."""
        try:
            payload = await self._poll_until_done()
        except Exception as error:  # noqa: BLE001 - e.g. the connection was deleted while deferred
            vendor = self.vendor_key
            message = f"{vendor}: status wait failed: {type(error).__name__}: {error}"
            payload = event("error", vendor, [r["campaign_id"] for r in self.refs], message)
        yield TriggerEvent(payload)  # type: ignore[no-untyped-call]

    async def _poll_until_done(self) -> dict[str, Any]:
        from airflow.providers.common.compat.connection import get_async_connection
        from airflow.providers.common.compat.sdk import AirflowNotFoundException

        from airflow_provider_campaigns.core.async_transport import AsyncTransport, credential_scope
        from airflow_provider_campaigns.outcomes import judge, target_states
        from airflow_provider_campaigns.vendors import connect, vendor_module
        from airflow_provider_campaigns.vendors.base import status_flow

        vendor = str(vendor_module(self.vendor_key).VENDOR)
        try:
            try:
                conn = await get_async_connection(self.conn_id)
            except AirflowNotFoundException:
                raise ConnectionNotFoundError.for_conn(self.conn_id, self.vendor_key, vendor) from None
            settings, api = connect(self.vendor_key, conn, self.request_timeout, self.status_map, **(self.api_options or {}))
            targets = target_states(self.target_states)
        except CampaignProviderError as error:
            return event("error", vendor, [r["campaign_id"] for r in self.refs], str(error))
        labels = [api.label(ref) for ref in self.refs]
        limit = asyncio.Semaphore(MAX_PARALLEL_READS)

        async def read(ref: Mapping[str, str]) -> Any:
            async with limit:
                return await transport.run(status_flow(api, ref, settings.retry))

        async def read_all() -> list[Any]:
            try:
                async with asyncio.TaskGroup() as group:  # one failure cancels the sibling reads
                    tasks = [group.create_task(read(ref)) for ref in self.refs]
            except ExceptionGroup as failed:
                errors: list[BaseException] = list(failed.exceptions)
                raise next((e for e in errors if isinstance(e, PermanentError)), errors[0]) from None
            return [task.result() for task in tasks]

        last_problem = "no status read yet"
        scope = credential_scope(self.vendor_key, settings.base_url, conn.login, conn.password, conn.extra)
        async with AsyncTransport(settings, api.auth, token_scope=scope) as transport:
            while True:
                remaining = self.deadline - time.time()
                try:
                    # a round never outlives the deadline by more than the grace (a slow vendor included)
                    statuses = await asyncio.wait_for(read_all(), timeout=max(remaining, 0) + DEADLINE_GRACE)
                    verdict = judge(statuses, targets)
                    if verdict.done:
                        return event("success" if verdict.accepted else "failure", vendor, labels, verdict.message, statuses)
                    last_problem = verdict.message
                except TimeoutError:
                    last_problem = "the last status poll did not finish before the deadline"
                except PermanentError as error:
                    return event("error", vendor, labels, str(error))
                except CampaignProviderError as error:
                    last_problem = str(error)
                    self.log.warning("Status poll failed, will poll again until the deadline: %s", error)
                remaining = self.deadline - time.time()
                if remaining <= 0:
                    return event("timeout", vendor, labels, f"{vendor}: deadline passed while waiting; last seen: {last_problem}")
                await asyncio.sleep(min(self.poll_interval, remaining))
