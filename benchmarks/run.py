"""Run the "kill switch at scale" benchmarks and write ``benchmarks/results.md``.

    python -m benchmarks.run                    # all five (about 4 minutes on 2 cores)
    python -m benchmarks.run overhead bulk      # some of them: import, overhead, bulk, waiting, hops
    python -m benchmarks.run --quick            # fewer iterations, smaller scale (about 2 minutes)

Only 127.0.0.1 is contacted: the project's simulator, started in subprocesses. Airflow's home is
``.work/bench-home`` and the DAGs folder ``.work/bench-dags`` (both created here, before Airflow is imported).
"""

from __future__ import annotations

# The Airflow home must be set before anything imports Airflow.
from benchmarks.common import BENCH_TMP, REPO, Result, log, prepare_environment, start_watchdog

prepare_environment()

import argparse  # noqa: E402
import importlib  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import shlex  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

BENCHMARKS = {
    "import": "benchmarks.import_cost",
    "overhead": "benchmarks.overhead",
    "bulk": "benchmarks.bulk",
    "waiting": "benchmarks.waiting",
    "hops": "benchmarks.hops",
}
RESULTS = REPO / "benchmarks" / "results.md"
WATCHDOG_S = 600.0  # a hard stop far above the expected duration; every benchmark is bounded by itself


def _machine() -> dict[str, str]:
    import airflow

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for name in ("requests", "httpx", "httpcore"):
        try:
            versions[name] = importlib.import_module(name).__version__
        except (ImportError, AttributeError):
            versions[name] = "?"
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "airflow": airflow.__version__,
        "libs": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(results: list[Result]) -> list[str]:
    lines = ["| benchmark | figure | target | met? |", "|---|---|---|---|"]
    for result in results:
        for row in result.rows:
            lines.append(f"| {row.benchmark} | {_cell(row.figure)} | {_cell(row.target)} | {row.verdict} |")
    return lines


def _print(results: list[Result]) -> None:
    print()
    print(f"{'benchmark':<11} {'met?':<5} {'target':<42} figure")
    print("-" * 140)
    for result in results:
        for row in result.rows:
            print(f"{row.benchmark:<11} {row.verdict:<5} {row.target[:42]:<42} {row.figure}")
    for result in results:
        for note in result.notes:
            print(f"\n[{result.name}] {note}")


def _write(
    path: Path, results: list[Result], machine_before: dict[str, str], load_after: str, command: str, elapsed: float, quick: bool
) -> None:
    lines = [
        "# Benchmark results: kill switch at scale",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
        f"- command: `{command}` (from the repository root){' — quick mode' if quick else ''}",
        f"- machine: {machine_before['nproc']} CPUs ({machine_before['cpu']}), Python {machine_before['python']}, "
        f"Airflow {machine_before['airflow']}, {machine_before['libs']}",
        f"- load average at start / end: {machine_before['load']} / {load_after} (a shared machine: other work was running)",
        f"- duration: {elapsed:.0f} s",
        "",
        *_table(results),
        "",
        "## Notes",
        "",
    ]
    for result in results:
        lines += [f"- **{result.name}**: {note}" for note in result.notes]
    lines += ["", "See `benchmarks/README.md` for what each figure means, the targets missed and the proposed fixes.", ""]
    path.write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"benchmarks to run: {', '.join(BENCHMARKS)} (default all)")
    parser.add_argument("--quick", action="store_true", help="fewer iterations and 300 instead of 1,000 triggers")
    parser.add_argument("--output", type=Path, help="results file (default benchmarks/results.md when all of them run, else none)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    names = args.names or list(BENCHMARKS)
    output = args.output or (RESULTS if set(names) == set(BENCHMARKS) else None)
    start_watchdog(WATCHDOG_S)
    BENCH_TMP.mkdir(parents=True, exist_ok=True)
    machine = _machine()
    started = time.perf_counter()
    results: list[Result] = []
    for name in names:
        begun = time.perf_counter()
        log(f"== {name} ==")
        module = importlib.import_module(BENCHMARKS[name])
        try:
            result = module.run(quick=args.quick)
        except Exception as error:  # noqa: BLE001 - one broken benchmark must not hide the others
            result = Result(name)
            result.row(f"benchmark failed: {type(error).__name__}: {str(error)[:300]}", "", False)
        log(f"== {name}: {time.perf_counter() - begun:.0f} s ==")
        results.append(result)
    elapsed = time.perf_counter() - started
    _print(results)
    if output is not None:
        command = "python -m benchmarks.run" + (
            " " + shlex.join(argv if argv is not None else sys.argv[1:]) if (argv or sys.argv[1:]) else ""
        )
        _write(output, results, machine, " ".join(f"{x:.2f}" for x in os.getloadavg()), command, elapsed, args.quick)
        log(f"results written to {output.relative_to(REPO) if output.is_relative_to(REPO) else output}")
    log(f"total {elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
