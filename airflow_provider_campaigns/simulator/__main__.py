"""``python -m airflow_provider_campaigns.simulator [--port 8765] [--seed seed.json] [options]``.

Options: ``--latency 0.05``, ``--wind-down 5``, ``--seed-random 7``, ``--lenient``,
``--page-cap bsg=40``, ``--rate-limit kore=1``, ``--drift kore=missing_paging``, ``--traffic kore=10,audience=600``
(all repeatable); ``--help`` explains each.

Prints the URL, credentials and ``export AIRFLOW_CONN_...`` lines, then
``SIMULATOR_READY <url>``, and serves until SIGINT/SIGTERM (exit 0).
The seed file is ``{"credentials": {...optional...}, "campaigns": [{"vendor":
"bsg", "status": "sending", ...add_campaign kwargs}, ...]}``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from . import control, fakes
from .config import parse_page_cap
from .credentials import SimulatorCredentials
from .drift import parse_drift
from .rate_limits import parse_rate_limit
from .sim import Simulator
from .traffic import parse_traffic


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m airflow_provider_campaigns.simulator",
        description=f"Local fake of the {fakes.titles_in_prose()} campaign APIs.",
    )
    parser.add_argument("--port", type=int, default=8765, help="TCP port on 127.0.0.1 (0 = any free port)")
    parser.add_argument("--seed", type=Path, help="JSON file with campaigns (and optional credentials) to create")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every vendor answer")
    parser.add_argument(
        "--wind-down",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="seconds an accepted stop takes before the campaign reports its stopped state (default 0)",
    )
    parser.add_argument("--seed-random", type=int, metavar="N", help="seed for probabilistic faults (reproducible runs)")
    parser.add_argument(
        "--lenient",
        action="store_true",
        help="answer with the lenient 'alternative reading' instead of exactly as the vendors document",
    )
    parser.add_argument(
        "--page-cap",
        action="append",
        default=[],
        type=parse_page_cap,
        metavar="VENDOR=ROWS",
        help="serve at most ROWS per list page for VENDOR whatever the client asks (repeatable)",
    )
    parser.add_argument(
        "--rate-limit",
        action="append",
        default=[],
        type=parse_rate_limit,
        metavar="VENDOR=RATE[,burst=N][,refused_spends=true][,retry_after=honest|absent|short]",
        help="a token bucket in front of VENDOR: RATE requests a second, answered with the vendor's own 429 (repeatable)",
    )
    parser.add_argument(
        "--drift",
        action="append",
        default=[],
        type=parse_drift,
        metavar="VENDOR=KIND",
        help="answer VENDOR's calls in an altered shape: renamed_field, moved_status or missing_paging (repeatable)",
    )
    parser.add_argument(
        "--traffic",
        action="append",
        default=[],
        type=parse_traffic,
        metavar="[VENDOR=]RATE[,audience=N]",
        help="new campaigns (seeded ones included) of VENDOR (default: every vendor) send RATE messages a second, "
        "N in all (default 1000), unless they name their own rate (repeatable)",
    )
    return parser.parse_args(argv)


def load_seed(path: Path | None) -> dict[str, Any]:
    """The seed file's content (empty without one)."""
    if path is None:
        return {}
    data = json.loads(path.read_text())
    if not isinstance(data, dict):
        raise TypeError("the seed file must hold a JSON object")
    return data


def main(argv: list[str] | None = None) -> int:
    """Run the simulator until a signal arrives."""
    args = parse_args(argv)
    try:
        seed = load_seed(args.seed)
        creds = SimulatorCredentials.from_dict(seed.get("credentials") or {})
    except (OSError, ValueError, TypeError) as exc:
        print(f"error: cannot use the seed file: {exc}", file=sys.stderr)
        return 2
    try:
        sim = Simulator(
            port=args.port,
            latency=args.latency,
            credentials=creds,
            wind_down=args.wind_down,
            seed=args.seed_random,
            strict=not args.lenient,
            page_caps=dict(args.page_cap),
            rate_limits={vendor: limit.as_dict() for vendor, limit in args.rate_limit},
            drift=dict(args.drift),
            traffic={vendor: setting.as_dict() for vendor, setting in args.traffic},
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        sim.start()
    except OSError as exc:
        print(f"error: cannot listen on 127.0.0.1:{args.port}: {exc}", file=sys.stderr)
        return 2
    try:
        seeded = [(spec.get("vendor"), control.add_campaign(sim.app, spec)) for spec in seed.get("campaigns") or []]
    except (TypeError, ValueError) as exc:
        sim.stop()
        print(f"error: bad campaign in the seed file: {exc}", file=sys.stderr)
        return 2
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    mode = "strict (as documented)" if sim.config.strict else "lenient (alternative reading)"
    if sim.config.drift:
        mode += "; drifting: " + ", ".join(f"{vendor}={kind}" for vendor, kind in sim.config.drift.items())
    print(f"Campaign vendor simulator listening on {sim.url} ({mode})")
    for vendor in sim.app.vendors:
        print(f"  {vendor:<9} {sim.base_url(vendor)}")
    print(f"  control   {sim.url}/_sim (health, campaigns, faults, rate_limits, traffic, requests, reset, outage)")
    for vendor, limit in sim.rate_limits().items():
        print(f"  rate limit {vendor}: {limit['rate']:g}/s, burst {limit['burst']:g}")
    for vendor, setting in sim.config.traffic.items():
        print(f"  traffic {vendor}: {setting.rate:g} messages/s, audience {setting.audience}")
    print("Credentials:")
    for key, value in sim.credentials.as_dict().items():
        print(f"  {key}={value}")
    for vendor, result in seeded:
        print(f"Seeded {vendor} campaign: {json.dumps(control.created(sim.app, str(vendor), result))}")
    print("Airflow connections:")
    for name, value in sim.connection_env().items():
        print(f"export {name}={shlex.quote(value)}")
    print(f"SIMULATOR_READY {sim.url}", flush=True)
    while not stopping.wait(0.5):
        pass
    sim.stop()
    print("Simulator stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
