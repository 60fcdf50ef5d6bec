"""The provider's metadata for Airflow (kept apart so ``__init__`` stays tiny)."""

from __future__ import annotations

from typing import Any

from airflow_provider_campaigns.registry import entries
from airflow_provider_campaigns.version import PACKAGE_NAME, __version__

PACKAGE = "airflow_provider_campaigns"
ALL_VENDORS = "Campaigns (all vendors)"
HOME = "https://github.com/airflow-provider-campaigns/airflow-provider-campaigns"


def _modules(kind: str) -> list[dict[str, Any]]:
    """One entry per registered vendor: its ``<kind>`` module."""
    return [{"integration-name": entry.name, "python-modules": [entry.module_name(kind)]} for entry in entries()]


def provider_info() -> dict[str, Any]:
    """The dictionary Airflow's providers manager reads (every registered vendor)."""
    vendors = list(entries())
    integrations = [(entry.name, entry.doc_url) for entry in vendors] + [(ALL_VENDORS, HOME)]
    return {
        "package-name": PACKAGE_NAME,
        "name": f"Campaigns ({', '.join(entry.name for entry in vendors)})",
        "description": "Stop SMS, MMS and RCS marketing campaigns and watch them until they are final.",
        "versions": [__version__],
        "integrations": [
            {"integration-name": name, "external-doc-url": url, "tags": ["service"]} for name, url in integrations
        ],
        "hooks": _modules("hooks"),
        "operators": [
            *_modules("operators"),
            {
                "integration-name": ALL_VENDORS,
                "python-modules": [f"{PACKAGE}.operators.kill_switch", f"{PACKAGE}.operators.drill"],
            },
        ],
        "sensors": _modules("sensors"),
        "triggers": [{"integration-name": ALL_VENDORS, "python-modules": [f"{PACKAGE}.triggers.status"]}],
        "connection-types": [entry.form.provider_entry() for entry in vendors],
        "notifications": [f"{PACKAGE}.notifications.report.CampaignReportNotifier"],
    }
