"""The installed distribution: the copy the tests exercise is the one pip installed, and it is complete."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from importlib.metadata import distribution
from pathlib import Path

import pytest

import airflow_provider_campaigns

DIST = distribution("airflow-provider-campaigns")


def test_installed_version_is_the_package_version():
    assert DIST.version == airflow_provider_campaigns.__version__


def test_the_typing_marker_and_the_simulator_ship_with_the_package():
    package = Path(airflow_provider_campaigns.__file__).parent
    assert (package / "py.typed").is_file()
    assert (package / "simulator" / "__main__.py").is_file()


def test_published_requirements_hold_no_development_tool():
    requires = " ".join(DIST.requires or []).lower()
    assert DIST.metadata.get_all("Provides-Extra") is None
    for tool in ("pytest", "ruff", "mypy", "responses", "respx", "hypothesis", "bsg-sdk", "twine"):
        assert tool not in requires


@pytest.mark.skipif(os.environ.get("CAMPAIGNS_TEST_INSTALLED") != "1", reason="only in the Makefile's lanes, which test the built wheel")
def test_the_package_under_test_and_in_subprocesses_is_the_installed_wheel():
    purelib = Path(sysconfig.get_paths()["purelib"]).resolve()
    assert Path(airflow_provider_campaigns.__file__).resolve().is_relative_to(purelib)
    assert '"editable"' not in (DIST.read_text("direct_url.json") or "")
    # what the tests' own subprocesses (`python -c`, `python -m ...`) import, from the repo as cwd
    code = "import airflow_provider_campaigns as p; print(p.__file__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[1]).stdout
    assert Path(out.strip()).resolve().is_relative_to(purelib), out


@pytest.mark.skipif(
    os.environ.get("CAMPAIGNS_TEST_LOWEST") != "1", reason="only in the lowest-versions lane (make test-lane AIRFLOW=lowest)"
)
def test_the_lowest_lane_runs_the_declared_lower_bounds():
    """Each direct dependency is installed at the release its lower bound names (``>=2.31`` -> 2.31.*)."""
    from importlib.metadata import version

    from packaging.requirements import Requirement
    from packaging.version import Version

    for line in DIST.requires or []:
        req = Requirement(line)
        (bound,) = [s.version for s in req.specifier if s.operator == ">="]
        want, got = Version(bound).release, Version(version(req.name)).release
        assert got[: len(want)] == want, f"{req.name} {version(req.name)} installed, the declared lower bound is {bound}"
