"""Settings every fake vendor reads on each request (changeable while the simulator runs)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SimConfig:
    """Behaviour switches shared by the four fake vendors.

    :param wind_down: default seconds an accepted stop takes before the campaign reports its
        stopped state (0 = at once); ``add_campaign(..., wind_down=...)`` overrides it per campaign.
    """

    wind_down: float = 0.0

    def __post_init__(self) -> None:
        self.wind_down = check_wind_down(self.wind_down)


def check_wind_down(value: object) -> float:
    """A wind-down in seconds: a finite number >= 0 (``ValueError`` otherwise)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= float(value) < float("inf"):
        raise ValueError(f"wind_down must be a number of seconds >= 0, not {value!r}")
    return float(value)
