"""DAG files stay fast to parse: importing every operator and sensor module loads no HTTP or JWT
client and no simulator (the goal; how the modules achieve it is theirs to choose). The time it
adds over ``import airflow.sdk`` is measured by ``benchmarks/import_cost.py`` (target < 10 ms)."""

from __future__ import annotations

import subprocess
import sys

MODULES = [
    *(f"airflow_provider_campaigns.{kind}.{vendor}" for kind in ("operators", "sensors") for vendor in ("bsg", "cellcast", "comm", "kore")),
    "airflow_provider_campaigns.operators.kill_switch",
    "airflow_provider_campaigns.operators.drill",
]
HEAVY = ("requests", "urllib3", "jwt", "httpx", "httpcore", "airflow_provider_campaigns.simulator", "pendulum")


def test_operator_and_sensor_modules_add_no_client_library_or_simulator():
    """Whatever Airflow itself already loaded aside, our modules must add none of these."""
    code = (
        "import sys; import airflow.providers.common.compat.sdk; before = set(sys.modules);"
        f"[__import__(name) for name in {MODULES!r}];"
        "added = set(sys.modules) - before;"
        f"print(sorted(m for m in added if m.split('.')[0] in {HEAVY!r} or m.startswith({HEAVY!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out.splitlines()[-1] == "[]"
