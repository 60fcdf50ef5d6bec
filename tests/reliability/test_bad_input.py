"""Bad input, table-driven: every row fails before any request, with a message naming the parameter.

Rows go through the public surface users touch (stop operators, status sensors in poke and
deferrable mode, hook methods, connections). "Nothing sent" is asserted twice: ``responses``
intercepts every ``requests`` call (none is registered, so any call would be recorded), and the
sync transport's ``_send`` is replaced by a spy that counts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from unittest.mock import MagicMock

import pytest
import responses

FAST = {"backoff_base": 0.0002, "backoff_max": 0.002, "max_retries": 1, "timeout": [1, 1]}
HOSTS = {
    "bsg": "https://bsg.invalid",
    "cellcast": "https://cellcast.invalid",
    "comm": "https://comm.invalid",
    "kore": "https://kore.invalid",
}
KORE_EXTRA = {"account_id": "acc-0123456789", "stream_id": "st-0603182c-7ffb-53c3-b307-47ca14b00001"}
GOOD = {
    "bsg": {"campaign_id": 12},
    "cellcast": {"message_ids": "675161d8a000000000000000"},
    "comm": {"campaign_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "campaign_send_id": "4d90c3cc-0d44-4b50-8888-8dd25736052b"},
    "kore": {"campaign_id": "cd-1"},
}
CONN_FIELD = {"bsg": "bsg_conn_id", "cellcast": "cellcast_conn_id", "comm": "comm_conn_id", "kore": "kore_conn_id"}
TEN_KB = "a" * 10240


@dataclass(frozen=True)
class Row:
    vendor: str
    target: str  # operator | sensor | deferrable | hook
    label: str
    param: str  # what the message must name
    kwargs: dict[str, Any] = field(default_factory=dict)
    method: str = ""
    args: tuple[Any, ...] = ()
    conn: dict[str, Any] | None = None  # a connection replacing the good one
    defect: str = ""  # a known defect: the row is a strict xfail until it is fixed


# Strings every vendor's id validator refuses (path, query and fragment characters, encodings,
# control and invisible characters, whitespace, templates, 10 kB).
BAD_ID_STRINGS: list[tuple[str, Any]] = [
    ("empty", ""),
    ("space", " "),
    ("tab-newline", "\t\n"),
    ("slash", "1/2"),
    ("dotdot", ".."),
    ("dotdot-slash", "../1"),
    ("query", "1?x=1"),
    ("fragment", "1#x"),
    ("pct-2F", "%2F"),
    ("pct-in-id", "1%2F2"),
    ("backslash", "1\\2"),
    ("nul", "1\x002"),
    ("trailing-newline", "12\n"),
    ("crlf-header-injection", "12\r\nX-Evil: 1"),
    ("rtl-override", "\u202e12"),
    ("zero-width-space", "1\u200b2"),
    ("padded", " 12 "),
    ("unrendered-template", "{{ params.campaign_id }}"),
    ("10kB", TEN_KB),
]
# Values of the wrong type.
BAD_ID_TYPES: list[tuple[str, Any]] = [
    ("None", None),
    ("negative-int", -1),
    ("zero-int", 0),
    ("huge-int", 2**64),
    ("float", 1.5),
    ("nan", float("nan")),
    ("inf", float("inf")),
    ("bool", True),
    ("bytes", b"12"),
    ("dict", {"id": 12}),
    ("object", object()),
]
BAD_SPECIFIC: dict[str, list[tuple[str, Any]]] = {
    "bsg": [
        ("negative-str", "-1"),
        ("zero-str", "0"),
        ("huge-str", "9" * 40),
        ("plus-sign", "+12"),
        ("hex", "0x1A"),
        ("exponent", "1e3"),
        ("decimal-str", "12.0"),
        ("float-int", 12.0),
        ("arabic-indic-digits", "\u0661\u0662"),
        ("fullwidth-digits", "\uff11\uff12"),
        ("emoji", "\U0001f600"),
        ("sql", "12;DROP"),
        ("list", [12]),
    ],
    "cellcast": [
        ("23-hex", "675161d8a00000000000000"),
        ("25-hex", "675161d8a0000000000000000"),
        ("non-hex", "675161d8a00000000000000g"),
        ("0x-prefix", "0x675161d8a000000000000000"),
        ("fullwidth-hex", "\uff16" * 24),
        ("uuid", "3c90c3cc-0d44-4b50-8888-8dd25736052a"),
        ("trailing-newline-hex", "675161d8a000000000000000\n"),
        ("int-list", [675161]),
        ("empty-list", []),
        ("none-in-list", [None]),
    ],
    "comm": [
        ("no-dashes", "3c90c3cc0d444b5088888dd25736052a"),
        ("braces", "{3c90c3cc-0d44-4b50-8888-8dd25736052a}"),
        ("urn", "urn:uuid:3c90c3cc-0d44-4b50-8888-8dd25736052a"),
        ("short", "3c90c3cc-0d44-4b50-8888-8dd25736052"),
        ("non-hex", "3c90c3cc-0d44-4b50-8888-8dd25736052z"),
        ("trailing-newline-uuid", "3c90c3cc-0d44-4b50-8888-8dd25736052a\n"),
        ("integer-str", "12"),
        ("list", ["3c90c3cc-0d44-4b50-8888-8dd25736052a"]),
    ],
    "kore": [
        ("dot", "."),
        ("129-chars", "c" * 129),
        ("template-close", "x}}"),
        ("line-separator", "cp\u20281"),
        ("nbsp", "cp\u00a01"),
        ("list", ["cd-1"]),
    ],
}
ID_PARAM = {"bsg": "campaign_id", "cellcast": "message_ids", "comm": "campaign_id", "kore": "campaign_id"}


def _ids(vendor: str) -> list[tuple[str, Any]]:
    return [*BAD_ID_STRINGS, *BAD_ID_TYPES, *BAD_SPECIFIC[vendor]]


def _rows() -> list[Row]:
    rows: list[Row] = []
    for vendor in ("bsg", "cellcast", "comm", "kore"):
        good, param = GOOD[vendor], ID_PARAM[vendor]
        # the main id, through the stop operator
        for label, value in _ids(vendor):
            rows.append(Row(vendor, "operator", f"{param}={label}", param, {**good, param: value}))
        # ... through the sensor (poke and deferrable) and the hook, a sample each
        for label, value in [("slash", "1/2"), ("dotdot", ".."), ("pct-2F", "%2F"), ("unrendered-template", "{{ x }}"), ("None", None)]:
            rows.append(
                Row(
                    vendor,
                    "sensor",
                    f"sensor-{param}={label}",
                    "message_id" if vendor == "cellcast" and value is None else param,
                    {**good, param: value},
                )
            )
        for label, value in [("query", "1?x"), ("10kB", TEN_KB), ("fragment", "1#x")]:
            rows.append(Row(vendor, "deferrable", f"deferrable-{param}={label}", param, {**good, param: value}))
        rows += _vendor_params(vendor)
        rows += _hook_rows(vendor)
        rows += _generic_rows(vendor)
        rows += _connection_rows(vendor)
    return rows


def _vendor_params(vendor: str) -> list[Row]:
    good = GOOD[vendor]
    rows: list[Row] = []
    if vendor == "bsg":
        for label, value in [
            ("empty", ""),
            ("space", " "),
            ("email", "email"),
            ("mms", "mms"),
            ("slash", "s/ms"),
            ("None", None),
            ("int", 1),
            ("template", "{{ params.channel }}"),
            ("fullwidth", "\uff53\uff4d\uff53"),
            ("nul", "sms\x00"),
            ("list", ["sms"]),
        ]:
            rows.append(Row(vendor, "operator", f"channel={label}", "channel", {**good, "channel": value}))
        for label, value in [
            ("str", "12"),
            ("empty", []),
            ("bad-item", [12, "x"]),
            ("none-item", [None]),
            ("dict", {"a": 1}),
            ("bytes", b"12"),
            ("broken-list-text", "[12"),
            ("nested", [[12]]),
            ("slash-item", [12, "1/2"]),
        ]:
            rows.append(Row(vendor, "operator", f"campaign_ids={label}", "campaign_ids", {"campaign_ids": value}))
        rows.append(Row(vendor, "operator", "campaign_id-and-campaign_ids", "campaign_id", {"campaign_id": 1, "campaign_ids": [2]}))
        rows.append(Row(vendor, "operator", "nothing-named", "campaign_id", {}))
    elif vendor == "cellcast":
        for label, value in [("empty", ""), ("rcs", "rcs"), ("slash", "sms/mms"), ("None", None), ("int", 1), ("template", "{{ x }}")]:
            rows.append(Row(vendor, "operator", f"message_type={label}", "message_type", {**good, "message_type": value}))
        for label, value in [("empty", ""), ("spaces", "   "), ("10kB", TEN_KB), ("template", "{{ params.tag }}"), ("int", 12)]:
            rows.append(Row(vendor, "operator", f"custom_string={label}", "custom_string", {"custom_string": value}))
        rows.append(Row(vendor, "operator", "message_ids[1]=slash", "message_ids[1]", {"message_ids": ["675161d8a000000000000000", "1/2"]}))
        rows.append(Row(vendor, "operator", "nothing-named", "message_ids", {}))
        rows.append(Row(vendor, "sensor", "sensor-nothing-named", "message_ids", {}))
    elif vendor == "comm":
        for label, value in _ids(vendor)[:8]:
            rows.append(Row(vendor, "operator", f"campaign_send_id={label}", "campaign_send_id", {**good, "campaign_send_id": value}))
        pair = (good["campaign_id"], good["campaign_send_id"])
        for label, value, param in [
            ("not-json", "not json", "campaign_sends"),
            ("empty-json", "[]", "campaign_sends"),
            ("empty", [], "campaign_sends"),
            ("bad-pair", [("x", "y")], "campaign_sends[0].campaign_id"),
            ("missing-key", [{"campaign_id": pair[0]}], "campaign_send_id"),
            ("bare-string", [pair[0]], "campaign_sends[0]"),
            ("triple", [(*pair, pair[0])], "campaign_sends[0]"),
            ("int", 12, "campaign_sends"),
            ("slash-send", [(pair[0], "1/2")], "campaign_sends[0].campaign_send_id"),
        ]:
            rows.append(Row(vendor, "operator", f"campaign_sends={label}", param, {"campaign_sends": value}))
        rows.append(Row(vendor, "operator", "pair-and-campaign_sends", "campaign_sends", {**good, "campaign_sends": [pair]}))
        rows.append(Row(vendor, "sensor", "sensor-campaign_send_id=slash", "campaign_send_id", {**good, "campaign_send_id": "1/2"}))
        rows.append(Row(vendor, "operator", "send_status_path=spaces", "send_status_path", {**good, "send_status_path": "data sends"}))
    else:
        for label, value in [("voice", "voice"), ("empty", ""), ("None", None), ("template", "{{ x }}"), ("slash", "sms/x")]:
            rows.append(Row(vendor, "operator", f"campaign_type={label}", "campaign_type", {**good, "campaign_type": value}))
        for label, value in [("slash", "st/x"), ("empty", ""), ("space", " "), ("dotdot", ".."), ("template", "{{ x }}"), ("pct", "st%2F")]:
            rows.append(Row(vendor, "operator", f"stream_id={label}", "stream_id", {**good, "stream_id": value}))
        for label, value in [("str", "cd-1"), ("empty", []), ("bad-item", ["cd-1", "a/b"]), ("none-item", [None])]:
            rows.append(Row(vendor, "operator", f"campaign_ids={label}", "campaign_ids", {"campaign_ids": value}))
        rows.append(
            Row(vendor, "operator", "campaign_id-and-campaign_ids", "campaign_id", {"campaign_id": "cd-1", "campaign_ids": ["cd-2"]})
        )
        rows.append(Row(vendor, "sensor", "sensor-stream_id=slash", "stream_id", {**good, "stream_id": "st/x"}))
    return rows


def _hook_rows(vendor: str) -> list[Row]:
    if vendor == "bsg":
        return [
            Row(vendor, "hook", "hook-get_campaign=slash", "campaign_id", method="get_campaign", args=("1/2",)),
            Row(vendor, "hook", "hook-stop_campaign=dotdot", "campaign_id", method="stop_campaign", args=("..",)),
            Row(vendor, "hook", "hook-stop_campaign-channel", "channel", method="stop_campaign", args=(12, "fax")),
        ]
    if vendor == "cellcast":
        return [
            Row(vendor, "hook", "hook-get_message=slash", "message_id", method="get_message", args=("1/2",)),
            Row(vendor, "hook", "hook-cancel_message=pct", "message_id", method="cancel_message", args=("%2F",)),
            Row(
                vendor,
                "hook",
                "hook-cancel_message-type",
                "message_type",
                method="cancel_message",
                args=("675161d8a000000000000000", "rcs"),
            ),
            Row(vendor, "hook", "hook-list_messages-10kB", "custom_string", method="list_messages", args=(TEN_KB,)),
        ]
    if vendor == "comm":
        good = GOOD["comm"]
        return [
            Row(
                vendor,
                "hook",
                "hook-get_campaign_send=slash",
                "campaign_id",
                method="get_campaign_send",
                args=("1/2", good["campaign_send_id"]),
            ),
            Row(
                vendor,
                "hook",
                "hook-stop_campaign_send=query",
                "campaign_send_id",
                method="stop_campaign_send",
                args=(good["campaign_id"], "1?x"),
            ),
            Row(
                vendor,
                "hook",
                "hook-stop_campaign_send=template",
                "campaign_id",
                method="stop_campaign_send",
                args=("{{ c }}", good["campaign_send_id"]),
            ),
        ]
    return [
        Row(vendor, "hook", "hook-get_campaign_status=slash", "campaign_id", method="get_campaign_status", args=("1/2",)),
        Row(vendor, "hook", "hook-stop_campaign-stream", "stream_id", method="stop_campaign", args=("cd-1", "st/x")),
        Row(vendor, "hook", "hook-stop_campaign-type", "campaign_type", method="stop_campaign", args=("cd-1", None, "voice")),
        Row(vendor, "hook", "hook-list_campaigns-statuses", "statuses", method="list_campaigns", args=("Active",)),
    ]


def _generic_rows(vendor: str) -> list[Row]:
    good = GOOD[vendor]
    rows = [
        Row(vendor, "operator", f"max_concurrency={label}", "max_concurrency", {**good, "max_concurrency": value})
        for label, value in [("zero", 0), ("too-many", 257), ("str", "8"), ("bool", True)]
    ]
    rows += [
        Row(vendor, "operator", f"poll_interval={label}", "poll_interval", {**good, "poll_interval": value})
        for label, value in [("zero", 0), ("negative", -1), ("str", "30")]
    ]
    rows.append(Row(vendor, "operator", "timeout=zero", "timeout", {**good, "timeout": 0}))
    rows += [
        Row(vendor, "operator", f"request_timeout={label}", "request_timeout", {**good, "request_timeout": value})
        for label, value in [("str", "abc"), ("triple", [1, 2, 3]), ("zero", 0), ("negative", -1), ("bool", True), ("huge", 1000)]
    ]
    rows.append(Row(vendor, "operator", "status_map=unknown-state", "status_map", {**good, "status_map": {"x": "nope"}}))
    rows.append(Row(vendor, "sensor", "target_states=unknown", "target_states", {**good, "target_states": ["nope"]}))
    rows.append(Row(vendor, "sensor", "target_states=empty", "target_states", {**good, "target_states": []}))
    return rows


def _connection_rows(vendor: str) -> list[Row]:
    good = GOOD[vendor]
    base = _good_connection(vendor)
    rows = [
        Row(vendor, "operator", "conn-password-missing", "password", good, conn={k: v for k, v in base.items() if k != "password"}),
        Row(vendor, "operator", "conn-password-blank", "password", good, conn={**base, "password": "   "}),
    ]
    for label, host in [
        ("ftp", "ftp://x.example"),
        ("userinfo", "https://user:pw@h.example"),
        ("query", "https://h.example/?q=1"),
        ("fragment", "https://h.example/#f"),
        ("space", "https://exa mple.com"),
        ("bracket", "https://[::1"),
        ("port-range", "https://h.example:99999"),
        ("plain-http", "http://h.example"),
        ("no-host", "https://"),
        ("scheme-only", "://"),
        ("javascript", "javascript:alert(1)"),
    ]:
        rows.append(Row(vendor, "operator", f"conn-host={label}", "host", good, conn={**base, "host": host}))
    extra = base.get("extra", {})
    rows.append(
        Row(
            vendor,
            "operator",
            "conn-extra-ca_bundle-missing-file",
            "ca_bundle",
            good,
            conn={**base, "extra": {**extra, "ca_bundle": "/nonexistent/ca-bundle.pem"}},
        )
    )
    for label, key, value in [
        ("timeout-str", "timeout", "abc"),
        ("timeout-zero", "timeout", [0, 1]),
        ("timeout-negative", "timeout", -1),
        ("timeout-triple", "timeout", [1, 2, 3]),
        ("timeout-bool", "timeout", True),
        ("timeout-huge", "timeout", 601),
        ("max_retries-negative", "max_retries", -1),
        ("max_retries-str", "max_retries", "many"),
        ("max_retries-huge", "max_retries", 4000),
        ("backoff_base-str", "backoff_base", "x"),
        ("retry_total_timeout-negative", "retry_total_timeout", -5),
        ("ca_bundle-whitespace-path", "ca_bundle", " /nonexistent/ca.pem"),
        ("ca_bundle-int", "ca_bundle", 5),
    ]:
        rows.append(Row(vendor, "operator", f"conn-extra-{label}", key, good, conn={**base, "extra": {**extra, key: value}}))
    if vendor == "kore":
        for label, key in [("login-missing", "login")]:
            rows.append(Row(vendor, "operator", f"conn-{label}", key, good, conn={k: v for k, v in base.items() if k != key}))
        for label, key, value in [
            ("account_id-missing", "account_id", None),
            ("account_id-space", "account_id", "a b"),
            ("account_id-slash", "account_id", "a/b"),
            ("stream_id-slash", "stream_id", "st/x"),
            ("stop_path-relative", "stop_path", "x/{campaign_id}"),
            ("stop_path-query", "stop_path", "/x/{campaign_id}?q=1"),
            ("stop_path-no-placeholder", "stop_path", "/x"),
            ("stop_path-unknown-placeholder", "stop_path", "/x/{nope}/{campaign_id}"),
            ("stop_path-conversion", "stop_path", "/x/{campaign_id!r}"),
            ("stop_path-literal-brace", "stop_path", "/x/{campaign_id}}"),
            ("status_path-no-placeholder", "status_path", "/status"),
        ]:
            kore_extra = {**extra, key: value} if value is not None else {k: v for k, v in extra.items() if k != key}
            rows.append(Row(vendor, "operator", f"conn-extra-{label}", key, good, conn={**base, "extra": kore_extra}))
        no_stream = {k: v for k, v in extra.items() if k != "stream_id"}
        rows.append(Row(vendor, "operator", "conn-no-stream-anywhere", "stream_id", good, conn={**base, "extra": no_stream}))
    if vendor == "comm":
        rows.append(
            Row(
                vendor,
                "operator",
                "conn-extra-final_statuses-int",
                "final_statuses",
                good,
                conn={**base, "extra": {**extra, "final_statuses": 12}},
            )
        )
        rows.append(
            Row(
                vendor,
                "operator",
                "conn-extra-send_status_path",
                "send_status_path",
                good,
                conn={**base, "extra": {**extra, "send_status_path": "a b"}},
            )
        )
    return rows


def _good_connection(vendor: str) -> dict[str, Any]:
    conn: dict[str, Any] = {"conn_type": vendor, "host": HOSTS[vendor], "password": f"{vendor}-bad-input-secret-0123456789"}
    extra: dict[str, Any] = dict(FAST)
    if vendor == "kore":
        conn["login"] = "cs-0d6b1a52-bad-input-client"
        extra.update(KORE_EXTRA)
    conn["extra"] = extra
    return conn


ROWS = _rows()


def _classes(vendor: str) -> tuple[Any, Any, Any]:
    if vendor == "bsg":
        from airflow_provider_campaigns.hooks.bsg import BsgHook
        from airflow_provider_campaigns.operators.bsg import BsgStopCampaignOperator
        from airflow_provider_campaigns.sensors.bsg import BsgCampaignStatusSensor

        return BsgStopCampaignOperator, BsgCampaignStatusSensor, BsgHook
    if vendor == "cellcast":
        from airflow_provider_campaigns.hooks.cellcast import CellcastHook
        from airflow_provider_campaigns.operators.cellcast import CellcastStopCampaignOperator
        from airflow_provider_campaigns.sensors.cellcast import CellcastCampaignStatusSensor

        return CellcastStopCampaignOperator, CellcastCampaignStatusSensor, CellcastHook
    if vendor == "comm":
        from airflow_provider_campaigns.hooks.comm import CommHook
        from airflow_provider_campaigns.operators.comm import CommStopCampaignOperator
        from airflow_provider_campaigns.sensors.comm import CommCampaignStatusSensor

        return CommStopCampaignOperator, CommCampaignStatusSensor, CommHook
    from airflow_provider_campaigns.hooks.kore import KoreHook
    from airflow_provider_campaigns.operators.kore import KoreStopCampaignOperator
    from airflow_provider_campaigns.sensors.kore import KoreCampaignStatusSensor

    return KoreStopCampaignOperator, KoreCampaignStatusSensor, KoreHook


SENSOR_ARGS = {
    "cellcast": ("message_ids", "custom_string", "message_type"),
    "comm": ("campaign_id", "campaign_send_id", "send_status_path"),
}


def _sensor_kwargs(vendor: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    allowed = SENSOR_ARGS.get(vendor, ("campaign_id", "stream_id"))
    return {k: v for k, v in kwargs.items() if k in allowed or k in ("target_states", "request_timeout", "status_map")}


def act(row: Row, conn_id: str) -> None:
    operator_cls, sensor_cls, hook_cls = _classes(row.vendor)
    conn_kw = {CONN_FIELD[row.vendor]: conn_id}
    if row.target == "operator":
        operator_cls(task_id="stop", **conn_kw, **row.kwargs).execute({"ti": MagicMock()})
    elif row.target in ("sensor", "deferrable"):
        sensor = sensor_cls(task_id="wait", **conn_kw, deferrable=row.target == "deferrable", **_sensor_kwargs(row.vendor, row.kwargs))
        if row.target == "sensor":
            sensor.poke({})
        else:
            sensor.execute({})
    else:
        getattr(hook_cls(conn_id), row.method)(*row.args)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Any request would be caught twice: by ``responses`` and by a spy on the sync transport."""
    from airflow_provider_campaigns.core.sync_transport import SyncTransport

    spied: list[Any] = []

    def spy(self: Any, action: Any) -> Any:
        spied.append(action.request.describe())
        raise AssertionError(f"a request was sent: {action.request.describe()}")

    monkeypatch.setattr(SyncTransport, "_send", spy)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps, spied


@pytest.mark.figure("bad_inputs")
@pytest.mark.parametrize(
    "row",
    [
        pytest.param(
            row,
            id=f"{row.vendor}-{row.target}-{row.label}",
            marks=[pytest.mark.xfail(strict=True, reason=row.defect)] if row.defect else [],
        )
        for row in ROWS
    ],
)
def test_rejected_before_any_request(row: Row, no_network: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow_provider_campaigns.exceptions import InvalidInputError

    rsps, spied = no_network
    conn_id = f"bad_input_{row.vendor}"
    conn = row.conn if row.conn is not None else _good_connection(row.vendor)
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))
    with pytest.raises(InvalidInputError) as caught:
        act(row, conn_id)
    assert row.param in str(caught.value), f"the message does not name {row.param!r}: {caught.value}"
    assert len(str(caught.value)) < 1200, "a bounded message (no 10 kB echo)"
    assert spied == [] and len(rsps.calls) == 0


def test_every_vendor_has_at_least_50_bad_inputs() -> None:
    counts = {vendor: sum(1 for row in ROWS if row.vendor == vendor) for vendor in ("bsg", "cellcast", "comm", "kore")}
    assert all(count >= 50 for count in counts.values()), counts
