"""Benchmark 4: 1,000 deferred ``CampaignStatusTrigger`` waiting in ONE asyncio event loop.

Each variant runs in a fresh child process (``python -m benchmarks.waiting --child ...``) so that its
memory, CPU and Airflow secrets masker start clean; the simulator runs in another process (50 ms latency).
The child measures RSS and CPU while the triggers wait; the parent reads the simulator's request log to
see when each trigger polled.

Variants (the last two are prototypes of a package change, patched into the child process only):

- ``as-is``: the package as it is: each trigger opens its own ``httpx.AsyncClient`` and logs in itself;
- ``proposed``: same, plus (a) one ``ssl.SSLContext`` per process shared by every client (a no-op once the
  package does it itself, as it does since it caches ``_ssl_context``) and (b) one BSG token per process and
  connection, shared by the triggers in memory (never serialized);
- ``shared-client``: (b) plus ONE ``AsyncClient`` for all triggers (32 connections, 32 requests in flight),
  the pool suggested in the issue, to see httpcore's behaviour with many waiters (encode/httpx#3215).

Also measured in isolation: what one ``AsyncClient`` costs, and what Airflow's secrets masker costs per
new secret (it recompiles one regex of every secret it holds).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks.common import BENCH_TMP, REPO, Result, SimProcess, log, login_requests, status_reads

LATENCY = 0.05
POLL_INTERVAL = 5.0
WAIT_FOR = 12.0  # trigger deadline, seconds after start: three polls each
TARGET_KB = 100.0
TARGET_ROUND_S = 2.0


# -- child side ------------------------------------------------------------------------------------
def _rss() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)


def _patch_shared_ssl() -> None:
    """Prototype (a): every ``httpx.AsyncClient`` of this process reuses one SSL context per ``verify`` value."""
    import ssl

    import httpx

    contexts: dict[Any, ssl.SSLContext] = {}
    original = httpx.AsyncClient

    class SharedSslAsyncClient(original):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, verify: Any = True, **kwargs: Any) -> None:
            if not isinstance(verify, ssl.SSLContext):
                if verify not in contexts:
                    contexts[verify] = httpx.create_ssl_context(verify=verify)
                verify = contexts[verify]
            super().__init__(*args, verify=verify, **kwargs)

    httpx.AsyncClient = SharedSslAsyncClient  # type: ignore[misc]


#: The prototype's per-process token slots (emptied after the warm-up, so the measured run logs in itself).
_SHARED_SLOTS: dict[tuple[str, str, str], tuple[Any, asyncio.Lock]] = {}


def _patch_shared_tokens() -> None:
    """Prototype (b): one token slot per process and (vendor auth, base URL, credentials), shared in memory."""
    import hashlib

    from airflow_provider_campaigns.core import async_transport
    from airflow_provider_campaigns.core.tokens import TokenSlot

    slots = _SHARED_SLOTS

    async def _token(self: Any, stale: str | None) -> str:
        fingerprint = hashlib.sha256(repr(sorted(vars(self.auth).items(), key=str)).encode()).hexdigest()
        key = (type(self.auth).__qualname__, self.settings.base_url, fingerprint)
        if key not in slots:
            slots[key] = (TokenSlot(), asyncio.Lock())
        slot, lock = slots[key]
        async with lock:
            if slot.needs_refresh(stale):
                return str(slot.store(await self.run(self.auth.token_flow())))
            return str(slot.token.value)

    async_transport.AsyncTransport._token = _token  # type: ignore[method-assign]


def _patch_shared_client(connections: int) -> None:
    """One ``AsyncClient`` per process and settings, ``connections`` connections and requests in flight."""
    import httpx

    from airflow_provider_campaigns.core import async_transport

    transport_class = async_transport.AsyncTransport
    original_enter, original_send = transport_class.__aenter__, transport_class._send
    clients: dict[Any, Any] = {}
    gates: dict[Any, asyncio.Semaphore] = {}
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    original_client = httpx.AsyncClient

    class LimitedAsyncClient(original_client):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("limits", limits)
            super().__init__(*args, **kwargs)

    httpx.AsyncClient = LimitedAsyncClient  # type: ignore[misc]

    def key(self: Any) -> Any:
        return (self.settings.base_url, self.settings.timeout, str(self.settings.verify))

    async def __aenter__(self: Any) -> Any:
        if key(self) not in clients:
            await original_enter(self)
            clients[key(self)] = self._client
            gates[key(self)] = asyncio.Semaphore(connections)
        self._client = clients[key(self)]
        return self

    async def __aexit__(self: Any, *exc_info: object) -> None:
        self._client = None  # shared: closed with the process

    async def _send(self: Any, action: Any) -> Any:
        async with gates[key(self)]:
            return await original_send(self, action)

    transport_class.__aenter__ = __aenter__  # type: ignore[method-assign]
    transport_class.__aexit__ = __aexit__  # type: ignore[method-assign]
    transport_class._send = _send  # type: ignore[method-assign]


async def _wait_all(ids: list[int], wall: float, out: Path) -> dict[str, Any]:
    from airflow_provider_campaigns.triggers.status import CampaignStatusTrigger

    def trigger(campaign_id: int, interval: float, deadline: float) -> Any:
        return CampaignStatusTrigger(
            vendor_key="bsg",
            conn_id="bsg_default",
            refs=[{"campaign_id": str(campaign_id), "channel": "sms"}],
            target_states=["stopped", "completed"],
            poll_interval=interval,
            deadline=deadline,
        )

    async def drive(item: Any) -> str:
        async for event in item.run():
            return str(event.payload.get("status"))
        return "no event"

    # Warm-up on the first campaign: imports, the connection lookup path, one login (excluded below).
    await drive(trigger(ids[0], 0.1, time.time() + 0.3))
    _SHARED_SLOTS.clear()
    gc.collect()
    rss0, cpu0 = _rss(), time.process_time()
    start = time.time()
    tasks = [asyncio.create_task(drive(trigger(i, POLL_INTERVAL, start + WAIT_FOR))) for i in ids[1:]]
    samples: list[tuple[float, int, float]] = []
    stop = threading.Event()
    written = threading.Lock()

    def report(finished: bool) -> dict[str, Any]:
        outcomes: dict[str, int] = defaultdict(int)
        for task in tasks:
            if not task.done() or task.cancelled():
                outcomes["still waiting"] += 1
            else:
                outcomes["error" if task.exception() else str(task.result())] += 1
        data = {
            "start": start,
            "end": time.time(),
            "cpu": time.process_time() - cpu0,
            "rss0": rss0,
            "samples": list(samples),
            "finished": finished,
            "outcomes": dict(outcomes),
            "triggers": len(tasks),
        }
        if written.acquire(blocking=False):
            out.write_text(json.dumps(data))
        return data

    def sample() -> None:
        # A thread, not a coroutine: a blocked event loop (the as-is variant) must not stop the sampling or the cap.
        while not stop.wait(0.2):
            samples.append((time.time(), _rss(), time.process_time() - cpu0))
            if time.time() - start >= wall:
                report(finished=False)
                os._exit(0)  # the event loop may be stuck for minutes: end the child here

    threading.Thread(target=sample, name="sampler", daemon=True).start()
    await asyncio.wait(tasks)
    stop.set()
    return report(finished=True)


def _client_costs(count: int) -> dict[str, float]:
    """CPU and RSS of ``count`` AsyncClients, each with its own SSL context, then sharing one."""
    import ssl

    import httpx

    out: dict[str, float] = {}
    shared = httpx.create_ssl_context()
    for name, verify in (("own", None), ("shared", shared)):
        gc.collect()
        rss0, cpu0 = _rss(), time.process_time()
        clients = [httpx.AsyncClient(verify=verify if isinstance(verify, ssl.SSLContext) else True) for _ in range(count)]
        out[f"{name}_cpu_ms"] = (time.process_time() - cpu0) * 1000 / count
        out[f"{name}_kb"] = (_rss() - rss0) / 1024 / count
        del clients
    return out


def child(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("variant", choices=["as-is", "proposed", "shared-client", "client-costs"])
    parser.add_argument("--ids", type=Path)
    parser.add_argument("--wall", type=float, default=60.0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    from benchmarks.common import prepare_environment

    prepare_environment()
    if args.variant == "client-costs":
        args.out.write_text(json.dumps(_client_costs(50)))
        return 0
    if args.variant == "proposed":
        _patch_shared_ssl()
        _patch_shared_tokens()
    elif args.variant == "shared-client":
        _patch_shared_tokens()
        _patch_shared_client(32)
    ids = json.loads(args.ids.read_text())
    asyncio.run(_wait_all(ids, args.wall, args.out))
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown (thousands of sockets and threads)


# -- parent side -----------------------------------------------------------------------------------
def _cpu_of(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads)."""
    import psutil

    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def _run_child(variant: str, triggers: int, wall: float) -> dict[str, Any]:
    """Run one variant against a fresh simulator; returns the child's report plus poll timings from the log."""
    out = BENCH_TMP / f"waiting-{variant}-{triggers}.json"
    out.unlink(missing_ok=True)
    with SimProcess(campaigns=triggers + 1, latency=LATENCY) as sim:
        ids_file = BENCH_TMP / f"waiting-ids-{os.getpid()}.json"
        ids_file.write_text(json.dumps(sim.bsg_ids))
        env = {**os.environ, **sim.env}
        sim_cpu0 = _cpu_of(sim.pid)
        command = [
            sys.executable,
            "-m",
            "benchmarks.waiting",
            "--child",
            variant,
            "--ids",
            str(ids_file),
            "--wall",
            str(wall),
            "--out",
            str(out),
        ]
        child_log = BENCH_TMP / f"waiting-{variant}-{triggers}.log"
        with child_log.open("wb") as sink:
            try:
                code: int | str = subprocess.run(
                    command, env=env, stdout=sink, stderr=sink, timeout=wall + 45, check=False, cwd=REPO
                ).returncode
            except subprocess.TimeoutExpired:
                code = "killed after the time limit"
        ids_file.unlink(missing_ok=True)
        if not out.exists():
            raise RuntimeError(f"waiting child {variant} failed ({code}); see {child_log}")
        report: dict[str, Any] = json.loads(out.read_text())
        report["sim_cpu"] = _cpu_of(sim.pid) - sim_cpu0
        report["client_timeouts"] = child_log.read_text(errors="replace").count("no answer within the timeout")
        entries = [e for e in sim.requests_log() if e["time"] >= report["start"]]
    reads: dict[str, list[float]] = defaultdict(list)
    for entry in status_reads(entries):
        reads[str(entry["path"])].append(float(entry["time"]) - report["start"])
    report["reads"] = sum(len(v) for v in reads.values())
    report["logins"] = len(login_requests(entries))
    report["polled"] = len(reads)
    rounds = []
    for k in range(3):
        times = [sorted(v)[k] for v in reads.values() if len(v) > k]
        if times:
            rounds.append({"count": len(times), "first": min(times), "last": max(times), "span": max(times) - min(times)})
    report["rounds"] = rounds
    samples = report["samples"]
    report["peak_kb_per_trigger"] = (max((s[1] for s in samples), default=report["rss0"]) - report["rss0"]) / 1024 / triggers
    # Steady state: from the end of the first round to the last sample.
    if rounds and rounds[0]["count"] == triggers:
        t0 = report["start"] + rounds[0]["last"]
        window = [s for s in samples if s[0] >= t0]
        if len(window) >= 2:
            steady_reads = sum(
                1 for v in reads.values() for t in v if report["start"] + t >= window[0][0] and report["start"] + t <= window[-1][0]
            )
            if steady_reads:
                report["steady_cpu_ms_per_read"] = (window[-1][2] - window[0][2]) * 1000 / steady_reads
    return report


def _masker_costs(sizes: tuple[int, ...], repeats: int = 3) -> dict[int, float]:
    """Seconds to compile the masker's regex when it holds ``k`` BSG-like JWTs (what each new login triggers).

    Airflow's ``SecretsMasker.add_mask`` rebuilds ``re.compile("|".join(patterns))`` over every secret it holds
    whenever a new one arrives; the patterns are ``re.escape``d JWTs like the ones the simulator issues.
    Best of ``repeats`` (fresh tokens each time, so ``re``'s cache never answers).
    """
    import re
    import secrets

    import jwt

    out = {}
    for size in sizes:
        best = float("inf")
        for _ in range(repeats):
            claims = {"iss": "bsg", "sub": "api", "iat": 1, "exp": 2, "gen": 0}
            tokens = [
                re.escape(jwt.encode({**claims, "jti": secrets.token_hex(16)}, secrets.token_bytes(32), algorithm="HS256"))
                for _ in range(size)
            ]
            started = time.perf_counter()
            re.compile("|".join(tokens))
            best = min(best, time.perf_counter() - started)
        out[size] = best
    return out


def _describe(name: str, report: dict[str, Any], triggers: int) -> str:
    rounds = report["rounds"]
    first = f"first round {rounds[0]['count']}/{triggers} polled by {rounds[0]['last']:.1f} s" if rounds else "no status read at all"
    steady = [r for r in rounds[1:] if r["count"] == triggers]
    steady_text = ", later rounds spread over " + "/".join(f"{r['span']:.1f}" for r in steady) + " s" if steady else ""
    timeouts = (
        f"; {report['client_timeouts']} requests timed out in the client (blocked loop) and were retried"
        if report.get("client_timeouts")
        else ""
    )
    return (
        f"{name}: {report['peak_kb_per_trigger']:.0f} KB/trigger (peak RSS), {report['cpu']:.1f} s CPU for {report['reads']} reads "
        f"+ {report['logins']} logins = {report['cpu'] * 1000 / max(report['reads'], 1):.1f} ms CPU/read (simulator: "
        f"{report.get('sim_cpu', float('nan')):.1f} s CPU); {first}{steady_text}{timeouts}"
    )


def run(quick: bool = False) -> Result:
    result = Result("4 waiting")
    triggers = 300 if quick else 1000
    small = 100
    log("waiting: what one AsyncClient and one more masked secret cost")
    costs = {}
    out = BENCH_TMP / "waiting-client-costs.json"
    subprocess.run(
        [sys.executable, "-m", "benchmarks.waiting", "--child", "client-costs", "--out", str(out)],
        check=True,
        timeout=120,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=REPO,
    )
    costs = json.loads(out.read_text())
    masker = _masker_costs((200, 400, 800))
    # Compiling is linear in the pattern length: c(k) = a * k (a from the largest size), summed over N logins.
    largest = max(masker)
    per_secret = masker[largest] / largest
    masker_total = per_secret * triggers * (triggers + 1) / 2
    result.raw.update({"client_costs": costs, "masker_compile_s": masker})

    reports: dict[str, dict[str, Any]] = {}
    plan = [("as-is", small, 40.0), ("as-is", triggers, 40.0), ("proposed", triggers, 40.0)]
    if not quick:
        plan.append(("shared-client", triggers, 40.0))
    for variant, count, wall in plan:
        log(f"waiting: {count} triggers, variant {variant} (at most {wall:.0f} s)")
        try:
            reports[f"{variant}/{count}"] = _run_child(variant, count, wall)
        except Exception as error:  # noqa: BLE001 - report the failure as a row, keep the other variants
            result.row(f"{variant} with {count} triggers failed: {type(error).__name__}: {str(error)[:200]}", "", None)
    result.raw["reports"] = {k: {key: v for key, v in r.items() if key != "samples"} for k, r in reports.items()}

    def judge(key: str, label: str, judged: bool) -> None:
        report = reports.get(key)
        if report is None:
            return
        count = int(key.split("/")[1])
        rounds = report["rounds"]
        all_polled = bool(rounds) and rounds[0]["count"] == count
        steady = [r for r in rounds[1:] if r["count"] == count]
        worst = max((r["span"] for r in steady), default=float("inf"))
        if not report["finished"]:
            label += f" (stopped at the {report['end'] - report['start']:.0f} s cap)"
        result.row(_describe(label, report, count), "", None)
        if judged:
            result.row(
                f"  {label}: memory per waiting trigger {report['peak_kb_per_trigger']:.0f} KB",
                f"< {TARGET_KB:.0f} KB",
                report["peak_kb_per_trigger"] < TARGET_KB and all_polled,
            )
            text = f"worst {worst:.2f} s" if steady else "never completed a poll round"
            result.row(
                f"  {label}: one poll round of all {count} (steady state): {text}",
                f"<= {TARGET_ROUND_S:.0f} s",
                bool(steady) and worst <= TARGET_ROUND_S,
            )
            if "steady_cpu_ms_per_read" in report:
                result.row(f"  {label}: steady-state CPU per status read {report['steady_cpu_ms_per_read']:.2f} ms", "", None)

    judge(f"as-is/{small}", f"as-is, {small} triggers", False)
    judge(f"as-is/{triggers}", f"as-is, {triggers} triggers", True)
    judge(f"proposed/{triggers}", f"PROTOTYPE per-process token (+ shared SSL context), {triggers} triggers", True)
    judge(f"shared-client/{triggers}", f"PROTOTYPE one shared AsyncClient (32 conns) + per-process token, {triggers} triggers", False)
    from airflow_provider_campaigns.core import async_transport

    shares = "yes" if hasattr(async_transport, "_ssl_context") else "no"
    result.row(
        f"(package shares one SSL context per process: {shares}) "
        f"cost of one httpx.AsyncClient: {costs['own_cpu_ms']:.1f} ms CPU and {costs['own_kb']:.0f} KB (own SSL context: "
        f"load_verify_locations of the CA bundle) vs {costs['shared_cpu_ms']:.2f} ms and {costs['shared_kb']:.0f} KB sharing one",
        "",
        None,
    )
    result.row(
        "secrets masker: one more secret recompiles a regex of all held: "
        + ", ".join(f"{k} JWTs {t * 1000:.0f} ms" for k, t in masker.items())
        + f"; {triggers} triggers logging in one by one = ~{masker_total:.0f} s of event-loop-blocking CPU ({per_secret * 1e6:.0f} us per "
        "held JWT per login, summed)",
        "",
        None,
    )
    return result


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        sys.exit(child(sys.argv[2:]))
    from benchmarks.run import main

    sys.exit(main(["waiting", *sys.argv[1:]]))
