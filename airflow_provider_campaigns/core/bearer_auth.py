"""A long-lived API key sent as a bearer token."""

from __future__ import annotations

from airflow_provider_campaigns.core.flow import Budget, Flow, Token


class StaticBearerAuth:
    """A long-lived key sent as ``Authorization: Bearer <key>`` (Cellcast, comm.com).

    Nothing to refresh: a 401 is final (:class:`~airflow_provider_campaigns.exceptions.AuthenticationError`).
    """

    refreshable = False

    def __init__(self, vendor: str, key: str) -> None:
        self.vendor = vendor
        self._key = key

    def token_flow(self, budget: Budget) -> Flow[Token]:
        """The key itself; no request needed."""
        return Token(self._key)
        yield  # pragma: no cover - makes this a generator, like every other token flow

    def headers(self, token: str) -> dict[str, str]:
        """``Authorization: Bearer <key>``."""
        return {"Authorization": f"Bearer {token}"}
