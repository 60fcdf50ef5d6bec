"""The provider's metadata for Airflow (kept apart so ``__init__`` stays tiny)."""

from __future__ import annotations

from typing import Any

from airflow_provider_campaigns import PACKAGE_NAME, __version__
from airflow_provider_campaigns.connection_forms import FORMS

PACKAGE = "airflow_provider_campaigns"
#: integration name → (vendor module key or None for the cross-vendor parts, documentation URL)
INTEGRATIONS: dict[str, tuple[str | None, str]] = {
    "BSG": ("bsg", "https://one-api.bsg.world"),
    "Cellcast": ("cellcast", "https://developer.cellcast.com"),
    "comm.com": ("comm", "https://api.comm.com"),
    "Kore.ai": ("kore", "https://developer.kore.ai"),
    "Campaigns (all vendors)": (None, "https://github.com/airflow-provider-campaigns/airflow-provider-campaigns"),
}


def _modules(kind: str) -> list[dict[str, Any]]:
    """One entry per vendor integration: its ``<kind>.<vendor>`` module."""
    vendors = [(name, key) for name, (key, _) in INTEGRATIONS.items() if key is not None]
    return [{"integration-name": name, "python-modules": [f"{PACKAGE}.{kind}.{key}"]} for name, key in vendors]


def provider_info() -> dict[str, Any]:
    """The dictionary Airflow's providers manager reads."""
    return {
        "package-name": PACKAGE_NAME,
        "name": "Campaigns (BSG, Cellcast, comm.com, Kore.ai)",
        "description": "Stop SMS, MMS and RCS marketing campaigns and watch them until they are final.",
        "versions": [__version__],
        "integrations": [
            {"integration-name": name, "external-doc-url": url, "tags": ["service"]} for name, (_, url) in INTEGRATIONS.items()
        ],
        "hooks": _modules("hooks"),
        "operators": [
            *_modules("operators"),
            {
                "integration-name": "Campaigns (all vendors)",
                "python-modules": [f"{PACKAGE}.operators.kill_switch", f"{PACKAGE}.operators.drill"],
            },
        ],
        "sensors": _modules("sensors"),
        "triggers": [{"integration-name": "Campaigns (all vendors)", "python-modules": [f"{PACKAGE}.triggers.status"]}],
        "connection-types": [form.provider_entry() for form in FORMS.values()],
        "notifications": [f"{PACKAGE}.notifications.report.CampaignReportNotifier"],
    }
