"""Vendor API contracts as pure code, one module per vendor.

Hooks import their vendor module directly; only code that starts from a serialized vendor key
(the status trigger) looks the module up, through the registry (:mod:`airflow_provider_campaigns.registry`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_provider_campaigns.vendors.base import VendorSpec


def vendor_spec(key: str) -> VendorSpec[Any]:
    """The :class:`~airflow_provider_campaigns.vendors.base.VendorSpec` of a registered vendor key such as ``bsg``."""
    from airflow_provider_campaigns.registry import vendor

    return vendor(key).spec()
