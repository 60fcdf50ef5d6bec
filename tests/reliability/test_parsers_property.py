"""Property-based tests: arbitrary JSON and non-JSON answers fed to every response parser.

Every parser (each vendor's stop, status, list, login / token-check interpreters) must return a
parsed value or raise a classified ``CampaignProviderError``: never ``KeyError``, ``TypeError``,
``AttributeError`` or any other surprise. The retry path (``core.flow.call``) is fuzzed too, with
arbitrary status codes and ``Retry-After`` headers. Examples are derandomized (same run every time)
and nothing is stored on disk.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import fake_connection

SETTINGS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
STREAM = "st-0603182c-7ffb-53c3-b307-47ca14b00001"


def _conn(vendor: str) -> Any:
    extra: dict[str, Any] = {"account_id": "acc-1", "stream_id": STREAM} if vendor == "kore" else {}
    return fake_connection(f"{vendor}_fuzz", login="cs-client", password="fuzz-secret-0123456789", extra=extra)


def _requests() -> dict[str, Any]:
    """Every request description whose interpreter reads a vendor answer."""
    import pendulum

    from airflow_provider_campaigns.registry import vendor_spec
    from airflow_provider_campaigns.vendors import bsg, cellcast, comm, kore

    found: dict[str, Any] = {}
    _, bsg_api = vendor_spec("bsg").connect(_conn("bsg"))
    window = (pendulum.datetime(2026, 8, 1), pendulum.datetime(2026, 11, 1))
    found["bsg-stop-sms"] = bsg_api.stop_request(bsg.campaign(12, "sms"))
    found["bsg-stop-rcs"] = bsg_api.stop_request(bsg.campaign(12, "rcs"))
    found["bsg-status"] = bsg_api.status_request(bsg.campaign(12))
    found["bsg-list"] = bsg_api.list_request("sms", window, 0)
    found["bsg-login"] = bsg_api.auth.login_request()
    _, cellcast_api = vendor_spec("cellcast").connect(_conn("cellcast"))
    msg = cellcast.message("675161d8a000000000000000")
    found["cellcast-cancel"] = cellcast_api.stop_request(msg)
    found["cellcast-status"] = cellcast_api.status_request(msg)
    found["cellcast-list"] = cellcast_api.list_request({}, 1)
    found["cellcast-verify"] = cellcast_api.verify_request()
    _, comm_api = vendor_spec("comm").connect(_conn("comm"))
    send = comm.send("3c90c3cc-0d44-4b50-8888-8dd25736052a", "4d90c3cc-0d44-4b50-8888-8dd25736052b")
    found["comm-stop"] = comm_api.stop_request(send)
    found["comm-status"] = comm_api.status_request(send)
    found["comm-sends"] = comm_api.sends_request(send.campaign_id)
    found["comm-list"] = comm_api.list_request(1)
    found["comm-credentials"] = comm_api.credentials_request()
    _, kore_api = vendor_spec("kore").connect(_conn("kore"))
    campaign = kore.KoreCampaign("cd-1", STREAM)
    found["kore-stop"] = kore_api.stop_request(campaign)
    found["kore-status"] = kore_api.status_request(campaign)
    found["kore-list"] = kore_api.list_request(STREAM)
    return found


REQUESTS = _requests()
PARSERS = sorted(REQUESTS)
VENDOR_OF = {"bsg": "BSG", "cellcast": "Cellcast", "comm": "comm.com", "kore": "Kore.ai"}

# -- strategies -----------------------------------------------------------------------------
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["", "stopped", "Stopped", "done", "sending", "scheduled", "canceled", "success", "failure", "true", "null", "12"]),
)
KEYS = st.sampled_from(
    [
        "data",
        "status",
        "message",
        "msg",
        "error",
        "errors",
        "bearer",
        "items",
        "hasNextPage",
        "nextPage",
        "totalPages",
        "meta",
        "campaigns",
        "_id",
        "id",
        "name",
        "sends",
        "campaign_sends",
        "current_page",
        "last_page",
        "code",
        "updatedAt",
        "created_at",
    ]
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.one_of(KEYS, st.text(max_size=8)), children, max_size=5)),
    max_leaves=12,
)
#: bodies shaped like the vendors' answers, with every field free to be anything
SHAPED = st.fixed_dictionaries(
    {},
    optional={
        "status": st.one_of(st.booleans(), SCALARS, JSON),
        "message": JSON,
        "data": st.one_of(
            JSON,
            st.fixed_dictionaries(
                {}, optional={"status": JSON, "id": JSON, "_id": JSON, "name": JSON, "items": JSON, "sends": JSON, "campaigns": JSON}
            ),
            st.lists(st.fixed_dictionaries({}, optional={"id": JSON, "_id": JSON, "status": JSON, "name": JSON}), max_size=3),
        ),
        "errors": JSON,
        "error": JSON,
        "bearer": st.one_of(JSON, st.just("a.b.c"), st.text(max_size=40)),
        "items": JSON,
        "meta": JSON,
        "campaigns": JSON,
    },
)
NON_JSON = st.one_of(
    st.binary(max_size=200),
    st.just(b""),
    st.just(b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
    st.just(b'{"data": '),
    st.text(max_size=100).map(lambda t: t.encode("utf-8")),
    st.builds(lambda b: b"\xef\xbb\xbf" + b, st.binary(max_size=20)),
)
BODIES = st.one_of(JSON.map(lambda v: json.dumps(v).encode()), SHAPED.map(lambda v: json.dumps(v).encode()), NON_JSON)
STATUSES = st.one_of(st.sampled_from([200, 201, 204, 400, 401, 403, 404, 405, 409, 422, 429, 500, 502, 503, 504]), st.integers(100, 599))
CONTENT_TYPES = st.sampled_from(["application/json", "text/html", "text/plain", "application/json; charset=utf-8", ""])


def _reply(parser: str, status: int, body: bytes, content_type: str, retry_after: str | None = None) -> Any:
    from airflow_provider_campaigns.core.wire import Reply

    headers = {"content-type": content_type} if content_type else {}
    if retry_after is not None:
        headers["retry-after"] = retry_after
    return Reply(vendor=VENDOR_OF[parser.split("-")[0]], request=REQUESTS[parser], status=status, headers=headers, content=body)


def _interpret(parser: str, status: int, body: bytes, content_type: str, figures: Any) -> None:
    """The property: a parsed value or a classified error; anything else fails (and is counted)."""
    from airflow_provider_campaigns.core.flow import Token
    from airflow_provider_campaigns.exceptions import CampaignProviderError
    from airflow_provider_campaigns.status import CampaignStatus

    try:
        result = REQUESTS[parser].interpret(_reply(parser, status, body, content_type))
    except CampaignProviderError as error:
        figures.parsed()
        assert str(error), "a classified error carries a message"
        return
    except Exception:
        figures.parsed(unclassified=True)
        raise
    figures.parsed()
    assert 200 <= status < 300, "only a 2xx answer parses"
    if isinstance(result, tuple):
        result = result[0]
    items = result if isinstance(result, list) else [result]
    assert all(item is None or isinstance(item, (CampaignStatus, Token)) for item in items), result


# -- every parser, every kind of body (each generated answer goes to all parsers) ------------
@SETTINGS
@given(status=STATUSES, body=BODIES, content_type=CONTENT_TYPES)
def test_any_answer_is_parsed_or_classified(status: int, body: bytes, content_type: str, figures: Any) -> None:
    for parser in PARSERS:
        _interpret(parser, status, body, content_type, figures)


@SETTINGS
@given(body=SHAPED.map(lambda v: json.dumps(v).encode()), status=st.sampled_from([200, 201]))
def test_any_2xx_shaped_answer_is_parsed_or_classified(body: bytes, status: int, figures: Any) -> None:
    for parser in PARSERS:
        _interpret(parser, status, body, "application/json", figures)


def _jwt(claims: Any) -> str:
    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    return f"{header}.{b64(json.dumps(claims).encode())}.{b64(b'sig')}"


@SETTINGS
@given(claims=st.one_of(JSON, st.fixed_dictionaries({"exp": SCALARS})))
def test_any_bsg_login_bearer_is_parsed_or_classified(claims: Any, figures: Any, masker_snapshot: Any) -> None:
    with masker_snapshot():  # every bearer is registered with the masker, which recompiles on each
        _interpret("bsg-login", 200, json.dumps({"bearer": _jwt(claims)}).encode(), "application/json", figures)


def test_bsg_login_bearer_with_a_huge_exp_is_classified(figures: Any) -> None:
    _interpret("bsg-login", 200, json.dumps({"bearer": _jwt({"exp": 10**400})}).encode(), "application/json", figures)


@pytest.mark.parametrize("parser", ["bsg-status", "cellcast-status", "comm-status", "kore-status", "bsg-login"])
def test_deeply_nested_body_is_classified(parser: str, figures: Any) -> None:
    _interpret(parser, 200, b"[" * 100_000, "application/json", figures)


# -- the retry path: status codes and Retry-After headers -------------------------------------
def _drive(parser: str, replies: list[Any]) -> Any:
    """Run ``core.flow.call`` over a scripted sequence of answers (then a 503 forever)."""
    from airflow_provider_campaigns.core.flow import Budget, call
    from airflow_provider_campaigns.core.retry import RetryPolicy
    from tests.conftest import FakeClock, Script

    request = REQUESTS[parser]
    clock = FakeClock()
    policy = RetryPolicy(max_retries=len(replies), backoff_base=0.0, backoff_max=0.0, retry_after_max=5, total_timeout=60)
    flow = call(request, VENDOR_OF[parser.split("-")[0]], Budget(policy, clock), refreshable=parser.startswith(("bsg", "kore")))
    script = Script(VENDOR_OF[parser.split("-")[0]], replies, clock, then=(503, b""))
    try:
        return script.run(flow)
    finally:
        assert all(0 <= seconds <= 5 for seconds in script.sleeps)


ASCII_RETRY_AFTER = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
    st.integers(-10, 10**6).map(str),
    st.sampled_from(["0", "1", " 2 ", "-1", "1.5", "Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "soon", ""]),
)
ANY_RETRY_AFTER = st.one_of(ASCII_RETRY_AFTER, st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=10))


def _retry_property(parser: str, answers: list[tuple[int, bytes, str | None]], figures: Any) -> None:
    from airflow_provider_campaigns.exceptions import CampaignProviderError

    replies = [_reply(parser, status, body, "application/json", retry_after) for status, body, retry_after in answers]
    try:
        _drive(parser, replies)
    except CampaignProviderError:
        figures.parsed()
    except Exception:
        figures.parsed(unclassified=True)
        raise
    else:
        figures.parsed()


@SETTINGS
@given(answers=st.lists(st.tuples(STATUSES, BODIES, ASCII_RETRY_AFTER), min_size=1, max_size=3))
def test_any_answer_sequence_ends_parsed_or_classified(answers: list[Any], figures: Any) -> None:
    for parser in (
        "bsg-status",
        "bsg-stop-sms",
        "cellcast-cancel",
        "cellcast-status",
        "comm-stop",
        "comm-status",
        "kore-stop",
        "kore-status",
    ):
        _retry_property(parser, answers, figures)


@SETTINGS
@example(retry_after="\u00b2")
@given(retry_after=ANY_RETRY_AFTER)
def test_any_latin1_retry_after_is_handled(retry_after: str | None, figures: Any) -> None:
    _retry_property("bsg-status", [(429, b"{}", retry_after)], figures)


@SETTINGS
@given(value=ASCII_RETRY_AFTER)
def test_parse_retry_after_never_raises_on_ascii(value: str | None) -> None:
    from airflow_provider_campaigns.core.retry import parse_retry_after

    seconds = parse_retry_after(value)
    assert seconds is None or seconds >= 0
