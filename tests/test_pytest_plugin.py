"""The shipped pytest plugin is inert until a test asks for a fixture: no Airflow import, no setting changed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_user_pytest, scrubbed_env


def run_pytest(tmp_path: Path, test_code: str, ini: str = "", **env_changes: str | None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "pytest.ini").write_text("[pytest]\n" + ini, encoding="utf-8")
    env = scrubbed_env("AIRFLOW", "PYTEST_", **{"HOME": str(tmp_path), **env_changes})  # nothing may reach the real ~/airflow
    return run_user_pytest(tmp_path, test_code, env=env)


def test_loading_the_plugin_imports_no_airflow_and_changes_nothing(tmp_path: Path) -> None:
    done = run_pytest(
        tmp_path,
        "import os, sys\n"
        "def test_other_users_test(pytestconfig):\n"
        "    assert pytestconfig.pluginmanager.has_plugin('campaigns')\n"
        "    assert not [m for m in sys.modules if m == 'airflow' or m.startswith('airflow.')]\n"
        "    assert 'AIRFLOW_HOME' not in os.environ and 'AIRFLOW__CORE__DAGS_FOLDER' not in os.environ\n",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (tmp_path / "airflow").exists()


def test_the_plugin_can_be_turned_off(tmp_path: Path) -> None:
    test_code = "def test_x(pytestconfig):\n    assert not pytestconfig.pluginmanager.has_plugin('campaigns')\n"
    done = run_user_pytest(tmp_path, test_code, "-p", "no:campaigns")
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_isolated_home_on_request_before_any_conftest(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text("import os\nHOME_AT_CONFTEST = os.environ.get('AIRFLOW_HOME')\n")
    done = run_pytest(
        tmp_path,
        "import os\nimport conftest\n"
        "def test_x():\n"
        "    assert 'campaigns-airflow-home-' in conftest.HOME_AT_CONFTEST\n"
        "    assert os.environ['AIRFLOW_HOME'] == conftest.HOME_AT_CONFTEST\n",
        ini="campaigns_isolated_airflow_home = true\n",
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.e2e
def test_the_default_home_is_never_migrated(tmp_path: Path) -> None:
    (tmp_path / "dags").mkdir()
    done = run_pytest(
        tmp_path,
        "import airflow  # at the top of a test module: Airflow picks its default home\ndef test_x(campaigns_airflow_home):\n    pass\n",
    )
    assert done.returncode != 0
    assert "will not migrate it" in done.stdout + done.stderr
    assert not (tmp_path / "airflow" / "airflow.db").exists()


def test_the_dags_folder_is_set_even_when_airflows_config_has_no_sections(tmp_path):
    """Airflow 2.11 on a fresh home has no airflow.cfg: its config has no [core] section to set (NoSectionError before)."""
    from configparser import ConfigParser

    from airflow_provider_campaigns.pytest_plugin import _set_dags_folder

    empty = ConfigParser()
    _set_dags_folder(empty, tmp_path)
    assert empty.get("core", "dags_folder") == str(tmp_path)
    _set_dags_folder(empty, tmp_path / "again")
    assert empty.get("core", "dags_folder") == str(tmp_path / "again")
