"""One small error hierarchy: which failures are final for the task, which Airflow may retry.

Permanent errors derive from ``AirflowFailException`` so Airflow does not burn task retries on a
bad key or an unknown campaign; transient ones (the hook's own retries ran out) derive from
``AirflowException`` so a task retry can still help.
"""

from __future__ import annotations

from typing import Any

from airflow.providers.common.compat.sdk import AirflowException, AirflowFailException


class CampaignProviderError(AirflowException):
    """Base of every error this provider raises; carries what a user needs to act on it.

    ``after_lost_answer`` is set when an attempt of the failed call got no answer (or a 5xx): that
    attempt may have been applied by the vendor (a stop that did stop the campaign).
    """

    after_lost_answer: bool = False

    def __init__(
        self,
        message: str,
        *,
        vendor: str | None = None,
        campaign_id: str | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.vendor = vendor
        self.campaign_id = campaign_id
        self.http_status = http_status

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), str(self), self.vendor, self.campaign_id, self.http_status))


def _rebuild(
    cls: type[CampaignProviderError], message: str, vendor: str | None, campaign_id: str | None, status: int | None
) -> CampaignProviderError:
    return cls(message, vendor=vendor, campaign_id=campaign_id, http_status=status)


class PermanentError(CampaignProviderError, AirflowFailException):
    """A failure no retry can fix: the task fails at once."""


class InvalidInputError(PermanentError, ValueError):
    """A parameter or connection field is malformed; raised before any request is sent."""


class ConnectionNotFoundError(InvalidInputError):
    """The Airflow connection named by the task does not exist; no retry can create it."""

    @classmethod
    def for_conn(cls, conn_id: str, conn_type: str, vendor: str) -> ConnectionNotFoundError:
        """The error for a missing ``conn_id`` of ``conn_type``, saying how to fix it."""
        return cls(
            f"Connection {conn_id!r} ({vendor}) does not exist. Create it in Admin > Connections with type "
            f"{conn_type!r} (or as the environment variable AIRFLOW_CONN_{conn_id.upper()}), or pass the id of "
            f"an existing {conn_type!r} connection ({conn_type}_conn_id, or conn_id in a kill switch target).",
            vendor=vendor,
        )


class AuthenticationError(PermanentError):
    """The vendor refused the credentials (after one fresh login or token, where that applies)."""


class CampaignNotFoundError(PermanentError):
    """The vendor does not know the campaign (or message) id."""


class VendorRejectedError(PermanentError):
    """The vendor answered with a client error (4xx) that retrying cannot change."""


class StopRejectedError(VendorRejectedError):
    """The vendor refused a stop because of the campaign's state; the caller reads the status next."""


class CampaignNotStoppableError(PermanentError):
    """The vendor refused the stop and the campaign is not final either."""


class UnacceptedStateError(PermanentError):
    """The campaign reached a final state the user did not accept (for example BSG ``spam``)."""


class ContractError(PermanentError):
    """A 2xx answer that parses but lacks what the vendor documents (or a documented path the vendor does not serve).

    The vendor's API no longer matches its documentation (or this provider's reading of it): no retry
    can fix that, so the task fails at once, naming the vendor, the endpoint (method and path, no
    query), what was missing or unexpected, and the documentation page the answer contradicts.
    (An empty, truncated or non-JSON body is a :class:`ResponseFormatError` instead: a passing fault.)
    """

    def __init__(
        self, message: str, *, endpoint: str | None = None, missing: str | None = None, doc: str | None = None, **context: Any
    ) -> None:
        """``context``: ``vendor``, ``campaign_id``, ``http_status`` as for every error of this provider."""
        super().__init__(message, **context)
        self.endpoint = endpoint
        self.missing = missing
        self.doc = doc

    def __reduce__(self) -> tuple[Any, ...]:
        details = (self.vendor, self.campaign_id, self.http_status, self.endpoint, self.missing, self.doc)
        return (_rebuild_contract, (type(self), str(self), *details))


def _rebuild_contract(cls: type[ContractError], message: str, *details: Any) -> ContractError:
    vendor, campaign_id, http_status, endpoint, missing, doc = details
    return cls(message, vendor=vendor, campaign_id=campaign_id, http_status=http_status, endpoint=endpoint, missing=missing, doc=doc)


class TransientError(CampaignProviderError):
    """A failure that outlived the hook's bounded retries (timeouts, 429, 5xx, dropped connections)."""


class ResponseFormatError(TransientError):
    """The vendor's answer could not be read (malformed JSON, empty body, unexpected shape)."""


def error_event(error: CampaignProviderError) -> dict[str, Any]:
    """What a trigger's ``error`` event carries of ``error``: its class and details (JSON, never a secret)."""
    details = {"vendor": error.vendor, "campaign_id": error.campaign_id, "http_status": error.http_status}
    if isinstance(error, ContractError):
        details |= {"endpoint": error.endpoint, "missing": error.missing, "doc": error.doc}
    return {"type": type(error).__name__, **details}


def error_from_event(message: str, carried: Any) -> CampaignProviderError:
    """The error a trigger's ``error`` event describes, rebuilt in the worker as its own class.

    Only this module's classes are rebuilt; anything else (an older trigger's event without the
    details, an unknown name) is a :class:`PermanentError` with the message, as before.
    """
    cls = globals().get(carried.get("type", "")) if isinstance(carried, dict) else None
    if not (isinstance(cls, type) and issubclass(cls, CampaignProviderError)):
        return PermanentError(message)
    details = {key: value for key, value in carried.items() if key != "type"}
    if not issubclass(cls, ContractError):
        details = {key: details.get(key) for key in ("vendor", "campaign_id", "http_status")}
    return cls(message, **details)
