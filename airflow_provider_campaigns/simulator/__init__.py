"""A local, stateful fake of the four vendor APIs, written from their docs.

It imports nothing from the client side of this provider, so a misreading of a
vendor contract there is caught here instead of being copied. Standard library
plus PyJWT only. Start it with ``python -m airflow_provider_campaigns.simulator``
or, from Python::

    with Simulator() as sim:
        campaign_id = sim.add_campaign("bsg", status="sending")
        ...
"""

from __future__ import annotations

from .credentials import SimulatorCredentials
from .sim import Simulator

__all__ = ["Simulator", "SimulatorCredentials"]
