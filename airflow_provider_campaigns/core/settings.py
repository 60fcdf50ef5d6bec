"""Transport settings read from an Airflow connection: base URL, timeouts, retries, TLS."""

from __future__ import annotations

import json
import os
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from airflow_provider_campaigns.core.retry import RetryPolicy
from airflow_provider_campaigns.exceptions import InvalidInputError

DEFAULT_TIMEOUT = (5.0, 15.0)
_RETRY_EXTRAS = ("max_retries", "backoff_base", "backoff_max", "retry_after_max", "retry_total_timeout")


@dataclass(frozen=True)
class TransportSettings:
    """Everything a transport needs besides credentials.

    :param timeout: ``(connect, read)`` seconds for every request.
    :param verify: ``True`` (system CAs) or a CA-bundle path; never ``False``.
    """

    vendor: str
    conn_id: str
    base_url: str
    timeout: tuple[float, float]
    retry: RetryPolicy
    verify: bool | str = True
    #: requests a second to keep to (``None``: unlimited until the vendor answers 429, then learned)
    requests_per_second: float | None = None
    #: the key requests of the same credentials at the same host share a pace by (``""``: not shared)
    pace_scope: str = ""


def parse_timeout(value: Any, parameter: str) -> tuple[float, float]:
    """``5`` → ``(5, 5)``; ``[2, 10]`` → ``(2, 10)``; anything else fails naming ``parameter``."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            pass
    if isinstance(value, bool):
        raise InvalidInputError(f"{parameter} must be seconds or [connect, read] seconds, not {value!r}.")
    if isinstance(value, (int, float)):
        pair: tuple[Any, Any] = (value, value)
    elif isinstance(value, (list, tuple)) and len(value) == 2:
        pair = (value[0], value[1])
    else:
        raise InvalidInputError(f"{parameter} must be seconds or [connect, read] seconds, not {value!r}.")
    result = []
    for item in pair:
        if isinstance(item, bool) or not isinstance(item, (int, float)) or not 0 < item <= 600:
            raise InvalidInputError(f"{parameter} values must be numbers of seconds in (0, 600], not {value!r}.")
        result.append(float(item))
    return result[0], result[1]


def _shown(host: str | None) -> str:
    """A host for messages: any ``user:password@`` part is replaced, never echoed."""
    text = str(host)
    if "@" in text:
        scheme, _, rest = text.rpartition("://")
        text = f"{scheme + '://' if scheme else ''}***@{rest.rpartition('@')[2]}"
    return repr(text[:200])


def base_url_from(host: str | None, port: int | None, schema: str | None, default: str, allow_insecure: bool, conn_id: str) -> str:
    """The vendor base URL from connection fields; https unless ``allow_insecure`` is set."""
    raw = (host or "").strip() or default
    if "://" not in raw:
        scheme = schema.strip().lower() if schema and schema.strip().lower() in ("http", "https") else "https"
        raw = f"{scheme}://{raw}"
    try:
        parts = urlsplit(raw)
        parsed_port = parts.port
    except ValueError as error:
        raise InvalidInputError(f"Connection {conn_id!r}: host {_shown(host)} is not a valid URL ({error}).") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment or "@" in parts.netloc:
        raise InvalidInputError(
            f"Connection {conn_id!r}: host {_shown(host)} must be an http(s) URL such as {default!r}, without user, query or fragment."
        )
    if any(ch.isspace() for ch in raw):
        raise InvalidInputError(f"Connection {conn_id!r}: host {_shown(host)} contains whitespace.")
    if parts.scheme == "http" and not allow_insecure:
        raise InvalidInputError(
            f'Connection {conn_id!r}: host {_shown(host)} uses plain http; use https, or set extra {{"allow_insecure": true}} '
            "if you really mean it (for example for the local simulator)."
        )
    netloc = parts.netloc
    if port and parsed_port is None:
        netloc = f"{netloc}:{port}"
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"


def connection_extras(conn: Any) -> dict[str, Any]:
    """The connection's extras that are set: ``null`` and blank values count as not set.

    Airflow 3's connection form saves every declared extra, ``null`` when left empty; Airflow
    2.11's saves blank text fields as nothing. Every reader of extras goes through here.
    """
    extra = conn.extra_dejson or {}
    return {key: value for key, value in extra.items() if value is not None and not (isinstance(value, str) and not value.strip())}


def flag(extra: Mapping[str, Any], key: str) -> bool:
    """A boolean extra that may be given as a JSON boolean or a string (URI form)."""
    value = extra.get(key, False)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def retry_policy_from(extra: Mapping[str, Any], conn_id: str) -> RetryPolicy:
    """A :class:`RetryPolicy` with the connection's overrides (``max_retries`` etc.)."""
    values: dict[str, float | int] = {}
    for key in _RETRY_EXTRAS:
        if key not in extra:
            continue
        try:
            number = float(extra[key])
        except (TypeError, ValueError):
            raise InvalidInputError(f"Connection {conn_id!r}: extra {key!r} must be a number, not {extra[key]!r}.") from None
        if number < 0 or number > 3600:
            raise InvalidInputError(f"Connection {conn_id!r}: extra {key!r} must be between 0 and 3600, not {extra[key]!r}.")
        values["total_timeout" if key == "retry_total_timeout" else key] = int(number) if key == "max_retries" else number
    return RetryPolicy(**values)  # type: ignore[arg-type]


def requests_per_second_from(extra: Mapping[str, Any], conn_id: str, default: float | None) -> float | None:
    """Extra ``requests_per_second``: a number > 0, or ``0`` for none (learn from 429s); absent: the vendor's default."""
    if "requests_per_second" not in extra:
        return default
    value = extra["requests_per_second"]
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if isinstance(value, bool) or not 0 <= number <= 10_000:
        raise InvalidInputError(
            f"Connection {conn_id!r}: extra 'requests_per_second' must be a number of requests a second "
            f"(0 = none: learn the vendor's limit from its 429 answers), not {value!r}."
        )
    return number or None


def transport_settings(
    conn: Any,
    vendor: str,
    default_host: str,
    request_timeout: Any = None,
    default_rate: float | None = None,
) -> TransportSettings:
    """Read :class:`TransportSettings` from an Airflow ``Connection``; ``request_timeout`` wins over extra ``timeout``.

    ``default_rate`` is the vendor's documented request rate (requests a second), kept unless extra
    ``requests_per_second`` says otherwise.
    """
    extra = connection_extras(conn)
    conn_id = str(conn.conn_id)
    if request_timeout is not None:
        timeout = parse_timeout(request_timeout, "request_timeout")
    elif "timeout" in extra:
        timeout = parse_timeout(extra["timeout"], f"connection {conn_id!r} extra 'timeout'")
    else:
        timeout = DEFAULT_TIMEOUT
    ca_bundle = extra.get("ca_bundle")
    if ca_bundle is not None and (not isinstance(ca_bundle, str) or not ca_bundle.strip()):
        raise InvalidInputError(f"Connection {conn_id!r}: extra 'ca_bundle' must be a path to a CA bundle file.")
    if ca_bundle is not None and not os.path.isfile(ca_bundle):
        raise InvalidInputError(f"Connection {conn_id!r}: extra 'ca_bundle' names {ca_bundle!r}, which is not a file on this machine.")
    base_url = base_url_from(conn.host, conn.port, conn.schema, default_host, flag(extra, "allow_insecure"), conn_id)
    return TransportSettings(
        vendor=vendor,
        conn_id=conn_id,
        base_url=base_url,
        timeout=timeout,
        retry=retry_policy_from(extra, conn_id),
        verify=ca_bundle or True,
        requests_per_second=requests_per_second_from(extra, conn_id, default_rate),
        pace_scope=pace_scope(vendor, base_url, getattr(conn, "login", None), getattr(conn, "password", None), extra.get("account_id")),
    )


def pace_scope(*parts: object) -> str:
    """An opaque key for "the same credentials at the same place" (a digest: no secret is kept)."""
    import hashlib

    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()


def require(value: Any, field_name: str, conn_id: str, vendor: str) -> str:
    """A required connection field, stripped; missing or blank fails naming the field."""
    if value is None or not str(value).strip():
        raise InvalidInputError(f"Connection {conn_id!r} ({vendor}) has no {field_name}; set it in the connection.")
    return str(value).strip()


def path_template(template: Any, name: str, conn_id: str, placeholders: frozenset[str], required: str) -> str:
    """A connection extra holding a path template: starts with ``/``, holds ``{required}``, no other placeholder than
    ``placeholders``, no literal brace, whitespace, query or fragment.
    """
    where = f"Connection {conn_id!r}: extra {name!r}"
    if not isinstance(template, str) or not template.startswith("/") or any(ch.isspace() or ch in "?#" for ch in template):
        raise InvalidInputError(f"{where} must be a path starting with '/', without whitespace, query or fragment: {template!r:.80}.")
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as error:
        raise InvalidInputError(f"{where} is not a valid template ({error}): {template!r:.80}.") from None
    fields = set()
    for literal, field_name, spec, conversion in parts:
        if "{" in literal or "}" in literal:
            raise InvalidInputError(f"{where} must not contain literal braces: {template!r:.80}.")
        if field_name is None:
            continue
        if field_name not in placeholders or spec or conversion:
            allowed = " and ".join(f"{{{placeholder}}}" for placeholder in sorted(placeholders, reverse=True))
            raise InvalidInputError(f"{where} has the unknown placeholder {{{field_name}}}; use only {allowed}.")
        fields.add(field_name)
    if required not in fields:
        raise InvalidInputError(f"{where} must contain the {{{required}}} placeholder: {template!r:.80}.")
    return template
