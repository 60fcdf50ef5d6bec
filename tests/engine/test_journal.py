"""The stop journal: what a retry learns from earlier tries, and that writing it never fails a stop."""

from __future__ import annotations

from typing import Any

from airflow_provider_campaigns.engine.journal import Journal, journal_for, journal_key, last_try
from airflow_provider_campaigns.engine.results import entry


class Store:
    def __init__(self, saved: dict[str, Any] | None = None, broken: bool = False) -> None:
        self.saved = dict(saved or {})
        self.broken = broken
        self.writes = 0

    def load(self, key: str) -> Any:
        if self.broken:
            raise ConnectionError("metadata database restarting")
        return self.saved.get(key)

    def save(self, key: str, value: Any) -> None:
        if self.broken:
            raise ConnectionError("metadata database restarting")
        self.writes += 1
        self.saved[key] = value

    def delete(self, key: str) -> None:
        self.saved.pop(key, None)


def stopped(label: str) -> Any:
    return entry("bsg", "bsg_default", {"id": int(label)}, label, "stopped")


def test_earlier_tries_planned_and_final_outcomes_are_known_failed_ones_are_not(clock):
    failed = entry("bsg", "bsg_default", {"id": 3}, "3", "failed", error="503")
    store = Store({"k": {"bsg:bsg_default": {"planned": ["1", "2", "3"], "done": {"1": stopped("1"), "3": failed}}}})
    planned, done = Journal("k", store, clock).earlier("bsg:bsg_default")
    assert planned == {"1", "2", "3"} and set(done) == {"1"}
    assert Journal("k", store, clock).earlier("kore:kore_default") == (set(), {})


def test_outcomes_are_written_at_a_rhythm_and_the_plan_at_once(clock):
    store = Store()
    journal = Journal("k", store, clock, flush_every=0.5)
    journal.plan("g", ["1", "2", "3"])
    assert store.writes == 1 and store.saved["k"]["g"]["planned"] == ["1", "2", "3"]
    journal.record("g", stopped("1"))
    journal.record("g", stopped("2"))
    assert store.writes == 1, "within the rhythm: not written per campaign"
    clock.advance(0.6)
    journal.record("g", stopped("3"))
    assert store.writes == 2 and set(store.saved["k"]["g"]["done"]) == {"1", "2", "3"}


def test_a_finished_task_deletes_its_journal_an_unfinished_one_keeps_it(clock):
    store = Store()
    journal = Journal("k", store, clock)
    journal.plan("g", ["1"])
    journal.close(finished=False)
    assert "k" in store.saved
    journal.close(finished=True)
    assert "k" not in store.saved


def test_a_journal_that_cannot_be_written_never_fails_the_stop(clock, caplog):
    journal = Journal("k", Store(broken=True), clock, flush_every=0)
    journal.plan("g", ["1"])
    journal.record("g", stopped("1"))
    journal.close(finished=True)
    assert journal.earlier("g") == (set(), {})
    assert "Could not write the stop journal" in caplog.text


def test_keys_differ_per_task_instance_and_fit_a_variable_key():
    keys = {journal_key("dag", f"run-{n}", "task", index) for n in range(3) for index in (-1, 0)}
    assert len(keys) == 6 and all(len(key) < 100 for key in keys)


class TI:
    def __init__(self, **ids: Any) -> None:
        self.__dict__.update(ids)


def test_only_a_real_task_instance_gets_a_journal():
    assert journal_for({}) is None and journal_for({"ti": TI(task_id="t")}) is None
    journal = journal_for({"ti": TI(dag_id="d", run_id="r", task_id="t", map_index=-1)})
    assert journal is not None and journal.key == journal_key("d", "r", "t", -1)


def test_the_last_try_is_the_one_past_the_retries():
    assert not last_try({"ti": TI(try_number=1, max_tries=3)})
    assert last_try({"ti": TI(try_number=4, max_tries=3)})
    assert last_try({}), "without a task instance, nothing will read the journal again"


def test_writes_from_many_threads_are_one_at_a_time_and_the_last_is_the_newest(clock):
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    class SlowStore(Store):
        def __init__(self) -> None:
            super().__init__()
            self.busy = 0
            self.overlaps = 0
            self.guard = threading.Lock()

        def save(self, key: str, value: Any) -> None:
            with self.guard:
                self.busy += 1
                self.overlaps += self.busy > 1
            time.sleep(0.002)  # a Variable write takes a while: a race would show here
            super().save(key, value)
            with self.guard:
                self.busy -= 1

    store = SlowStore()
    journal = Journal("k", store, clock, flush_every=0)
    labels = [str(n) for n in range(60)]
    journal.plan("g", labels)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda label: journal.record("g", stopped(label)), labels))
    journal.flush(force=True)
    assert store.overlaps == 0, "Airflow's channel to the supervisor is used by one thread at a time"
    assert set(store.saved["k"]["g"]["done"]) == set(labels), "an older snapshot never overwrote a newer one"


def test_a_stop_thread_never_waits_for_another_threads_write_and_its_outcome_goes_with_the_next(clock):
    import threading

    class BlockingStore(Store):
        def __init__(self) -> None:
            super().__init__()
            self.entered = threading.Event()
            self.release = threading.Event()

        def save(self, key: str, value: Any) -> None:
            if self.writes == 1:  # the second write (the first after the plan) blocks until released
                self.entered.set()
                assert self.release.wait(10)
            super().save(key, value)

    store = BlockingStore()
    journal = Journal("k", store, clock, flush_every=0)
    journal.plan("g", ["1", "2"])
    writer = threading.Thread(target=journal.record, args=("g", stopped("1")))
    writer.start()
    assert store.entered.wait(10)
    other = threading.Thread(target=journal.record, args=("g", stopped("2")))
    other.start()
    other.join(5)
    assert not other.is_alive(), "the second stop thread returned although a write was under way"
    assert store.writes == 1, "the blocked write has not finished, and no second write was queued behind it"
    store.release.set()
    writer.join(10)
    journal.flush()
    assert set(store.saved["k"]["g"]["done"]) == {"1", "2"}, "the skipped outcome went with the next flush"
