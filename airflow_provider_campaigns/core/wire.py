"""What travels on the wire, free of any HTTP library: request descriptions and received answers.

Vendor modules build :class:`ApiRequest` objects and read :class:`Reply` objects; the sync
(requests) and async (httpx) transports only carry them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from airflow_provider_campaigns.exceptions import ContractError, ResponseFormatError

T = TypeVar("T")

EXCERPT_LENGTH = 200


def path_param(value: object) -> str:
    """Percent-encode one path segment so that no id can add a ``/``, ``?`` or ``#`` to a URL."""
    return quote(str(value), safe="")


@dataclass(frozen=True)
class ApiRequest(Generic[T]):
    """One vendor call: where it goes, what it carries, and how to read its answer.

    :param interpret: turns a non-retryable answer into a value or a classified error.
    :param campaign_id: the campaign the call is about, named in every error message.
    :param action: what the call does in words (``"stop"``, ``"status read"``), for messages.
    :param headers: non-secret headers of this call (credentials come from the authenticator).
    :param retry_unreadable: re-send when a 2xx answer cannot be read (not for writes: the write happened).
    :param confirm_statuses: answers meaning "maybe already received" (BSG's 429 duplicate-request detector):
        :func:`~airflow_provider_campaigns.core.flow.call` does not re-send on them; the caller reads the
        campaign's state first (:class:`~airflow_provider_campaigns.core.flow.ResendHeld`).
    :param doc: the vendor documentation page that describes this call's answer (named by a
        :class:`~airflow_provider_campaigns.exceptions.ContractError` when an answer contradicts it).
    """

    method: str
    path: str
    interpret: Callable[[Reply], T]
    action: str
    campaign_id: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    json: Any = None
    authenticated: bool = True
    headers: Mapping[str, str] = field(default_factory=dict)
    retry_unreadable: bool = True
    doc: str | None = None
    confirm_statuses: frozenset[int] = frozenset()

    def describe(self) -> str:
        """``PATCH /api/campaigns/1/stop`` (no query string: it may carry account ids)."""
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Reply:
    """An HTTP answer as received, with the vendor and request it belongs to."""

    vendor: str
    request: ApiRequest[Any]
    status: int
    headers: Mapping[str, str]
    content: bytes
    #: the Airflow connection the request was sent with (named in credential errors)
    conn_id: str | None = None

    @property
    def ok(self) -> bool:
        """2xx."""
        return 200 <= self.status < 300

    def json(self) -> Any:
        """The body as JSON; an empty, non-JSON or malformed body raises :class:`ResponseFormatError`."""
        if not self.content.strip():
            raise self.format_error("an empty body")
        try:
            return json.loads(self.content)
        except RecursionError:
            raise self.format_error("a JSON body nested too deeply to read") from None
        except (ValueError, UnicodeDecodeError):
            content_type = self.headers.get("content-type", "unknown content type")
            raise self.format_error(f"a body that is not JSON ({content_type}): {self.excerpt()!r}") from None

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object (``dict``)."""
        body = self.json()
        if not isinstance(body, dict):
            raise self.contract_error(f"a JSON {type(body).__name__} where the documented answer is an object")
        return body

    def excerpt(self) -> str:
        """A short, whitespace-collapsed, secret-redacted excerpt of the body for messages."""
        from airflow.providers.common.compat.sdk import redact

        text = self.content[: EXCERPT_LENGTH * 4].decode("utf-8", errors="replace")
        text = re.sub(r"\s+", " ", text).strip()
        if len(text) > EXCERPT_LENGTH:
            text = text[:EXCERPT_LENGTH] + "..."
        return str(redact(text))

    def format_error(self, what: str) -> ResponseFormatError:
        """A :class:`ResponseFormatError` naming vendor, campaign and request."""
        return ResponseFormatError(
            f"{self.vendor} answered {self.request.describe()} ({self.request.action}"
            f"{_campaign_suffix(self.request.campaign_id)}) with HTTP {self.status} and {what}.",
            vendor=self.vendor,
            campaign_id=self.request.campaign_id,
            http_status=self.status,
        )

    def contract_error(self, what: str, doc: str | None = None) -> ContractError:
        """A :class:`ContractError`: this 2xx answer parsed but ``what`` contradicts the vendor's documentation.

        ``doc`` (default: the request's own ``doc``) names the page it contradicts; the message carries a
        redacted excerpt of the body and says that retrying cannot help.
        """
        page = doc or self.request.doc or "the vendor's API documentation"
        return ContractError(
            f"{self.vendor} answered {self.request.describe()} ({self.request.action}{_campaign_suffix(self.request.campaign_id)}) "
            f"with HTTP {self.status} and an answer that contradicts its documentation: {what}. Documented in: {page}. "
            f"Body: {self.excerpt()!r}. The vendor's API may have changed: retrying cannot help; check the page, "
            "the provider's vendor contracts (docs/vendor-contracts.md) and the fire drill.",
            vendor=self.vendor,
            campaign_id=self.request.campaign_id,
            http_status=self.status,
            endpoint=self.request.describe(),
            missing=what,
            doc=page,
        )


def _campaign_suffix(campaign_id: str | None) -> str:
    return f" of campaign {campaign_id}" if campaign_id is not None else ""


def field_path(body: Any, path: str) -> Any:
    """Read a dotted path (``data.status``) from nested JSON; ``None`` when any step is missing."""
    current = body
    for step in path.split("."):
        if isinstance(current, dict):
            current = current.get(step)
        elif isinstance(current, list) and step.isdigit() and int(step) < len(current):
            current = current[int(step)]
        else:
            return None
    return current
