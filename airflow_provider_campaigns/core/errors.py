"""The one place that turns a vendor's error answer into a classified, readable exception."""

from __future__ import annotations

from typing import Any

from airflow_provider_campaigns.core.wire import Reply
from airflow_provider_campaigns.exceptions import (
    AuthenticationError,
    CampaignNotFoundError,
    CampaignProviderError,
    ContractError,
    TransientError,
    VendorRejectedError,
)

_HINTS = {
    401: "check the credentials (API key, token or client id/secret) in the Airflow connection{conn}",
    403: "check that the credentials of the Airflow connection{conn} may manage this campaign",
    404: "check the campaign id and that it belongs to this account",
}


def vendor_message(reply: Reply) -> str:
    """The vendor's own error text, from the usual JSON keys, else a body excerpt."""
    try:
        body: Any = reply.json()
    except CampaignProviderError:
        return reply.excerpt()
    for candidate in _message_candidates(body):
        if isinstance(candidate, str) and candidate.strip():
            from airflow.providers.common.compat.sdk import redact

            return str(redact(candidate.strip()[:200]))
    return reply.excerpt()


def _message_candidates(body: Any) -> list[Any]:
    if not isinstance(body, dict):
        return []
    candidates = [body.get("message"), body.get("msg"), body.get("error")]
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        candidates += [errors[0].get("msg"), errors[0].get("message")]
    error = body.get("error")
    if isinstance(error, dict):
        candidates += [error.get("error"), error.get("message")]
    return candidates


def describe_failure(reply: Reply, what: str) -> str:
    """``BSG refused to stop campaign 12 (PATCH /api/campaigns/12/stop): HTTP 404, "Not found".``"""
    request = reply.request
    target = f" campaign {request.campaign_id}" if request.campaign_id is not None else ""
    hint = _HINTS.get(reply.status, "").format(conn=f" {reply.conn_id!r}" if reply.conn_id else "")
    message = f'{reply.vendor} {what}{target} ({request.action}, {request.describe()}): HTTP {reply.status}, "{vendor_message(reply)}".'
    return f"{message} {hint[0].upper()}{hint[1:]}." if hint else message


def path_not_served(reply: Reply) -> ContractError:
    """A 405 on any call, or a 404 on a call naming no campaign (a list, a login, a credentials check).

    The path (or method) this provider built from the vendor's documentation is not served: a
    contract problem (the API moved, or a connection's path override is wrong), not a missing
    campaign and not a passing fault, so it fails at once.
    """
    request = reply.request
    page = request.doc or "the vendor's API documentation"
    return ContractError(
        f"{reply.vendor} does not serve {request.describe()} ({request.action}{_campaign(request.campaign_id)}): "
        f'HTTP {reply.status}, "{vendor_message(reply)}". The path and method follow {page}; the vendor\'s API may have '
        "changed, or a path override in the connection is wrong. Retrying cannot help; check the page and the "
        "provider's vendor contracts (docs/vendor-contracts.md).",
        vendor=reply.vendor,
        campaign_id=request.campaign_id,
        http_status=reply.status,
        endpoint=request.describe(),
        missing=f"the endpoint itself (HTTP {reply.status})",
        doc=page,
    )


def _campaign(campaign_id: str | None) -> str:
    return f" of campaign {campaign_id}" if campaign_id is not None else ""


def error_for(reply: Reply, cls: type[CampaignProviderError] | None = None) -> CampaignProviderError:
    """The classified exception for a non-2xx answer that is not retried."""
    if cls is None and (reply.status == 405 or (reply.status == 404 and reply.request.campaign_id is None)):
        return path_not_served(reply)
    if cls is None:
        if reply.status in (401, 403):
            cls = AuthenticationError
        elif reply.status == 404:
            cls = CampaignNotFoundError
        elif 400 <= reply.status < 500 or 300 <= reply.status < 400:
            cls = VendorRejectedError
        else:
            cls = TransientError
    what = "rejected the request" if cls is not TransientError else "failed on the request"
    if reply.request.campaign_id is not None:
        what += " for"
    return cls(
        describe_failure(reply, what),
        vendor=reply.vendor,
        campaign_id=reply.request.campaign_id,
        http_status=reply.status,
    )


def expect_ok(reply: Reply) -> Reply:
    """Return the reply when it is 2xx, else raise its classified error."""
    if not reply.ok:
        raise error_for(reply)
    return reply


def expect_json_object(reply: Reply) -> None:
    """Accept a 2xx answer holding a JSON object (a call whose answer is not read further), else raise its error."""
    expect_ok(reply).json_object()
