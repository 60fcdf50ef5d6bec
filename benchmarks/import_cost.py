"""Benchmark 1: what importing every operator and sensor module adds to ``import airflow.sdk``.

Each run is a fresh interpreter: ``import airflow.sdk`` (timed), then the eight vendor operator and
sensor modules (timed: the figure compared with earlier runs), then the kill switch operator module
(timed: the nine modules together are the marginal cost a DAG file importing all of them pays).
``python -X importtime`` then says which of our modules cost the most.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from typing import Any

from benchmarks.common import BENCH_TMP, Result, log, median

TARGET_MS = 10.0
#: Byte code of every module imported by the probes, kept under .work (this environment sets
#: PYTHONDONTWRITEBYTECODE=1, so without it our modules would be compiled from source on every import).
PYCACHE = BENCH_TMP / "pycache"
VENDORS = ("bsg", "cellcast", "comm", "kore")
PACKAGE = "airflow_provider_campaigns"
#: Third-party modules a DAG file should not pay for (the package promises to import them lazily).
HEAVY = ("requests", "urllib3", "httpx", "httpcore", "jwt")

#: Operator modules that are not one vendor's (imported after the vendor modules, timed apart).
EXTRA = (f"{PACKAGE}.operators.kill_switch",)

_PROBE = """
import json, sys, time
t_start = time.perf_counter()
import airflow.sdk
t0 = time.perf_counter()
before = set(sys.modules)
for name in MODULES:
    __import__(name)
t1 = time.perf_counter()
for name in EXTRA:
    __import__(name)
t2 = time.perf_counter()
new = sorted(set(sys.modules) - before)
print("PROBE " + json.dumps({"sdk": t0 - t_start, "ours": t1 - t0, "all": t2 - t0, "new": new}))
"""


def our_modules() -> list[str]:
    """Every ``operators.<vendor>`` and ``sensors.<vendor>`` module that exists."""
    names = [f"{PACKAGE}.{kind}.{vendor}" for kind in ("operators", "sensors") for vendor in VENDORS]
    return [name for name in names if importlib.util.find_spec(name) is not None]


def extra_modules() -> list[str]:
    """The operator modules beyond the vendor ones that exist (the kill switch)."""
    return [name for name in EXTRA if importlib.util.find_spec(name) is not None]


def _env(pythonpath: str | None, cached: bool) -> dict[str, str]:
    """The probe's environment; ``cached``: byte code cached under .work (as in an installed wheel)."""
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
    if cached:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    return env


def _probe(modules: list[str], extra: list[str] | None = None, pythonpath: str | None = None, cached: bool = True) -> dict[str, Any]:
    env = _env(pythonpath, cached)
    code = f"MODULES = {modules!r}\nEXTRA = {extra or []!r}\n{_PROBE}"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env, cwd=BENCH_TMP)
    for line in done.stdout.splitlines():
        if line.startswith("PROBE "):
            return dict(json.loads(line[len("PROBE ") :]))
    raise RuntimeError(f"import probe failed: {done.stderr[-2000:]}")


def _importtime(code: str, pythonpath: str | None = None) -> list[tuple[int, int, str]]:
    """``(self µs, cumulative µs, name)`` of every import ``code`` performs (byte code cached)."""
    env = _env(pythonpath, cached=True)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, timeout=120, env=env, cwd=BENCH_TMP
    )
    rows = []
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if match:
            rows.append((int(match.group(1)), int(match.group(2)), match.group(4)))
    return rows


def run(quick: bool = False) -> Result:
    result = Result("1 import")
    runs = 3 if quick else 7
    modules, extra = our_modules(), extra_modules()
    everything = [*modules, *extra]
    log(f"import: {len(modules)} + {len(extra)} modules, {runs} fresh interpreters per figure")
    _probe(modules, extra)  # warm-up: fills the byte-code cache (slow the first time ever: all of Airflow is compiled)
    probes = [_probe(modules, extra) for _ in range(runs)]
    marginal = median(p["ours"] for p in probes) * 1000
    marginal_all = median(p["all"] for p in probes) * 1000
    sdk = median(p["sdk"] for p in probes) * 1000
    new = {name for p in probes for name in p["new"]}
    pulled = sorted({name.split(".")[0] for name in new if name.split(".")[0] in HEAVY})
    ours = sorted(name.removeprefix(f"{PACKAGE}.") for name in new if name.startswith(f"{PACKAGE}."))
    beyond = [name for name in ours if not name.startswith(("operators", "sensors", "exceptions"))]
    result.raw.update(
        {
            "marginal_ms": marginal,
            "marginal_all_ms": marginal_all,
            "sdk_ms": sdk,
            "runs": [p["ours"] * 1000 for p in probes],
            "modules": everything,
        }
    )
    result.row(
        f"{len(modules)} vendor operator/sensor modules over `import airflow.sdk` ({sdk:.0f} ms): +{marginal:.1f} ms "
        f"(median of {runs}, .pyc cached; the figure of earlier runs)",
        f"< {TARGET_MS:.0f} ms",
        marginal < TARGET_MS,
    )
    if extra:
        result.row(
            f"the same plus the kill switch operator ({len(everything)} modules): +{marginal_all:.1f} ms (median of {runs})",
            f"< {TARGET_MS:.0f} ms",
            marginal_all < TARGET_MS,
        )
    cold = median(_probe(modules, extra, cached=False)["all"] for _ in range(3)) * 1000
    result.raw["cold_marginal_all_ms"] = cold
    result.row(f"all {len(everything)}, without .pyc (this machine sets PYTHONDONTWRITEBYTECODE=1): +{cold:.1f} ms (median of 3)", "", None)
    result.row(
        "third-party libs pulled in by that import: "
        + (", ".join(pulled) or "none (requests/httpx/jwt stay lazy)")
        + f"; {len(ours)} of our modules load, {len(beyond)} of them beyond operators/sensors/exceptions"
        + (": " + ", ".join(beyond) if beyond else ""),
        "no requests/httpx/jwt/simulator",
        not pulled and not any(name.startswith("simulator") for name in ours),
    )
    if importlib.util.find_spec("airflow.providers.http") is None:
        result.note(
            "Reference `airflow.providers.http.operators.http`: not installed in .venv-af3 (apache-airflow-providers-http is "
            "not in the frozen constraints), so no reference figure."
        )
    else:
        reference = ["airflow.providers.http.operators.http"]
        _probe(reference)
        ref = median(_probe(reference)["ours"] for _ in range(runs)) * 1000
        result.row(f"reference: airflow.providers.http.operators.http: +{ref:.1f} ms", "", None)

    # Which of our modules cost the most (python -X importtime, one run; figures are inflated by the tracing).
    code = "import airflow.sdk\n" + "".join(f"import {name}\n" for name in everything)
    rows = _importtime(code)
    sdk_end = max((i for i, row in enumerate(rows) if row[2] == "airflow.sdk"), default=-1)
    after = [row for row in rows[sdk_end + 1 :] if row[2].startswith(PACKAGE)]
    top_self = sorted(after, key=lambda r: r[0], reverse=True)[:8]
    hooks_cum = sum(r[1] for r in after if r[2].startswith(f"{PACKAGE}.hooks.") and r[2].count(".") == 2)
    total_self = sum(r[0] for r in after)
    result.raw["importtime_top_self"] = top_self
    largest = ", ".join(f"{name.removeprefix(PACKAGE + '.')} {s / 1000:.1f} ms" for s, _, name in top_self)
    cause = (
        f"hook modules are imported ({hooks_cum / 1000:.1f} ms cumulative): an operator or sensor imports its hook at module top"
        if hooks_cum
        else "no hook module is imported"
    )
    result.note(
        f"`python -X importtime` (one run, times inflated by tracing): our modules' self time totals {total_self / 1000:.1f} ms; "
        f"{cause}. Largest self times: {largest}."
    )
    before_sdk = [row for row in rows[: sdk_end + 1] if row[2].startswith(PACKAGE)]
    if before_sdk:
        cost = max(r[1] for r in before_sdk)
        result.note(
            f"Not in the marginal figure: `import airflow` itself already imports {PACKAGE}.provider_info (+connection_forms), "
            f"{cost / 1000:.1f} ms cumulative under importtime, in every Airflow process (config/provider discovery calls "
            "get_provider_info())."
        )
    return result


if __name__ == "__main__":
    from benchmarks.run import main

    sys.exit(main(["import", *sys.argv[1:]]))
