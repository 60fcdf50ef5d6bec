"""Benchmark 2: what one BSG stop costs through the hook and the operator, against a bare ``requests`` PATCH.

The simulator runs in a subprocess (no latency), so the client's work is measured, not the
server's GIL share. Five ways of stopping, interleaved round by round on fresh campaigns:

- ``bare``: one ``requests.Session``, logged in once, ``PATCH /api/campaigns/{id}/stop`` + ``.json()``;
- ``hook``: ``BsgHook().stop_campaign(id)`` after one ``login()``;
- ``operator``: ``BsgStopCampaignOperator(campaign_id=id).execute(...)``: one task, so one login + one stop;
- ``bare task``: what that task does, by hand: new session, login, PATCH, close;
- ``hook task``: the same through a fresh ``BsgHook`` (connection, login, stop, close timed apart).

Each task in Airflow runs in a fresh process whose secrets masker starts empty; here all tasks share
one process, so the masker is emptied before each task (outside the timing) to match. The task
context's ``ti`` is a stub without task-instance ids, so the operator keeps no retry journal (an
Airflow Variable: it needs a real task run; the ``dag.test()`` figures of benchmark 3 include it).

A separate pass of 100 hook stops times ``status.iso_utc`` (the normalization of each timestamp of
the vendor's answer) inside real stops, to show its share of the client CPU a stop costs.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from benchmarks.common import (
    Result,
    SimProcess,
    env_vars,
    execute_kwargs,
    log,
    login_requests,
    median,
    ms,
    quiet,
    reset_masker,
    stop_requests,
    task_context,
)

TARGET_RATIO = 1.10


def _tasks_with_latency(count: int, latency: float) -> tuple[float, float]:
    """Median seconds of a one-campaign operator task and of bare login+PATCH, with simulated vendor latency."""
    import requests

    from airflow_provider_campaigns.operators.bsg import BsgStopCampaignOperator

    operator_s: list[float] = []
    bare_s: list[float] = []
    with SimProcess(campaigns=2 * count, latency=latency) as sim, env_vars(sim.env), quiet("overhead"):
        base, api_key = sim.bsg_connection["host"], sim.bsg_connection["password"]
        for first, second in zip(sim.bsg_ids[::2], sim.bsg_ids[1::2], strict=True):
            operator = BsgStopCampaignOperator(task_id=f"stop_{first}", campaign_id=first)
            context, kwargs = task_context(), execute_kwargs(operator)
            reset_masker()
            started = time.perf_counter()
            operator.execute(context, **kwargs)
            operator_s.append(time.perf_counter() - started)
            started = time.perf_counter()
            with requests.Session() as own:
                own.trust_env = False
                jwt = own.post(f"{base}/api/auth/login", json={"api_key": api_key}, timeout=10).json()["bearer"]
                own.patch(f"{base}/api/campaigns/{second}/stop", headers={"Authorization": f"Bearer {jwt}"}, timeout=10).json()
            bare_s.append(time.perf_counter() - started)
    return median(operator_s), median(bare_s)


def _timestamps_in_context(hook: Any, ids: list[int]) -> tuple[float, float]:
    """Seconds per stop spent in ``status.iso_utc`` (and calls per stop), timed inside real ``hook`` stops.

    A separate pass: the timing wrapper is not in the stops measured above.
    """
    from airflow_provider_campaigns.vendors import base

    original = base.iso_utc
    spent: list[float] = []

    def timed(value: str) -> str:
        started = time.perf_counter()
        try:
            return original(value)
        finally:
            spent.append(time.perf_counter() - started)

    base.iso_utc = timed  # type: ignore[assignment]
    try:
        for campaign_id in ids:
            hook.stop_campaign(campaign_id)
    finally:
        base.iso_utc = original  # type: ignore[assignment]
    return sum(spent) / len(ids), len(spent) / len(ids)


def run(quick: bool = False) -> Result:
    import requests

    from airflow_provider_campaigns.hooks.bsg import BsgHook
    from airflow_provider_campaigns.operators.bsg import BsgStopCampaignOperator

    result = Result("2 overhead")
    per_way = 100 if quick else 500  # bare and hook stops
    per_task = 40 if quick else 150  # operator, bare-task and hook-task iterations (each one login + one stop)
    rounds = 10
    warmup = 20
    in_context = 100  # stops timing status.iso_utc inside the hook (a separate pass)
    total = 2 * per_way + 3 * per_task + 5 * warmup + in_context
    log(f"overhead: {per_way} stops through bare requests and through BsgHook, {per_task} one-campaign tasks, {rounds} interleaved rounds")
    times: dict[str, list[float]] = {"bare": [], "hook": [], "operator": [], "bare task": [], "hook task": []}
    cpu: dict[str, list[float]] = {way: [] for way in times}
    parts: list[tuple[float, float, float, float]] = []
    built: list[float] = []
    round_ratios: list[float] = []
    task_ratios: list[float] = []
    masker_resets = reset_masker()

    with SimProcess(campaigns=total) as sim, env_vars(sim.env), quiet("overhead"):
        conn = sim.bsg_connection
        base, api_key = conn["host"], conn["password"]
        ids: Iterator[int] = iter(sim.bsg_ids)

        session = requests.Session()
        session.trust_env = False
        token = session.post(f"{base}/api/auth/login", json={"api_key": api_key}, timeout=10).json()["bearer"]
        bearer = {"Authorization": f"Bearer {token}"}
        hook = BsgHook()
        hook.login()

        def bare(campaign_id: int) -> Callable[[], Any]:
            def call() -> None:
                response = session.patch(f"{base}/api/campaigns/{campaign_id}/stop", headers=bearer, timeout=10)
                response.raise_for_status()
                response.json()

            return call

        def through_hook(campaign_id: int) -> Callable[[], Any]:
            return lambda: hook.stop_campaign(campaign_id)

        def bare_task(campaign_id: int) -> Callable[[], Any]:
            def call() -> None:
                with requests.Session() as own:
                    own.trust_env = False
                    jwt = own.post(f"{base}/api/auth/login", json={"api_key": api_key}, timeout=10).json()["bearer"]
                    response = own.patch(f"{base}/api/campaigns/{campaign_id}/stop", headers={"Authorization": f"Bearer {jwt}"}, timeout=10)
                    response.raise_for_status()
                    response.json()

            return call

        def hook_task(campaign_id: int) -> Callable[[], Any]:
            reset_masker()

            def call() -> None:
                started = time.perf_counter()
                own = BsgHook()
                own.connection  # noqa: B018 - reading the connection is the first thing a stop does
                connected = time.perf_counter()
                own.login()
                logged_in = time.perf_counter()
                own.stop_campaign(campaign_id)
                stopped = time.perf_counter()
                own.close()
                parts.append((connected - started, logged_in - connected, stopped - logged_in, time.perf_counter() - stopped))

            return call

        def operator_task(campaign_id: int) -> Callable[[], Any]:
            started = time.perf_counter()
            operator = BsgStopCampaignOperator(task_id=f"stop_{campaign_id}", campaign_id=campaign_id)
            built.append(time.perf_counter() - started)
            context = task_context()
            kwargs = execute_kwargs(operator)
            reset_masker()
            return lambda: operator.execute(context, **kwargs)

        def timed(way: str, count: int, prepare: Callable[[int], Callable[[], Any]], record: bool = True) -> list[float]:
            spent, used = [], []
            for _ in range(count):
                call = prepare(next(ids))  # setup (operator construction, masker reset) is not timed
                started, cpu_started = time.perf_counter(), time.thread_time()
                call()
                used.append(time.thread_time() - cpu_started)
                spent.append(time.perf_counter() - started)
            if record:
                times[way].extend(spent)
                cpu[way].extend(used)
            return spent

        ways = {"bare": bare, "hook": through_hook, "operator": operator_task, "bare task": bare_task, "hook task": hook_task}
        for way, prepare in ways.items():
            timed(way, warmup, prepare, record=False)
        parts.clear()
        built.clear()
        for _ in range(rounds):
            b = timed("bare", per_way // rounds, bare)
            h = timed("hook", per_way // rounds, through_hook)
            o = timed("operator", per_task // rounds, operator_task)
            t = timed("bare task", per_task // rounds, bare_task)
            timed("hook task", per_task // rounds, hook_task)
            round_ratios.append(median(h) / median(b))
            task_ratios.append(median(o) / median(t))
        stamps_per_stop, stamp_calls = _timestamps_in_context(hook, [next(ids) for _ in range(in_context)])
        session.close()
        hook.close()
        entries = sim.requests_log()
    latency_n = 10 if quick else 30
    log(f"overhead: {latency_n} one-campaign operator tasks and bare login+PATCH with 50 ms of vendor latency")
    latency_operator, latency_bare = _tasks_with_latency(latency_n, 0.05)

    med = {way: median(values) for way, values in times.items()}
    cpu_med = {way: median(values) for way, values in cpu.items()}
    ratio = med["hook"] / med["bare"]
    cpu_ratio = cpu_med["hook"] / cpu_med["bare"]
    task_ratio = med["operator"] / med["bare task"]
    part_meds = [median(p[i] for p in parts) for i in range(4)]
    result.raw.update(
        {
            "median_s": med,
            "cpu_median_s": cpu_med,
            "round_ratios": round_ratios,
            "task_ratios": task_ratios,
            "operator_init_s": median(built),
            "hook_task_parts_s": part_meds,
        }
    )

    # Requests: every stop exactly once; logins: bare session 1 + hook 1 + one per operator, bare and hook task.
    stops = stop_requests(entries)
    logins = login_requests(entries)
    per_id = Counter(str(e["path"]) for e in stops)
    others = len(entries) - len(stops) - len(logins)
    tasks = 3 * (per_task + warmup)
    expected_logins = 2 + tasks
    minimal = len(stops) == total and set(per_id.values()) == {1} and len(logins) == expected_logins and others == 0
    result.raw.update({"stops": len(stops), "logins": len(logins), "other_requests": others})

    result.row(
        f"BsgHook stop {ms(med['hook'])} vs bare requests PATCH {ms(med['bare'])} (medians of {per_way}): ratio {ratio:.2f} "
        f"(10 interleaved rounds: {min(round_ratios):.2f}-{max(round_ratios):.2f})",
        f"<= {TARGET_RATIO:.2f}",
        ratio <= TARGET_RATIO,
    )
    result.row(
        f"client CPU per stop (thread time, same samples): BsgHook {cpu_med['hook'] * 1e6:.0f} us vs bare {cpu_med['bare'] * 1e6:.0f} us: "
        f"ratio {cpu_ratio:.2f}",
        "",
        None,
    )
    extra_cpu = cpu_med["hook"] - cpu_med["bare"]
    result.row(
        f"  the hook's CPU beyond bare requests, {extra_cpu * 1e6:.0f} us per stop, includes: reading the answer's "
        f"{stamp_calls:.0f} timestamps (status.iso_utc) {stamps_per_stop * 1e6:.0f} us (timed inside {in_context} "
        f"real stops, a separate pass)",
        "",
        None,
    )
    result.raw["iso_utc_s_per_stop"] = stamps_per_stop
    result.row(
        f"operator task {ms(med['operator'])} vs bare login+PATCH {ms(med['bare task'])} (medians of {per_task}): ratio {task_ratio:.2f} "
        f"(rounds {min(task_ratios):.2f}-{max(task_ratios):.2f}); fresh BsgHook doing the same {ms(med['hook task'])}",
        f"<= {TARGET_RATIO:.2f}",
        task_ratio <= TARGET_RATIO,
    )
    result.row(
        f"  same with 50 ms vendor latency: operator task {ms(latency_operator)} vs bare login+PATCH {ms(latency_bare)} "
        f"(medians of {latency_n}): ratio {latency_operator / latency_bare:.3f}",
        f"<= {TARGET_RATIO:.2f}",
        latency_operator / latency_bare <= TARGET_RATIO,
    )
    result.row(
        f"requests seen by the simulator: {len(stops)} stops for {total} campaigns (each exactly once: {set(per_id.values()) == {1}}), "
        f"{len(logins)} logins = {tasks} one-campaign tasks + hook + bare session (expected {expected_logins}), {others} other",
        "1 login per task + 1 request per campaign",
        minimal,
    )
    result.note(
        f"Overhead, one fresh BsgHook per task (medians): connection read {ms(part_meds[0])}, login {ms(part_meds[1])}, "
        f"stop {ms(part_meds[2])}, close {ms(part_meds[3])}; the operator adds {ms(med['operator'] - med['hook task'])} on top "
        f"(parts and selection, stop batch, result, task-log table), and constructing it costs {ms(median(built))} at DAG-parse time. "
        "Client time per request, simulator in its own process without latency, logging at WARNING (task-log writing not "
        "measured)" + ("" if masker_resets else "; the secrets masker could not be reset between tasks") + "."
    )
    return result


if __name__ == "__main__":
    from benchmarks.run import main

    sys.exit(main(["overhead", *sys.argv[1:]]))
