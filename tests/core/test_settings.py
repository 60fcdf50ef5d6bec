from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_campaigns.core.settings import base_url_from, parse_timeout, path_template, transport_settings
from airflow_provider_campaigns.exceptions import InvalidInputError
from tests.conftest import fake_connection


def conn(host: Any = None, extra: dict[str, Any] | None = None, port: Any = None, schema: Any = None) -> SimpleNamespace:
    return fake_connection("c", host, extra=extra, port=port, schema=schema)


def test_defaults_to_https_vendor_host_with_timeouts_and_retries():
    settings = transport_settings(conn(), "BSG", "https://one-api.bsg.world")
    assert settings.base_url == "https://one-api.bsg.world"
    assert settings.timeout == (5.0, 15.0)
    assert settings.retry.max_retries is None, "retries are bounded by time, not by a count"
    assert settings.verify is True


@pytest.mark.parametrize(
    ("host", "port", "schema", "expected"),
    [
        ("api.example.com", None, None, "https://api.example.com"),
        ("https://api.example.com/", None, None, "https://api.example.com"),
        ("https://api.example.com/prefix/", 8443, None, "https://api.example.com:8443/prefix"),
        ("api.example.com", None, "https", "https://api.example.com"),
    ],
)
def test_base_url_forms(host, port, schema, expected):
    assert base_url_from(host, port, schema, "https://x", False, "c") == expected


@pytest.mark.parametrize("host", ["ftp://x", "https://", "https://u:p@x", "https://x?a=b", "https://x#f", "https://x y", "http://[::1"])
def test_malformed_hosts_are_rejected(host):
    with pytest.raises(InvalidInputError, match="host"):
        base_url_from(host, None, None, "https://x", False, "c")


def test_plain_http_needs_allow_insecure():
    with pytest.raises(InvalidInputError, match="allow_insecure"):
        transport_settings(conn("http://127.0.0.1:1"), "BSG", "https://x")
    assert transport_settings(conn("http://127.0.0.1:1", {"allow_insecure": "true"}), "BSG", "https://x").base_url == "http://127.0.0.1:1"


def test_timeout_from_extra_and_parameter_override():
    assert transport_settings(conn(extra={"timeout": 3}), "BSG", "https://x").timeout == (3.0, 3.0)
    assert transport_settings(conn(extra={"timeout": [1, 9]}), "BSG", "https://x").timeout == (1.0, 9.0)
    assert transport_settings(conn(extra={"timeout": 3}), "BSG", "https://x", request_timeout=[2, 4]).timeout == (2.0, 4.0)


@pytest.mark.parametrize("value", [0, -1, "abc", [1, 2, 3], True, None, 10_000])
def test_bad_timeouts_name_the_parameter(value):
    with pytest.raises(InvalidInputError, match="request_timeout"):
        parse_timeout(value, "request_timeout")


def test_retry_extras_and_their_validation():
    settings = transport_settings(conn(extra={"max_retries": "0", "backoff_base": 0.1}), "BSG", "https://x")
    assert settings.retry.max_retries == 0 and settings.retry.backoff_base == 0.1
    with pytest.raises(InvalidInputError, match="max_retries"):
        transport_settings(conn(extra={"max_retries": "many"}), "BSG", "https://x")


def test_ca_bundle_is_used_for_verification_and_must_exist(tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    assert transport_settings(conn(extra={"ca_bundle": str(bundle)}), "BSG", "https://x").verify == str(bundle)
    with pytest.raises(InvalidInputError, match="ca_bundle"):
        transport_settings(conn(extra={"ca_bundle": str(tmp_path / "missing.pem")}), "BSG", "https://x")


PLACES = frozenset({"stream_id", "campaign_id"})


@pytest.mark.parametrize(
    ("template", "match"),
    [
        ("/a/{campaign}", r"unknown placeholder \{campaign\}; use only \{stream_id\} and \{campaign_id\}"),
        ("/a/{stream_id}", r"must contain the \{campaign_id\} placeholder"),
        ("a/{campaign_id}", "starting with '/'"),
        ("/a/{campaign_id}?x=1", "without whitespace, query or fragment"),
        ("/a/{campaign_id}/}", "not a valid template"),
    ],
)
def test_a_path_template_extra_is_checked_naming_the_connection_and_extra(template, match):
    assert path_template("/ok/{stream_id}/{campaign_id}", "stop_path", "c", PLACES, "campaign_id") == "/ok/{stream_id}/{campaign_id}"
    with pytest.raises(InvalidInputError, match=match) as failed:
        path_template(template, "stop_path", "c", PLACES, "campaign_id")
    assert "Connection 'c': extra 'stop_path'" in str(failed.value)
