"""Airflow provider that stops SMS, MMS and RCS campaigns at BSG, Cellcast, comm.com and Kore.ai."""

from __future__ import annotations

from typing import Any

from airflow_provider_campaigns.version import PACKAGE_NAME, __version__

__all__ = ["PACKAGE_NAME", "__version__", "get_provider_info"]


def get_provider_info() -> dict[str, Any]:
    """Describe the provider to Airflow (entry point ``apache_airflow_provider``)."""
    from airflow_provider_campaigns.provider_info import provider_info

    return provider_info()
