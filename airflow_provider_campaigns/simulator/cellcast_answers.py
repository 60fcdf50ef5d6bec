"""Cellcast's answer shapes: the app envelope around every JSON answer, and its error bodies.

Documented (seed ``cellcast-cancel.txt``; developer.cellcast.com): the envelope (``app_type`` ...
``is_enc``, ``status``, ``message``, ``message_type``, ``data``, ``error``); ``400 {"code",
"message", "stack"}``; ``401 {"code": 401, "message": "Token expired", "stack"}``. Recorded
from the live API by a third party: an unknown id is HTTP 200 ``status: false``, ``"message
not found"``; an ill-formed id is HTTP 200 ``status: false``, ``"internal server error"``,
``error.name: "CastError"``.
"""

from __future__ import annotations

from typing import Any

from .http_types import SimResponse, json_response

ENVELOPE: dict[str, Any] = {
    "app_type": "web",
    "app_version": "1.0",
    "maintainence": 0,
    "new_version": 0,
    "force_update": 0,
    "invalid_token": 0,
    "refresh_token": "",
    "show_message": 0,
    "is_enc": False,
}


def envelope(status: bool, message: str, data: Any = None, error: Any = None) -> dict[str, Any]:
    """Cellcast's standard answer envelope."""
    return {
        **ENVELOPE,
        "status": status,
        "message": message,
        "message_type": "toast",
        "data": {} if data is None else data,
        "error": {} if error is None else error,
    }


def api_error(code: int, message: str) -> SimResponse:
    """Cellcast's ``{"code", "message", "stack"}`` error answer."""
    return json_response(code, {"code": code, "message": message, "stack": f"APIError: {message}."})


def not_found() -> SimResponse:
    """HTTP 200, ``status: false``, ``message not found``."""
    return json_response(200, envelope(False, "message not found", error={"error": "message not found"}))


def refused(text: str) -> SimResponse:
    """HTTP 200, ``status: false`` with ``text`` (a cancel the message's state forbids)."""
    return json_response(200, envelope(False, text, error={"error": text}))


def cast_error(raw: str) -> SimResponse:
    """What an ill-formed ObjectId gives: HTTP 200, ``internal server error``."""
    detail = f'Cast to ObjectId failed for value "{raw}" (type string) at path "_id" for model "Message"'
    return json_response(200, envelope(False, "internal server error", error={"name": "CastError", "message": detail}))
