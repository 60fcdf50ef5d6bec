"""Vendor API contracts as pure code, one module per vendor (found by key through :mod:`airflow_provider_campaigns.registry`)."""
