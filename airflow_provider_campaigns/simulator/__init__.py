"""A local, stateful fake of the four vendor APIs, written from their docs.

It imports nothing from the client side of this provider, so a misreading of a
vendor contract there is caught here instead of being copied. By default it is
*strict*: it answers exactly as the vendors document (``strict=False`` selects a
labelled lenient reading). Standard library plus PyJWT only. ``docs/simulator.md``
describes it; ``docs/vendor-contracts.md`` says which behaviours are documented and
which are guesses. Start it with ``python -m airflow_provider_campaigns.simulator``
or, from Python::

    with Simulator() as sim:
        campaign_id = sim.add_campaign("bsg", status="sending")
        ...
"""

from __future__ import annotations

from .credentials import SimulatorCredentials
from .sim import Simulator

__all__ = ["Simulator", "SimulatorCredentials"]
