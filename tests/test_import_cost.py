"""DAG files stay fast to parse: operator and sensor modules load no HTTP/JWT client or simulator."""

from __future__ import annotations

import subprocess
import sys

import pytest

VENDORS = ["bsg", "cellcast", "comm", "kore"]


@pytest.mark.parametrize("vendor", VENDORS)
def test_operator_and_sensor_modules_add_no_client_library(vendor):
    """Whatever Airflow itself already loaded aside, our modules must add none of these."""
    code = (
        "import sys; import airflow.providers.common.compat.sdk; before = set(sys.modules);"
        f"import airflow_provider_campaigns.operators.{vendor}, airflow_provider_campaigns.sensors.{vendor};"
        "print(sorted({'requests', 'jwt', 'httpx', 'urllib3', 'airflow_provider_campaigns.simulator'} & (set(sys.modules) - before)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
