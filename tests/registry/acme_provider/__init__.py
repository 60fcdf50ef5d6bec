"""Acme, a fifth vendor that lives only in the test tree: its registry line (see tests/registry/test_fifth_vendor.py)."""

from __future__ import annotations

from airflow_provider_campaigns.connection_forms import http_form
from airflow_provider_campaigns.registry import VendorEntry
from airflow_provider_campaigns.trigger_form_sections import VendorForm

ENTRY = VendorEntry(
    "acme",
    "Acme",
    "https://docs.acme.test",
    http_form("acme", "AcmeHook", "Acme (SMS)", "API key", "acme key", "https://api.acme.test", package="acme_provider"),
    VendorForm("acme", "campaign_ids", "Acme campaign ids", "One Acme id per line.", ["ac-1"], r"^\s*ac-[0-9]+\s*$"),
    package="acme_provider",
)
