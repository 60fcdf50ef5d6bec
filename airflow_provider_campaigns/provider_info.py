"""The provider's metadata for Airflow (kept apart so ``__init__`` stays tiny)."""

from __future__ import annotations

from typing import Any

from airflow_provider_campaigns import PACKAGE_NAME, __version__
from airflow_provider_campaigns.connection_forms import FORMS


def provider_info() -> dict[str, Any]:
    """The dictionary Airflow's providers manager reads."""
    return {
        "package-name": PACKAGE_NAME,
        "name": "Campaigns (BSG, Cellcast, comm.com, Kore.ai)",
        "description": "Stop SMS, MMS and RCS marketing campaigns and watch them until they are final.",
        "versions": [__version__],
        "connection-types": [form.provider_entry() for form in FORMS.values()],
    }
