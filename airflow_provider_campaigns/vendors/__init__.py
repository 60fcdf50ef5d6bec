"""Vendor API contracts as pure code, one module per vendor, found by vendor key."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_provider_campaigns.core.settings import TransportSettings
    from airflow_provider_campaigns.vendors.base import VendorApi

VENDOR_MODULES = {
    "bsg": "airflow_provider_campaigns.vendors.bsg",
    "cellcast": "airflow_provider_campaigns.vendors.cellcast",
    "comm": "airflow_provider_campaigns.vendors.comm",
    "kore": "airflow_provider_campaigns.vendors.kore",
}


def vendor_module(vendor_key: str) -> ModuleType:
    """The vendor module (``VENDOR``, ``DEFAULT_HOST``, ``build_api``) for a key such as ``bsg``."""
    if vendor_key not in VENDOR_MODULES:
        raise ValueError(f"unknown vendor {vendor_key!r}; known: {', '.join(VENDOR_MODULES)}")
    return importlib.import_module(VENDOR_MODULES[vendor_key])


def connect(
    vendor_key: str,
    conn: Any,
    request_timeout: Any = None,
    status_map: Mapping[str, str] | None = None,
    **options: Any,
) -> tuple[TransportSettings, VendorApi]:
    """Transport settings and the vendor API from one Airflow connection (no I/O).

    Used by hooks (sync) and triggers (async) alike, so both read a connection the same way.
    """
    from airflow_provider_campaigns.core.settings import transport_settings

    module = vendor_module(vendor_key)
    settings = transport_settings(conn, module.VENDOR, module.DEFAULT_HOST, request_timeout)
    api: VendorApi = module.build_api(conn, settings, status_map=status_map, **options)
    return settings, api
