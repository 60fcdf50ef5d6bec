"""What a stop task records as it goes, so a retried try of the same run resumes instead of starting over.

Airflow clears a task's XComs when a new try starts, so the record lives in an Airflow Variable
keyed by the task instance (``campaigns_journal_<digest>``). Before any stop is sent, a try writes
the campaigns it is about to stop; as outcomes arrive it writes them (at most every
``flush_every`` seconds, and at the end). A later try of the same run then reports what the earlier
ones did as they did it — ``stopped`` stays ``stopped``, not ``already_final`` — and sends no stop
twice; a campaign an earlier try was stopping when it died and that the vendor now shows stopped
counts as stopped by this run. The Variable is deleted when the task succeeds or runs out of tries.

Writing the journal never fails the stop: if the metadata database is away for a moment, the
write is skipped with a warning and tried again at the next flush.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Protocol

from airflow_provider_campaigns.core.clock import SYSTEM_CLOCK, Clock
from airflow_provider_campaigns.engine.results import FAILED, CampaignEntry

log = logging.getLogger(__name__)

KEY_PREFIX = "campaigns_journal_"


class JournalStore(Protocol):
    """Where journals are kept."""

    def load(self, key: str) -> dict[str, Any] | None:
        """The saved journal, or ``None``."""
        ...

    def save(self, key: str, value: dict[str, Any]) -> None:
        """Save (replace) the journal."""
        ...

    def delete(self, key: str) -> None:
        """Forget the journal."""
        ...


class VariableStore:
    """Journals in Airflow Variables (the metadata database, reached through the task's own API)."""

    def load(self, key: str) -> dict[str, Any] | None:
        """``Variable.get``, JSON decoded here: Airflow hands a decoded dict's values to its secrets masker one by one
        (campaign ids too short to mask make it warn), the JSON text as one non-secret value.
        """
        from airflow.providers.common.compat.sdk import Variable

        text = Variable.get(key, None)
        value = json.loads(text) if isinstance(text, str) else None
        return value if isinstance(value, dict) else None

    def save(self, key: str, value: dict[str, Any]) -> None:
        """``Variable.set`` of the JSON text."""
        from airflow.providers.common.compat.sdk import Variable

        Variable.set(key, json.dumps(value), description="airflow-provider-campaigns: progress of a stop task, for its retries")

    def delete(self, key: str) -> None:
        """``Variable.delete``."""
        from airflow.providers.common.compat.sdk import Variable

        Variable.delete(key)


def journal_key(dag_id: str, run_id: str, task_id: str, map_index: int) -> str:
    """The Variable key of one task instance's journal (a digest: run ids may be long)."""
    digest = hashlib.sha256(f"{dag_id}\x1f{run_id}\x1f{task_id}\x1f{map_index}".encode()).hexdigest()[:40]
    return KEY_PREFIX + digest


class Journal:
    """One task instance's record of planned campaigns and their outcomes, per vendor and connection.

    :param key: see :func:`journal_key`.
    :param flush_every: seconds between writes while outcomes arrive.
    """

    def __init__(self, key: str, store: JournalStore | None = None, clock: Clock = SYSTEM_CLOCK, flush_every: float = 0.5) -> None:
        self.key = key
        self._store = store or VariableStore()
        self._clock = clock
        self._flush_every = flush_every
        self._lock = threading.Lock()
        # one write at a time, in order: a slower thread's older snapshot never overwrites a newer one, and
        # Airflow's task-to-supervisor channel is used by one thread at a time (dag.test's in-process one needs it)
        self._writing = threading.Lock()
        self._earlier = self._safely("read", lambda: self._store.load(key)) or {}
        self._now: dict[str, dict[str, Any]] = {}
        self._dirty = False
        self._flushed_at = clock.monotonic()

    @staticmethod
    def group(vendor: str, conn_id: str) -> str:
        """The journal section of one vendor connection."""
        return f"{vendor}:{conn_id}"

    def earlier(self, group: str) -> tuple[set[str], dict[str, CampaignEntry]]:
        """What earlier tries of this run planned and did for ``group``: (planned labels, final entries by label)."""
        section = self._earlier.get(group) or {}
        planned = set(section.get("planned") or [])
        done = {
            label: item for label, item in (section.get("done") or {}).items() if isinstance(item, dict) and item.get("outcome") != FAILED
        }
        return planned | set(done), done  # type: ignore[return-value]

    def plan(self, group: str, labels: Iterable[str]) -> None:
        """Record the campaigns about to be stopped (written at once: before any stop is sent)."""
        with self._lock:
            earlier = self._earlier.get(group) or {}
            section = self._now.setdefault(group, {"planned": [], "done": dict(earlier.get("done") or {})})
            section["planned"] = sorted({*section["planned"], *labels, *(earlier.get("planned") or [])})
            self._dirty = True
        self.flush(force=True)

    def record(self, group: str, item: CampaignEntry) -> None:
        """Record one campaign's outcome (written with the next flush)."""
        with self._lock:
            self._now.setdefault(group, {"planned": [], "done": {}})["done"][item["campaign_id"]] = dict(item)
            self._dirty = True
        self.flush()

    def flush(self, force: bool = False) -> None:
        """Write the journal if something changed and ``flush_every`` has passed (or ``force``).

        A flush that is not forced never waits for another thread's write: what it would have written stays
        marked changed and goes with the next flush (a batch's stop threads never queue behind the journal).
        """
        if not self._writing.acquire(blocking=force):
            return
        try:
            with self._lock:
                due = force or self._clock.monotonic() - self._flushed_at >= self._flush_every
                if not self._dirty or not due:
                    return
                snapshot = {group: {"planned": list(s["planned"]), "done": dict(s["done"])} for group, s in self._now.items()}
                self._dirty = False
                self._flushed_at = self._clock.monotonic()
            self._safely("write", lambda: self._store.save(self.key, {**self._earlier, **snapshot}))
        finally:
            self._writing.release()

    def close(self, finished: bool) -> None:
        """At the end of a try: delete the journal when the task is finished (success or last try), else write it."""
        if finished:
            with self._writing:
                self._safely("delete", lambda: self._store.delete(self.key))
        else:
            self.flush(force=True)

    def _safely(self, what: str, action: Any) -> Any:
        try:
            return action()
        except Exception as error:  # noqa: BLE001 - a journal must never fail a stop
            log.warning(
                "Could not %s the stop journal (Variable %s): %s: %s. The stop goes on.", what, self.key, type(error).__name__, error
            )
            return None


def journal_for(context: Mapping[str, Any], clock: Clock = SYSTEM_CLOCK) -> Journal | None:
    """The journal of the running task instance, or ``None`` outside a real task run."""
    ti = context.get("ti")
    names = [getattr(ti, name, None) for name in ("dag_id", "run_id", "task_id")]
    map_index = getattr(ti, "map_index", -1)
    if not all(isinstance(name, str) and name for name in names) or not isinstance(map_index, int):
        return None
    dag_id, run_id, task_id = names
    return Journal(journal_key(dag_id, run_id, task_id, map_index), clock=clock)  # type: ignore[arg-type]


@contextmanager
def kept_for_retries(journal: Journal | None, context: Mapping[str, Any]) -> Iterator[Journal | None]:
    """The one rule for ending a try's journal: deleted when the task is finished, kept when a retry will read it.

    Leaving normally finishes the task (deleted). A deferral keeps it for ``execute_complete``. Any
    other error deletes it only when no retry will come (a permanent error, or the last try).
    """
    from airflow.providers.common.compat.sdk import AirflowFailException, TaskDeferred

    try:
        yield journal
    except TaskDeferred:
        raise
    except BaseException as error:
        if journal is not None:
            journal.close(finished=isinstance(error, AirflowFailException) or last_try(context))
        raise
    if journal is not None:
        journal.close(finished=True)


def last_try(context: Mapping[str, Any]) -> bool:
    """Whether the running try is the task instance's last (no retry will read the journal)."""
    ti = context.get("ti")
    try_number, max_tries = getattr(ti, "try_number", None), getattr(ti, "max_tries", None)
    if not isinstance(try_number, int) or not isinstance(max_tries, int):
        return True
    return try_number > max_tries
