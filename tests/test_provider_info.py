"""Provider registration: a malformed get_provider_info() crashes every Airflow CLI command."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import jsonschema
import pytest

import airflow_provider_campaigns
from airflow_provider_campaigns import get_provider_info

CONN_TYPES = {"bsg": "BsgHook", "cellcast": "CellcastHook", "comm": "CommHook", "kore": "KoreHook"}


def test_provider_info_matches_airflows_schema_and_the_distribution():
    info = get_provider_info()
    schema = json.loads((Path(importlib.import_module("airflow").__file__).parent / "provider_info.schema.json").read_text())
    jsonschema.validate(info, schema)
    assert info["package-name"] == "airflow-provider-campaigns"
    assert info["versions"] == [airflow_provider_campaigns.__version__]


def test_entry_point_is_registered():
    (point,) = [p for p in entry_points(group="apache_airflow_provider") if p.value.startswith("airflow_provider_campaigns")]
    assert point.name == "provider_info" and point.load() is get_provider_info


@pytest.mark.parametrize(("conn_type", "hook_name"), CONN_TYPES.items())
def test_every_connection_type_points_at_a_matching_hook(conn_type, hook_name):
    entry = next(c for c in get_provider_info()["connection-types"] if c["connection-type"] == conn_type)
    module, _, cls = entry["hook-class-name"].rpartition(".")
    hook = getattr(importlib.import_module(module), cls)
    assert cls == hook_name
    assert hook.conn_type == conn_type and hook.default_conn_name == f"{conn_type}_default"
    assert entry["hook-name"] == hook.hook_name
    behaviour = entry["ui-field-behaviour"]
    assert "password" in behaviour["relabeling"] and "schema" in behaviour["hidden-fields"]
    assert hook.get_ui_field_behaviour()["relabeling"] == behaviour["relabeling"]
    for field in entry["conn-fields"].values():
        assert set(field) == {"label", "schema", "description"}


def airflow_cli(*args: str) -> str:
    env = {**os.environ, "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    airflow = str(Path(sys.executable).with_name("airflow"))
    return subprocess.run([airflow, *args], capture_output=True, text=True, env=env, timeout=120, check=True).stdout


def test_airflow_cli_lists_the_four_hooks():
    out = airflow_cli("providers", "hooks")
    for conn_type, hook in CONN_TYPES.items():
        assert f"airflow_provider_campaigns.hooks.{conn_type}.{hook}" in out


def test_airflow_cli_lists_the_status_trigger():
    out = airflow_cli("providers", "triggers", "-o", "json")
    entries = [e for e in json.loads(out) if e["package_name"] == "airflow-provider-campaigns"]
    assert [e["class"] for e in entries] == ["airflow_provider_campaigns.triggers.status"]


def test_airflows_providers_manager_registers_the_four_forms():
    """Airflow's own providers manager (2.11 reads hook methods, 3.x reads provider info) sees every form."""
    behaviours = json.loads(airflow_cli("providers", "behaviours", "-o", "json"))
    widgets = json.loads(airflow_cli("providers", "widgets", "-o", "json"))
    registered = {entry["field_behaviours"] for entry in behaviours}
    assert set(CONN_TYPES) <= registered
    widget_names = {entry["connection_parameter_name"] for entry in widgets}
    for conn_type in CONN_TYPES:
        assert f"extra__{conn_type}__timeout" in widget_names
    assert {"extra__kore__account_id", "extra__kore__stream_id", "extra__comm__final_statuses"} <= widget_names


def test_every_operator_module_is_registered():
    listed = {module for entry in get_provider_info()["operators"] for module in entry["python-modules"]}
    package = Path(airflow_provider_campaigns.__file__).parent / "operators"
    found = {f"airflow_provider_campaigns.operators.{path.stem}" for path in package.glob("*.py") if path.stem not in ("__init__", "base")}
    assert found <= listed, sorted(found - listed)
    for module in listed:
        importlib.import_module(module)


def test_airflow_cli_lists_the_report_notifier():
    out = airflow_cli("providers", "notifications", "-o", "json")
    names = [e["notification_class_name"] for e in json.loads(out)]
    assert "airflow_provider_campaigns.notifications.report.CampaignReportNotifier" in names
