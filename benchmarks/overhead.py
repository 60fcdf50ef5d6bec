"""Benchmark 2: what one BSG stop costs through the hook and the operator, against a bare ``requests`` PATCH.

The simulator runs in a subprocess (no latency), so the client's work is measured, not the
server's GIL share. Five ways of stopping, interleaved round by round on fresh campaigns:

- ``bare``: one ``requests.Session``, logged in once, ``PATCH /api/campaigns/{id}/stop`` + ``.json()``;
- ``hook``: ``BsgHook().stop_campaign(id)`` after one ``login()``;
- ``operator``: ``BsgStopCampaignOperator(campaign_id=id).execute(...)``: one task, so one login + one stop;
- ``bare task``: what that task does, by hand: new session, login, PATCH, close;
- ``hook task``: the same through a fresh ``BsgHook`` (connection, login, stop, close timed apart).

Each task in Airflow runs in a fresh process whose secrets masker starts empty; here all tasks share
one process, so the masker is emptied before each task (outside the timing) to match.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from benchmarks.common import Result, SimProcess, env_vars, log, login_requests, median, ms, quiet, stop_requests

TARGET_RATIO = 1.10


def _execute_kwargs(operator: Any) -> dict[str, Any]:
    """The sentinel the Task Runner passes, so ``execute`` runs as in a task (no "outside the Task Runner" warning)."""
    try:
        from airflow.sdk.bases.operator import ExecutorSafeguard
    except ImportError:  # Airflow 2
        from airflow.models.baseoperator import ExecutorSafeguard  # type: ignore[no-redef,attr-defined]
    return {f"{type(operator).__name__}__sentinel": ExecutorSafeguard.sentinel_value}


def reset_masker() -> bool:
    """Empty Airflow's secrets masker, as a fresh task process has it (``False`` when not reachable)."""
    try:
        from airflow.sdk._shared.secrets_masker.secrets_masker import _secrets_masker
    except ImportError:
        return False
    _secrets_masker().reset_masker()
    return True


def _tasks_with_latency(count: int, latency: float) -> tuple[float, float]:
    """Median seconds of a one-campaign operator task and of bare login+PATCH, with simulated vendor latency."""
    from unittest.mock import MagicMock

    import requests

    from airflow_provider_campaigns.operators.bsg import BsgStopCampaignOperator

    operator_s: list[float] = []
    bare_s: list[float] = []
    with SimProcess(campaigns=2 * count, latency=latency) as sim, env_vars(sim.env), quiet("overhead"):
        base, api_key = sim.bsg_connection["host"], sim.bsg_connection["password"]
        for first, second in zip(sim.bsg_ids[::2], sim.bsg_ids[1::2], strict=True):
            operator = BsgStopCampaignOperator(task_id=f"stop_{first}", campaign_id=first)
            context, kwargs = {"ti": MagicMock()}, _execute_kwargs(operator)
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


def run(quick: bool = False) -> Result:
    from unittest.mock import MagicMock

    import requests

    from airflow_provider_campaigns.hooks.bsg import BsgHook
    from airflow_provider_campaigns.operators.bsg import BsgStopCampaignOperator

    result = Result("2 overhead")
    per_way = 100 if quick else 500  # bare and hook stops
    per_task = 40 if quick else 150  # operator, bare-task and hook-task iterations (each one login + one stop)
    rounds = 10
    warmup = 20
    total = 2 * per_way + 3 * per_task + 5 * warmup
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
            context = {"ti": MagicMock()}
            kwargs = _execute_kwargs(operator)
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
        f"(validation, stop_all's thread pool, report), and constructing it costs {ms(median(built))} at DAG-parse time. "
        "Client time per request, simulator in its own process without latency, logging at WARNING (task-log writing not "
        "measured)" + ("" if masker_resets else "; the secrets masker could not be reset between tasks") + "."
    )
    return result


if __name__ == "__main__":
    from benchmarks.run import main

    sys.exit(main(["overhead", *sys.argv[1:]]))
