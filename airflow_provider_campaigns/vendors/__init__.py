"""Vendor API contracts as pure code, one module per vendor.

Hooks import their vendor module directly; only code that starts from a serialized vendor key
(the status trigger) looks the module up here.
"""

from __future__ import annotations

import importlib
from typing import Any

from airflow_provider_campaigns.vendors.base import VendorSpec

VENDOR_KEYS = ("bsg", "cellcast", "comm", "kore")


def vendor_spec(key: str) -> VendorSpec[Any]:
    """The :class:`VendorSpec` of a vendor key such as ``bsg``."""
    if key not in VENDOR_KEYS:
        raise ValueError(f"unknown vendor {key!r}; known: {', '.join(VENDOR_KEYS)}")
    spec: VendorSpec[Any] = importlib.import_module(f"airflow_provider_campaigns.vendors.{key}").SPEC
    return spec
