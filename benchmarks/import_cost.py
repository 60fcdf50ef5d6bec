"""Benchmark 1: what importing every operator and sensor module adds to ``import airflow.sdk``.

Each run is a fresh interpreter: ``import airflow.sdk`` (timed), then our modules (timed: the marginal
cost a DAG file pays). ``python -X importtime`` then says which of our modules cost the most, and a
patched copy of the package (operators and sensors no longer importing their hooks at module top)
measures the fix proposed in the report.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.common import BENCH_TMP, REPO, Result, log, median

TARGET_MS = 10.0
#: Byte code of every module imported by the probes, kept under .work (this environment sets
#: PYTHONDONTWRITEBYTECODE=1, so without it our modules would be compiled from source on every import).
PYCACHE = BENCH_TMP / "pycache"
VENDORS = ("bsg", "cellcast", "comm", "kore")
PACKAGE = "airflow_provider_campaigns"
#: Third-party modules a DAG file should not pay for (the package promises to import them lazily).
HEAVY = ("requests", "urllib3", "httpx", "httpcore", "jwt")

_PROBE = """
import json, sys, time
t_start = time.perf_counter()
import airflow.sdk
t0 = time.perf_counter()
before = set(sys.modules)
for name in MODULES:
    __import__(name)
t1 = time.perf_counter()
new = sorted(set(sys.modules) - before)
print("PROBE " + json.dumps({"sdk": t0 - t_start, "ours": t1 - t0, "new": new}))
"""


def our_modules() -> list[str]:
    """Every ``operators.<vendor>`` and ``sensors.<vendor>`` module that exists."""
    names = [f"{PACKAGE}.{kind}.{vendor}" for kind in ("operators", "sensors") for vendor in VENDORS]
    return [name for name in names if importlib.util.find_spec(name) is not None]


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


def _probe(modules: list[str], pythonpath: str | None = None, cached: bool = True) -> dict[str, Any]:
    env = _env(pythonpath, cached)
    code = f"MODULES = {modules!r}\n{_PROBE}"
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


def _patched_copy() -> Path | None:
    """A copy of the package whose operators/sensors import their hook lazily (the proposed fix), or ``None``.

    Import-time only: the copy is never executed beyond its module bodies.
    """
    root = BENCH_TMP / "import-proto"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(REPO / PACKAGE, root / PACKAGE, ignore=shutil.ignore_patterns("__pycache__"))
    for kind in ("operators", "sensors"):
        for vendor in VENDORS:
            path = root / PACKAGE / kind / f"{vendor}.py"
            if not path.exists():
                continue
            text = path.read_text()
            match = re.search(rf"^from {PACKAGE}\.hooks\.{vendor} import (\w+)\n", text, re.M)
            if match is None:
                return None
            hook = match.group(1)
            text = text.replace(match.group(0), "")
            text = re.sub(rf"\b{hook}\.default_conn_name\b", repr(f"{vendor}_default"), text)
            text = re.sub(rf"^(\s+)hook_class = {hook}$", r"\1hook_class = None  # type: ignore[assignment]", text, flags=re.M)
            if re.search(rf"^\s*[^#\s].*=\s*{hook}\b", text, re.M) or f"({hook}." in text:
                return None  # another module-level use of the hook: the automatic patch does not apply
            path.write_text(text)
    return root


def run(quick: bool = False) -> Result:
    result = Result("1 import")
    runs = 3 if quick else 7
    modules = our_modules()
    log(f"import: {len(modules)} modules, {runs} fresh interpreters per figure")
    _probe(modules)  # warm-up: fills the byte-code cache (slow the first time ever: all of Airflow is compiled)
    probes = [_probe(modules) for _ in range(runs)]
    marginal = median(p["ours"] for p in probes) * 1000
    sdk = median(p["sdk"] for p in probes) * 1000
    new = {name for p in probes for name in p["new"]}
    pulled = sorted({name.split(".")[0] for name in new if name.split(".")[0] in HEAVY})
    ours = sorted(name.removeprefix(f"{PACKAGE}.") for name in new if name.startswith(f"{PACKAGE}."))
    beyond = [name for name in ours if not name.startswith(("operators", "sensors", "exceptions"))]
    result.raw.update({"marginal_ms": marginal, "sdk_ms": sdk, "runs": [p["ours"] * 1000 for p in probes], "modules": modules})
    result.row(
        f"{len(modules)} operator/sensor modules over `import airflow.sdk` ({sdk:.0f} ms): +{marginal:.1f} ms "
        f"(median of {runs}, .pyc cached)",
        f"< {TARGET_MS:.0f} ms",
        marginal < TARGET_MS,
    )
    cold = median(_probe(modules, cached=False)["ours"] for _ in range(3)) * 1000
    result.raw["cold_marginal_ms"] = cold
    result.row(f"same, without .pyc (this machine sets PYTHONDONTWRITEBYTECODE=1): +{cold:.1f} ms (median of 3)", "", None)
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
        _probe(["airflow.providers.http.operators.http"])
        ref = median(_probe(["airflow.providers.http.operators.http"])["ours"] for _ in range(runs)) * 1000
        result.row(f"reference: airflow.providers.http.operators.http: +{ref:.1f} ms", "", None)

    # Which of our modules cost the most (python -X importtime, one run; figures are inflated by the tracing).
    code = "import airflow.sdk\n" + "".join(f"import {name}\n" for name in modules)
    rows = _importtime(code)
    sdk_end = max((i for i, row in enumerate(rows) if row[2] == "airflow.sdk"), default=-1)
    after = [row for row in rows[sdk_end + 1 :] if row[2].startswith(PACKAGE)]
    top_self = sorted(after, key=lambda r: r[0], reverse=True)[:8]
    hooks_cum = sum(r[1] for r in after if r[2].startswith(f"{PACKAGE}.hooks.") and r[2].count(".") == 2)
    total_self = sum(r[0] for r in after)
    result.raw["importtime_top_self"] = top_self
    largest = ", ".join(f"{name.removeprefix(PACKAGE + '.')} {s / 1000:.1f} ms" for s, _, name in top_self)
    if hooks_cum:
        cause = (
            f"the hook modules (imported at module top by the operators and sensors) account for {hooks_cum / 1000:.1f} ms "
            "cumulative, dragging in vendors/*, core/flow, core/wire, core/settings, status"
        )
    else:
        cause = "no hook module is imported"
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
            "get_provider_info()); connection_forms builds frozen dataclasses at import."
        )

    # The proposed fix, measured: operators/sensors that do not import their hook at module top.
    proto = _patched_copy() if any(name.startswith("hooks") for name in ours) else None
    if not any(name.startswith("hooks") for name in ours):
        result.note("Prototype of the lazy-hook fix: not needed, the operator/sensor modules no longer import any hook module.")
    elif proto is None:
        result.note("Prototype of the lazy-hook fix: the automatic patch no longer applies to the current sources; not measured.")
    else:
        _probe(modules, str(proto))
        probes = [_probe(modules, str(proto)) for _ in range(runs)]
        fixed = median(p["ours"] for p in probes) * 1000
        leaked = sorted({n for p in probes for n in p["new"] if n.startswith(f"{PACKAGE}.hooks")})
        result.raw["prototype_marginal_ms"] = fixed
        result.row(
            f"prototype: same import with hooks imported lazily (patched copy in .work/bench-tmp/import-proto): +{fixed:.1f} ms"
            + (f" (hooks still imported: {leaked})" if leaked else ""),
            f"< {TARGET_MS:.0f} ms",
            fixed < TARGET_MS,
        )
    return result


if __name__ == "__main__":
    from benchmarks.run import main

    sys.exit(main(["import", *sys.argv[1:]]))
