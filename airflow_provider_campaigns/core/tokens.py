"""Token caching shared by both transports: one token per transport, refreshed without stampede."""

from __future__ import annotations

from airflow_provider_campaigns.core.clock import SYSTEM_CLOCK, Clock
from airflow_provider_campaigns.core.flow import Token


class TokenSlot:
    """Holds the current token and decides whether a caller must obtain a new one.

    The transports wrap :meth:`needs_refresh` and :meth:`store` in their own lock so that, under
    concurrency, one caller refreshes and the others reuse its result.
    """

    def __init__(self, clock: Clock = SYSTEM_CLOCK) -> None:
        self._clock = clock
        self.token: Token | None = None
        self.refreshes = 0

    def needs_refresh(self, stale: str | None) -> bool:
        """True when there is no usable token, or the caller's rejected token is still the current one."""
        if self.token is None or not self.token.usable(self._clock.time()):
            return True
        return stale is not None and stale == self.token.value

    def store(self, token: Token) -> str:
        """Keep ``token`` (masked in logs from now on) and return its value."""
        from airflow.providers.common.compat.sdk import mask_secret

        mask_secret(token.value)
        self.token = token
        self.refreshes += 1
        return token.value
