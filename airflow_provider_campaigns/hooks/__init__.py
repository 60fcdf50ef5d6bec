"""Hooks of the campaigns provider: one per vendor, on :class:`~.base.CampaignHook`."""

from __future__ import annotations

import importlib
from typing import Any


def load_hook_class(path: str) -> Any:
    """The hook class at ``module.Class`` (operators and sensors import it only when they run)."""
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)
