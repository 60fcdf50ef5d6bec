"""DAG files stay fast to parse: operator and sensor modules load no HTTP/JWT client or simulator."""

from __future__ import annotations

import subprocess
import sys

import pytest

VENDORS = ["bsg", "cellcast", "comm", "kore"]
#: parts of the provider a DAG file never needs at parse time (hooks load when a task runs)
FORBIDDEN = tuple(f"airflow_provider_campaigns.{part}" for part in ("hooks.", "vendors", "core", "simulator", "triggers"))


@pytest.mark.parametrize("vendor", VENDORS)
def test_operator_and_sensor_modules_add_no_client_library(vendor):
    """Whatever Airflow itself already loaded aside, our modules must add none of these."""
    code = (
        "import sys; import airflow.providers.common.compat.sdk; before = set(sys.modules);"
        f"FORBIDDEN = {FORBIDDEN!r};"
        f"import airflow_provider_campaigns.operators.{vendor}, airflow_provider_campaigns.sensors.{vendor};"
        "added = set(sys.modules) - before;"
        "print(sorted({m for m in added if m in {'requests', 'jwt', 'httpx', 'urllib3'} or m.startswith(FORBIDDEN)}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


@pytest.mark.parametrize("vendor", VENDORS)
def test_hook_paths_resolve_to_the_vendor_hook(vendor):
    import importlib

    from airflow_provider_campaigns.hooks import load_hook_class

    for kind in ("operators", "sensors"):
        module = importlib.import_module(f"airflow_provider_campaigns.{kind}.{vendor}")
        classes = [c for c in vars(module).values() if isinstance(c, type) and getattr(c, "hook_path", "").endswith("Hook")]
        assert classes, f"no operator/sensor in {module.__name__}"
        for cls in classes:
            assert load_hook_class(cls.hook_path).conn_type == vendor
