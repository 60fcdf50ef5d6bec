"""Async status polling for every vendor, in the triggerer. Reads only; stops are sent by workers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_campaigns.core.async_transport import CONNECTIONS
from airflow_provider_campaigns.core.clock import SYSTEM_CLOCK, Clock
from airflow_provider_campaigns.engine.wait_payload import DEADLINE_GRACE, status_entry, unpack_refs
from airflow_provider_campaigns.exceptions import CampaignProviderError, PermanentError, error_event

if TYPE_CHECKING:
    from airflow_provider_campaigns.status import CampaignStatus

#: status reads in flight at once per vendor connection of a trigger (as many as its transport sends at
#: once): the rest of a batch of thousands waits its turn here, not as thousands of coroutines, and the
#: event loop runs other triggers between any two reads
READS_IN_FLIGHT = CONNECTIONS
#: references validated, or status entries built for the event, between two yields to the event loop
ENTRIES_PER_YIELD = 500


class CampaignStatusTrigger(BaseTrigger):
    """Poll campaign statuses until each is final (or in a target state), or the deadline passes.

    :param groups: one entry per vendor connection (see :func:`~airflow_provider_campaigns.engine.wait_payload.group`):
        vendor key, connection id,
        campaign references, API options and request timeout.
    :param target_states: normalized states that count as success.
    :param poll_interval: seconds between reads.
    :param deadline: wall-clock time (``time.time()``) the wait ends by.

    Serializes only those: never a token. Transient read errors are retried until the deadline;
    permanent ones end the wait with an ``error`` event. The one event is
    ``{"status": "success" | "failure" | "timeout" | "error", "message", "statuses": [...]}``; an
    ``error`` event from one of this provider's errors also carries ``"error"``: its class and details
    (:func:`~airflow_provider_campaigns.exceptions.error_event`), so the task fails with the same error.
    """

    #: the clock of every wait and deadline (a test replaces it on the instance; it is never serialized)
    clock: Clock = SYSTEM_CLOCK

    def __init__(self, groups: Sequence[Mapping[str, Any]], target_states: Sequence[str], poll_interval: float, deadline: float) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.groups = [dict(g) for g in groups]
        self.target_states = list(target_states)
        self.poll_interval = float(poll_interval)
        self.deadline = float(deadline)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """Class path and kwargs; a re-created trigger continues the same wait."""
        kwargs = {
            "groups": self.groups,
            "target_states": self.target_states,
            "poll_interval": self.poll_interval,
            "deadline": self.deadline,
        }
        return f"{type(self).__module__}.{type(self).__qualname__}", kwargs

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Poll until done; yield exactly one event (an unexpected failure is an ``error`` event, never a crash)."""
        try:
            payload = await self._wait()
        except CampaignProviderError as error:
            payload = {"status": "error", "message": str(error), "statuses": [], "error": error_event(error)}
        except Exception as error:  # noqa: BLE001 - e.g. the connection was deleted while deferred
            payload = {"status": "error", "message": f"status wait failed: {type(error).__name__}: {error}", "statuses": []}
        yield TriggerEvent(payload)  # type: ignore[no-untyped-call]

    async def _wait(self) -> dict[str, Any]:
        from contextlib import AsyncExitStack

        from airflow_provider_campaigns.core.flow import drive_async
        from airflow_provider_campaigns.engine.wait import ReadStatuses, target_states, wait_flow

        targets = target_states(self.target_states)
        clock = self.clock
        async with AsyncExitStack() as stack:
            readers = [await stack.enter_async_context(_GroupReader(g, clock)) for g in self.groups]
            count = sum(len(reader.refs) for reader in readers)
            what = " + ".join(f"{reader.spec.name} ({len(reader.refs)})" for reader in readers) or "nothing"
            flow = wait_flow(f"{count} campaign(s) at {what}", targets, self.poll_interval, self.deadline, clock, self.log)

            async def perform(action: Any) -> Any:
                if isinstance(action, ReadStatuses):
                    return await self._read(readers, clock)
                await clock.asleep(action.seconds)
                return None

            outcome = await drive_async(flow, perform)
            statuses = await _entries(readers) if outcome.statuses else []
            return {"status": outcome.status, "message": outcome.message, "statuses": statuses}

    async def _read(self, readers: list[_GroupReader], clock: Any) -> Any:
        """Every group's statuses; a transient failure is the answer (the flow reads again), a permanent one ends the wait."""
        now = clock.time()
        # The round's own limit: the grace counts from the deadline, or from now for a trigger resumed after it
        # (a triggerer restarted late still reads once, as the wait's last look).
        until = max(self.deadline, now) + DEADLINE_GRACE
        try:
            results = await asyncio.wait_for(
                asyncio.gather(*(reader.read(until) for reader in readers), return_exceptions=True),
                until - now,
            )
        except TimeoutError:
            from airflow_provider_campaigns.exceptions import TransientError

            return TransientError("a status poll did not finish before the deadline")
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            permanent = next((e for e in errors if isinstance(e, PermanentError)), None)
            if permanent is not None:
                raise permanent
            if not all(isinstance(e, CampaignProviderError) for e in errors):
                raise errors[0]
            return errors[0]
        return [status for statuses in results for status in statuses]  # type: ignore[union-attr]


class _GroupReader:
    """One vendor connection's reads in the triggerer: its async transport, API and references."""

    def __init__(self, spec_group: Mapping[str, Any], clock: Clock) -> None:
        from airflow_provider_campaigns.registry import vendor_spec

        self._clock = clock
        self.key = str(spec_group["vendor"])
        self.conn_id = str(spec_group["conn_id"])
        self.spec = vendor_spec(self.key)
        self._raw_refs = unpack_refs(spec_group["refs"])
        self.refs: list[Any] = []
        self._options = self.spec.options(**(spec_group.get("options") or {}))
        self._timeout = spec_group.get("request_timeout")
        self.last: list[CampaignStatus] = []

    async def __aenter__(self) -> _GroupReader:
        from airflow.providers.common.compat.connection import get_async_connection
        from airflow.providers.common.compat.sdk import AirflowNotFoundException

        from airflow_provider_campaigns.core.async_transport import AsyncTransport, credential_scope
        from airflow_provider_campaigns.exceptions import ConnectionNotFoundError

        for index, raw in enumerate(self._raw_refs, 1):  # validated again: thousands take a while, so in chunks
            self.refs.append(self.spec.ref.from_dict(raw))  # type: ignore[attr-defined]
            if index % ENTRIES_PER_YIELD == 0:
                await asyncio.sleep(0)
        try:
            conn = await get_async_connection(self.conn_id)
        except AirflowNotFoundException:
            raise ConnectionNotFoundError.for_conn(self.conn_id, self.key, self.spec.name) from None
        self.settings, self.api = self.spec.connect(conn, self._timeout, self._options)
        scope = credential_scope(self.key, self.settings.base_url, conn.login, conn.password, conn.extra)
        self.transport = AsyncTransport(self.settings, self.api.auth, token_scope=scope, clock=self._clock)
        await self.transport.__aenter__()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.transport.__aexit__(*exc_info)

    async def read(self, until: float) -> list[CampaignStatus]:
        """Every reference's status, at most :data:`READS_IN_FLIGHT` at a time, yielding to the event loop between reads.

        ``until`` (wall clock; the later of the trigger's deadline and the round's start, plus :data:`DEADLINE_GRACE`:
        the round's own time limit): no read starts after it; a round it cuts short is a :class:`TransientError` (the wait then ends as a
        timeout). The first error stops the round (reads in flight finish): a permanent one is raised before a
        transient one. :attr:`last` changes only when every status was read.
        """
        from airflow_provider_campaigns.exceptions import TransientError
        from airflow_provider_campaigns.protocol.flows import status_flow

        budget = self.transport.budget()
        statuses: list[CampaignStatus | None] = [None] * len(self.refs)
        queue = iter(enumerate(self.refs))
        errors: list[BaseException] = []

        async def reads() -> None:
            for index, ref in queue:  # one iterator shared by every worker: each reference is read once
                if errors or self._clock.time() > until:
                    return
                try:
                    statuses[index] = await self.transport.run(status_flow(self.api, ref, budget))
                except Exception as error:  # noqa: BLE001 - raised below, once the reads in flight are done
                    errors.append(error)
                    return
                await asyncio.sleep(0)  # a read that needed no I/O wait (a quick answer) still lets others run

        await asyncio.gather(*(reads() for _ in range(min(READS_IN_FLIGHT, len(self.refs)))))
        if errors:
            raise next((e for e in errors if isinstance(e, PermanentError)), errors[0])
        read = [status for status in statuses if status is not None]
        if len(read) < len(self.refs):
            raise TransientError(
                f"{self.spec.name} ({self.conn_id}): the deadline (and {DEADLINE_GRACE:g} s of grace) passed during a poll round, "
                f"{len(read)} of {len(self.refs)} statuses read in it"
            )
        self.last = read
        return self.last


async def _entries(readers: list[_GroupReader]) -> list[dict[str, Any]]:
    """The event's status entries (every reader's last statuses), yielding to the event loop every :data:`ENTRIES_PER_YIELD`."""
    entries: list[dict[str, Any]] = []
    for reader in readers:
        for ref, status in zip(reader.refs, reader.last, strict=True):
            entries.append(status_entry(reader.key, reader.conn_id, status, ref))
            if len(entries) % ENTRIES_PER_YIELD == 0:
                await asyncio.sleep(0)
    return entries
