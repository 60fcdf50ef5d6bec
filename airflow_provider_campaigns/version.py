"""The provider's name and version: a leaf every other module may import."""

from __future__ import annotations

__version__ = "0.2.0"

PACKAGE_NAME = "airflow-provider-campaigns"
