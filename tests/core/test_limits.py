"""The adaptive concurrency limit: slows down under sustained 429s, not under a few, and recovers."""

from __future__ import annotations

import asyncio
import random
import threading

from airflow_provider_campaigns.core.limits import AdaptiveLimit, AsyncGate, SyncGate


def test_a_steady_minority_of_429s_does_not_slow_the_batch(clock):
    limit = AdaptiveLimit(32, clock=clock)
    rng = random.Random(3)
    for _ in range(2000):
        limit.record(throttled=rng.random() < 0.3, retry_after=1.0)
        clock.advance(0.01)
    assert limit.limit == 32 and limit.cuts == 0 and limit.throttled > 500


def test_a_storm_of_429s_halves_the_limit_at_most_once_per_retry_after(clock):
    limit = AdaptiveLimit(32, clock=clock)
    for _ in range(100):  # 100 answers within 0.5 s, all 429
        limit.record(throttled=True, retry_after=1.0)
        clock.advance(0.005)
    assert limit.limit == 16 and limit.cuts == 1
    clock.advance(1.0)
    limit.record(throttled=True, retry_after=1.0)
    assert limit.limit == 8 and limit.cuts == 2


def test_the_limit_never_goes_below_its_minimum(clock):
    limit = AdaptiveLimit(8, minimum=2, clock=clock)
    for _ in range(100):
        limit.record(throttled=True)
        clock.advance(2.0)
    assert limit.limit == 2


def test_speed_comes_back_quickly_when_429s_stop(clock):
    limit = AdaptiveLimit(32, clock=clock)
    for _ in range(60):
        limit.record(throttled=True)
        clock.advance(1.1)
    assert limit.limit == 1
    answers = 0
    while limit.limit < 32:
        limit.record(throttled=False)
        answers += 1
    assert answers <= 100, f"back to full speed after {answers} good answers"


def test_the_sync_gate_holds_in_flight_requests_to_the_limit():
    limit = AdaptiveLimit(3)
    gate = SyncGate(limit)
    in_flight, peak = 0, 0
    lock = threading.Lock()
    release = threading.Event()

    def worker() -> None:
        nonlocal in_flight, peak
        with gate.slot():
            with lock:
                in_flight += 1
                peak = max(peak, in_flight)
            release.wait(1)
            with lock:
                in_flight -= 1

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(5)
    assert peak == 3


def test_the_async_gate_holds_in_flight_requests_to_the_limit():
    limit = AdaptiveLimit(4)
    gate = AsyncGate(limit)
    state = {"now": 0, "peak": 0}

    async def worker() -> None:
        async with gate.slot():
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
            await asyncio.sleep(0.01)
            state["now"] -= 1

    async def main() -> None:
        await asyncio.gather(*(worker() for _ in range(20)))

    asyncio.run(main())
    assert state["peak"] == 4


def test_the_async_gate_serves_waiters_in_order_and_grows_with_the_limit():
    limit = AdaptiveLimit(1)
    gate = AsyncGate(limit)
    order: list[int] = []

    async def worker(number: int) -> None:
        async with gate.slot():
            order.append(number)
            await asyncio.sleep(0)

    async def main() -> None:
        await asyncio.gather(*(worker(n) for n in range(10)))

    asyncio.run(main())
    assert order == list(range(10))


def test_a_cancelled_wait_gives_no_slot_away_and_keeps_none():
    limit = AdaptiveLimit(1)
    gate = AsyncGate(limit)

    async def main() -> list[str]:
        seen: list[str] = []
        release = asyncio.Event()

        async def holder() -> None:
            async with gate.slot():
                await release.wait()

        async def waiter(name: str) -> None:
            async with gate.slot():
                seen.append(name)

        first = asyncio.create_task(holder())
        await asyncio.sleep(0)
        cancelled = asyncio.create_task(waiter("cancelled"))
        patient = asyncio.create_task(waiter("patient"))
        await asyncio.sleep(0)
        cancelled.cancel()
        release.set()
        await asyncio.gather(first, patient)
        await asyncio.gather(cancelled, return_exceptions=True)
        async with gate.slot():  # the slot is free again: nothing leaked
            seen.append("after")
        return seen

    assert asyncio.run(main()) == ["patient", "after"]
