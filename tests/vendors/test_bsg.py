"""BSG's contract in pure code: ids and selections, list windows and paging, requests, answers, login."""

from __future__ import annotations

import base64
import json
import time
from functools import partial
from typing import Any

import pendulum
import pytest

from airflow_provider_campaigns import exceptions as errors
from airflow_provider_campaigns.core.flow import Token
from airflow_provider_campaigns.protocol.flows import stop_flow
from airflow_provider_campaigns.registry import vendor_spec
from airflow_provider_campaigns.status import ALREADY_FINAL, STOPPED, CampaignState
from airflow_provider_campaigns.vendors import bsg
from airflow_provider_campaigns.vendors.base import ApiOptions
from airflow_provider_campaigns.vendors.bsg import BsgApi, BsgCampaign
from tests.conftest import fake_connection, vendor_reply

VENDOR = "BSG"
API = BsgApi("live_not-used-here")
NOW = pendulum.datetime(2026, 6, 15, 9, 30)


reply = partial(vendor_reply, VENDOR)


def conn(password: Any = "live_key", host: Any = None, extra: dict[str, Any] | None = None) -> Any:
    return fake_connection("bsg_default", host, password=password, extra=extra)


def campaign_body(campaign_id: int = 12, status: str = "sending", **extra: Any) -> dict[str, Any]:
    return {"data": {"id": campaign_id, "name": f"promo {campaign_id}", "status": status, "created_at": "2026-01-01 10:00:00", **extra}}


def listed(*ids_and_statuses: tuple[int, str], total: int, offset: int = 0) -> dict[str, Any]:
    data = [{"id": i, "name": f"promo {i}", "status": s} for i, s in ids_and_statuses]
    return {"data": data, "meta": {"page": {"total": total, "offset": offset, "limit": 500}}}


# -- module and connection ---------------------------------------------------------------------
def test_module_contract_and_connect():
    assert (bsg.VENDOR, bsg.KEY, bsg.DEFAULT_HOST) == ("BSG", "bsg", "https://one-api.bsg.world")
    settings, api = vendor_spec("bsg").connect(conn())
    assert settings.base_url == "https://one-api.bsg.world" and settings.vendor == "BSG"
    assert isinstance(api, BsgApi) and api.auth.refreshable is True
    assert vendor_spec("bsg").connect(conn(host="https://bsg.test/"))[0].base_url == "https://bsg.test"


@pytest.mark.parametrize("password", [None, "", "   "])
def test_the_api_key_is_required(password):
    with pytest.raises(errors.InvalidInputError, match=r"Connection 'bsg_default' \(BSG\) has no password \(the BSG API key\)"):
        vendor_spec("bsg").connect(conn(password))


def test_status_map_option_extends_the_defaults():
    _, api = vendor_spec("bsg").connect(conn(), options=ApiOptions(status_map={"archived": "completed", "paused": "stopped"}))
    assert api.statuses.normalize("archived") is CampaignState.COMPLETED
    assert api.statuses.normalize("paused") is CampaignState.STOPPED
    assert bsg.from_connection(conn(), vendor_spec("bsg").connect(conn())[0], ApiOptions()).statuses is bsg.STATUS_MAP


# -- ids, channel, references -------------------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [(12, 12), ("12", 12), ("012", 12), (2**63 - 1, 2**63 - 1)])
def test_campaign_id_is_a_positive_integer(value, expected):
    assert bsg.validate_campaign_id(value) == expected


@pytest.mark.parametrize("value", [0, -1, "0", "-1", "1.5", 1.0, " 12", "12 ", "1e3", "", "١٢", True, None, [12], 2**63, "{{ params.id }}"])
def test_campaign_id_of_the_wrong_shape_is_rejected_naming_the_parameter(value):
    with pytest.raises(errors.InvalidInputError, match=r"^campaign_ids\[1\]: a BSG campaign id is a positive integer"):
        bsg.validate_campaign_id(value, "campaign_ids[1]")


@pytest.mark.parametrize(("value", "expected"), [("sms", "sms"), ("RCS", "rcs"), (" Sms ", "sms")])
def test_channel_is_sms_or_rcs(value, expected):
    assert bsg.validate_channel(value) == expected


@pytest.mark.parametrize("value", ["viber", "whatsapp", "", None, 1])
def test_other_channels_are_rejected(value):
    with pytest.raises(errors.InvalidInputError, match=r"^channel: BSG channel must be one of sms, rcs"):
        bsg.validate_channel(value)


def test_campaign_reference_label_and_round_trip():
    ref = bsg.campaign("12", "RCS")
    assert ref == BsgCampaign(12, "rcs") and ref.label == "12"
    assert ref.as_dict() == {"id": 12, "channel": "rcs"}
    assert BsgCampaign.from_dict(ref.as_dict()) == ref
    assert BsgCampaign.from_dict({"id": 5}) == BsgCampaign(5, "sms")
    with pytest.raises(errors.InvalidInputError, match="campaign_id"):
        BsgCampaign.from_dict({"id": "5; DROP"})
    with pytest.raises(errors.InvalidInputError, match="channel"):
        BsgCampaign.from_dict({"id": 5, "channel": "fax"})


# -- selection -----------------------------------------------------------------------------------
def test_selection_of_one_campaign_or_a_list():
    assert bsg.selection("Op", campaign_id="12", channel="RCS").refs == (BsgCampaign(12, "rcs"),)
    chosen = bsg.selection("Op", campaign_ids=[12, "13", "012", 14])
    assert chosen.refs == (BsgCampaign(12), BsgCampaign(13), BsgCampaign(14)) and not chosen.all_active


def test_selection_of_every_active_campaign_keeps_its_filters():
    chosen = bsg.selection(
        "Op", all_active=True, channel="rcs", name_contains="promo", date_from="2026-01-01", date_to="2026-03-01T12:00:00+02:00"
    )
    assert (chosen.refs, chosen.all_active, chosen.channel, chosen.name_contains) == ((), True, "rcs", "promo")
    assert chosen.date_from == pendulum.datetime(2026, 1, 1) and chosen.date_to == pendulum.datetime(2026, 3, 1, 10)
    assert chosen.date_to.timezone_name == "UTC"
    assert (chosen.lookback_months, bsg.selection("Op", all_active=True, lookback_months=3).lookback_months) == (12, 3)


@pytest.mark.parametrize(
    "params",
    [{}, {"campaign_id": 1, "campaign_ids": [2]}, {"campaign_id": 1, "all_active": True}, {"campaign_ids": [1], "all_active": True}],
)
def test_selection_needs_exactly_one_way_of_naming_campaigns(params):
    with pytest.raises(errors.InvalidInputError, match=r"^Op: give exactly one of campaign_id, campaign_ids or all_active\."):
        bsg.selection("Op", **params)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"campaign_ids": "12,13"}, "campaign_ids must be a list of ids"),
        ({"campaign_ids": []}, "campaign_ids is empty"),
        ({"campaign_ids": [12, "x"]}, r"campaign_ids\[1\]"),
        ({"campaign_id": "x"}, "^campaign_id:"),
        ({"campaign_id": 1, "channel": "viber"}, "channel"),
        ({"all_active": "true"}, "all_active must be True or False"),
        ({"all_active": True, "name_contains": "  "}, "name_contains must be non-empty text"),
        ({"all_active": True, "name_contains": 5}, "name_contains must be non-empty text"),
        ({"all_active": True, "lookback_months": 0}, "lookback_months must be a whole number of months from 1 to 120"),
        ({"all_active": True, "lookback_months": 121}, "lookback_months"),
        ({"all_active": True, "lookback_months": True}, "lookback_months"),
        ({"all_active": True, "lookback_months": "6"}, "lookback_months"),
        ({"all_active": True, "date_from": "{{ ds }}"}, "date_from must be a date"),
        ({"all_active": True, "date_from": "yesterday-ish"}, "date_from must be a date"),
        ({"all_active": True, "date_to": 20260101}, "date_to must be a date"),
        ({"all_active": True, "date_from": "2026-03-01", "date_to": "2026-01-01"}, r"date_from \(2026-03-01\) is after date_to"),
    ],
)
def test_selection_rejects_bad_input_naming_the_parameter(params, match):
    with pytest.raises(errors.InvalidInputError, match=match):
        bsg.selection("Op", **params)


# -- list windows --------------------------------------------------------------------------------
def test_list_windows_cut_a_range_into_three_month_windows_newest_first_without_gaps():
    start, end = pendulum.datetime(2025, 1, 1), pendulum.datetime(2026, 5, 31)
    windows = bsg.list_windows(start, end)
    assert windows[0] == (pendulum.datetime(2026, 2, 28), end)  # pendulum month arithmetic: May 31 - 3 months
    assert windows[-1][0] == start
    for (lower, upper), (_, next_upper) in zip(windows, [*windows[1:], (None, start)], strict=True):
        assert lower < upper and upper.subtract(months=3) <= lower and next_upper == lower  # contiguous, newest first


def test_list_windows_use_calendar_months_across_a_leap_day():
    assert bsg.list_windows(pendulum.datetime(2023, 12, 1), pendulum.datetime(2024, 5, 31))[0][0] == pendulum.datetime(2024, 2, 29)


def test_list_windows_of_an_empty_range_is_that_range():
    day = pendulum.datetime(2026, 1, 1)
    assert bsg.list_windows(day, day) == [(day, day)]
    assert bsg.list_windows(day, day.add(months=3)) == [(day, day.add(months=3))]


def test_selection_windows_default_to_lookback_months_back_and_30_days_ahead():
    windows = bsg.selection_windows(bsg.selection("Op", all_active=True), NOW)
    assert windows[0][1] == NOW.add(days=30) and windows[-1][0] == NOW.subtract(months=12)
    assert len(windows) == 5  # 12 months and 30 days, 3 months at a time
    short = bsg.selection_windows(bsg.selection("Op", all_active=True, lookback_months=1), NOW)
    assert short == [(NOW.subtract(months=1), NOW.add(days=30))]


def test_selection_windows_use_the_given_dates():
    chosen = bsg.selection("Op", all_active=True, date_from="2026-01-01", date_to="2026-02-01")
    assert bsg.selection_windows(chosen, NOW) == [(pendulum.datetime(2026, 1, 1), pendulum.datetime(2026, 2, 1))]
    only_from = bsg.selection("Op", all_active=True, date_from="2026-06-01")
    assert bsg.selection_windows(only_from, NOW) == [(pendulum.datetime(2026, 6, 1), NOW.add(days=30))]


def test_a_date_to_in_the_past_looks_back_from_it():
    chosen = bsg.selection("Op", all_active=True, date_to="2020-01-01")
    windows = bsg.selection_windows(chosen, NOW)
    assert windows[0][1] == pendulum.datetime(2020, 1, 1) and windows[-1][0] == pendulum.datetime(2019, 1, 1)
    assert all(lower < upper for lower, upper in windows)


def test_a_date_from_beyond_what_bsg_lists_is_an_error_not_an_empty_listing():
    chosen = bsg.selection("Op", all_active=True, date_from="2030-01-01")
    with pytest.raises(errors.InvalidInputError, match="empty"):
        bsg.selection_windows(chosen, NOW)


def test_a_date_to_beyond_thirty_days_ahead_is_cut_to_it():
    chosen = bsg.selection("Op", all_active=True, date_from=NOW.subtract(days=10).to_date_string(), date_to="2030-01-01")
    assert bsg.selection_windows(chosen, NOW)[0][1] == NOW.add(days=30)


@pytest.mark.parametrize("given", [{"name_contains": "promo"}, {"date_from": "2026-01-01"}, {"date_to": "2026-01-01"}])
def test_selection_filters_with_named_ids_are_refused_not_ignored(given):
    with pytest.raises(errors.InvalidInputError, match="all_active"):
        bsg.selection("Op", campaign_ids=[1], **given)


# -- list requests and pages ------------------------------------------------------------------------
WINDOW = (pendulum.datetime(2026, 1, 1), pendulum.datetime(2026, 3, 31, 23, 59, 59))


def test_list_request_asks_one_channel_one_window_oldest_id_first():
    request = API.list_request("rcs", WINDOW, 1000)
    assert (request.method, request.path, request.action, request.campaign_id) == ("GET", "/api/campaigns", "campaign list", None)
    assert dict(request.params) == {
        "filter[type]": "rcs",
        "filter[from]": "2026-01-01 00:00:00",
        "filter[to]": "2026-03-31 23:59:59",
        "sort": "id",
        "way": "asc",
        "page[offset]": "1000",
        "page[limit]": "500",
    }
    assert "search[field]" not in request.params and request.authenticated


@pytest.mark.parametrize(
    ("offset", "rows", "total", "more"),
    [(0, 2, 2, False), (0, 2, 5, True), (500, 3, 503, False), (0, 0, 0, False), (100, 2, 101, False), (30, 30, 500, True)],
)
def test_page_says_more_while_offset_plus_rows_is_below_meta_page_total(offset, rows, total, more):
    request = API.list_request("sms", WINDOW, offset)
    body = listed(*((offset + n + 1, "sending") for n in range(rows)), total=total, offset=offset)
    page = request.interpret(reply(request, 200, body))
    assert page.more is more and [s.campaign_id for s in page.items] == [str(offset + n + 1) for n in range(rows)]


def test_a_short_page_is_not_the_last_page_when_total_says_more():
    request = API.list_request("sms", WINDOW, 0)
    assert request.interpret(reply(request, 200, listed((1, "sending"), total=40))).more is True


def test_listed_campaigns_keep_status_name_and_timestamps():
    request = API.list_request("sms", WINDOW, 0)
    body = {"data": [{"id": 7, "name": "Spring", "status": "Paused", "created_at": "2026-01-02 03:04:05", "finished_at": None}]}
    body["meta"] = {"page": {"total": 1, "offset": 0, "limit": 500}}
    (status,) = request.interpret(reply(request, 200, body)).items
    assert (status.campaign_id, status.name, status.vendor_status, status.state) == ("7", "Spring", "Paused", CampaignState.PAUSED)
    assert status.timestamps == {"created_at": "2026-01-02T03:04:05Z"}, "BSG's zone-less times are UTC"


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ({"data": []}, "no integer 'meta.page.total' in the campaign list, so it cannot be shown complete"),
        ({"data": [], "meta": {"page": {"offset": 0, "limit": 500}}}, "meta.page.total"),
        ({"data": [], "meta": {"page": {"total": "3"}}}, "meta.page.total"),
        ({"data": [], "meta": {"page": {"total": True}}}, "meta.page.total"),
        ({"data": [], "meta": {"page": {"total": -1}}}, "meta.page.total"),
        ({"data": [], "meta": {"total": 3}}, "meta.page.total"),
        ({"items": [], "meta": {"page": {"total": 0}}}, "no 'data' list"),
        ({"data": [{"name": "x", "status": "done"}], "meta": {"page": {"total": 1}}}, "without an integer 'id'"),
        ({"data": [{"id": "7", "status": "done"}], "meta": {"page": {"total": 1}}}, "without an integer 'id'"),
        ({"data": [{"id": 7}], "meta": {"page": {"total": 1}}}, "no status for campaign 7"),
        ({"data": ["7"], "meta": {"page": {"total": 1}}}, "without an integer 'id'"),
    ],
)
def test_a_list_answer_that_cannot_show_it_is_complete_is_unreadable(body, match):
    request = API.list_request("sms", WINDOW, 0)
    with pytest.raises(errors.ContractError, match=match):
        request.interpret(reply(request, 200, body))


def test_list_flow_pages_by_rows_received_and_lists_every_window(script, budget):
    windows = bsg.list_windows(pendulum.datetime(2026, 1, 1), pendulum.datetime(2026, 5, 1))
    assert len(windows) == 2
    run = script(
        VENDOR,
        (200, listed((10, "sending"), (11, "done"), total=3)),  # BSG may cap a page below page[limit]
        (200, listed((12, "paused"), total=3, offset=2)),
        (200, listed((3, "scheduled"), (10, "sending"), total=2)),  # the older window; 10 sits on the boundary
    )
    statuses = run.run(bsg.list_flow(API, "sms", windows, budget))
    assert [s.campaign_id for s in statuses] == ["10", "11", "12", "3"]
    assert [(r.params["filter[from]"], r.params["page[offset]"]) for r in run.requests] == [
        ("2026-02-01 00:00:00", "0"),
        ("2026-02-01 00:00:00", "2"),
        ("2026-01-01 00:00:00", "0"),
    ]


def test_a_list_page_that_says_more_but_brings_nothing_fails(script, budget):
    run = script(VENDOR, (200, listed((1, "sending"), total=5)), (200, listed(total=5, offset=1)))
    with pytest.raises(errors.PermanentError, match="BSG: the campaign list says more pages follow, but page 2 brought nothing new"):
        run.run(bsg.list_flow(API, "sms", [WINDOW], budget))


def test_select_flow_keeps_campaigns_of_the_channel_not_final_whose_name_matches(script, budget):
    chosen = bsg.selection("Op", all_active=True, channel="rcs", name_contains="PROMO", date_from="2026-01-01", date_to="2026-02-01")
    body = {
        "data": [
            {"id": 1, "name": "Spring promo", "status": "sending"},
            {"id": 2, "name": "promo done", "status": "done"},
            {"id": 3, "name": "other", "status": "sending"},
            {"id": 4, "name": "promo paused", "status": "paused"},
            {"id": 5, "name": "promo spam", "status": "spam"},
            {"id": 6, "name": "promo new state", "status": "archiving"},
            {"id": 7, "name": "promo stopped", "status": "stopped"},
            {"id": 8, "name": "promo in moderation", "status": "moderation"},
        ],
        "meta": {"page": {"total": 8, "offset": 0, "limit": 500}},
    }
    run = script(VENDOR, (200, body))
    refs = run.run(bsg.select_flow(API, chosen, budget, NOW))
    assert refs == [BsgCampaign(1, "rcs"), BsgCampaign(4, "rcs"), BsgCampaign(6, "rcs"), BsgCampaign(8, "rcs")]
    assert run.requests[0].params["filter[type]"] == "rcs"


def test_select_flow_of_explicit_ids_lists_nothing(script, budget):
    run = script(VENDOR)
    assert run.run(bsg.select_flow(API, bsg.selection("Op", campaign_ids=[1, 2]), budget, NOW)) == []
    assert run.sent == []


def test_select_flow_without_dates_lists_lookback_months_back_and_30_days_ahead(script, budget):
    chosen = bsg.selection("Op", all_active=True, lookback_months=4)
    run = script(VENDOR, (200, listed(total=0)), (200, listed(total=0)))
    assert run.run(bsg.select_flow(API, chosen, budget, NOW)) == []
    assert [(r.params["filter[from]"], r.params["filter[to]"]) for r in run.requests] == [
        ("2026-04-15 09:30:00", "2026-07-15 09:30:00"),
        ("2026-02-15 09:30:00", "2026-04-15 09:30:00"),
    ]


# -- status map ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "state"),
    [
        ("creation", "active"),
        ("moderation", "active"),
        ("scheduled", "active"),
        ("planned", "active"),
        ("Planned", "active"),
        ("sending", "active"),
        ("paused", "paused"),
        ("stopped", "stopped"),
        ("done", "completed"),
        ("spam", "failed"),
        ("whatsapp-only", "unknown"),
    ],
)
def test_status_map(raw, state):
    assert bsg.STATUS_MAP.normalize(raw) is CampaignState(state)


def test_paused_is_not_final_and_spam_is():
    assert not bsg.STATUS_MAP.normalize("paused").is_final and bsg.STATUS_MAP.normalize("spam").is_final


# -- stop and status ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("channel", "method"), [("sms", "PATCH"), ("rcs", "PUT")])
def test_stop_request_is_patch_for_sms_and_put_for_rcs(channel, method):
    request = API.stop_request(bsg.campaign(12, channel))
    assert (request.method, request.path, request.json) == (method, "/api/campaigns/12/stop", None)
    assert (request.action, request.campaign_id, request.authenticated) == ("stop", "12", True)


def test_stop_answer_is_the_campaign():
    request = API.stop_request(bsg.campaign(12))
    status = request.interpret(reply(request, 200, campaign_body(status="stopped", finished_at="2026-01-01 11:00:00")))
    assert (status.campaign_id, status.state, status.vendor_status, status.name) == ("12", CampaignState.STOPPED, "stopped", "promo 12")
    assert status.timestamps == {"created_at": "2026-01-01T10:00:00Z", "finished_at": "2026-01-01T11:00:00Z"}


@pytest.mark.parametrize("message", ["Invalid campaign status", " invalid campaign STATUS "])
def test_stop_422_invalid_campaign_status_is_a_refusal_for_the_stop_flow(message):
    request = API.stop_request(bsg.campaign(12))
    with pytest.raises(errors.StopRejectedError, match="BSG refused to stop campaign 12") as error:
        request.interpret(reply(request, 422, {"message": message, "errors": []}))
    assert error.value.http_status == 422


@pytest.mark.parametrize(
    ("status", "body", "error", "text"),
    [
        (
            422,
            {"message": "The given data was invalid.", "errors": {"id": ["The id must be an integer."]}},
            errors.VendorRejectedError,
            "given data",
        ),
        (422, {"message": "The given data was invalid.", "errors": [{"message": "bad"}]}, errors.VendorRejectedError, "given data"),
        (404, {"message": "Not found"}, errors.CampaignNotFoundError, 'HTTP 404, "Not found". Check the campaign id'),
        (401, {"message": "Unauthenticated."}, errors.AuthenticationError, "Unauthenticated"),
        (403, {"message": "Forbidden"}, errors.AuthenticationError, "may manage this campaign"),
    ],
)
def test_stop_failures_other_than_the_state_refusal_are_classified(status, body, error, text):
    request = API.stop_request(bsg.campaign(12))
    with pytest.raises(error, match=text) as raised:
        request.interpret(reply(request, status, body))
    assert not isinstance(raised.value, errors.StopRejectedError)


@pytest.mark.parametrize("body", [{"data": None}, {"data": []}, {"id": 12, "status": "done"}, {"data": {"id": 12}}, b"", b"<html>", b"[]"])
def test_an_unreadable_campaign_answer_is_a_format_error(body):
    request = API.status_request(bsg.campaign(12))
    with pytest.raises(errors.ResponseFormatError if isinstance(body, bytes) and not body.startswith(b"[") else errors.ContractError):
        request.interpret(reply(request, 200, body))


def test_status_request_reads_the_campaign():
    request = API.status_request(bsg.campaign(12, "rcs"))
    assert (request.method, request.path, request.action, request.campaign_id) == ("GET", "/api/campaigns/12", "status read", "12")
    assert request.interpret(reply(request, 200, campaign_body(status="sending"))).state is CampaignState.ACTIVE


def test_a_refused_stop_of_a_done_campaign_is_already_final(script, budget):
    run = script(VENDOR, (422, {"message": "Invalid campaign status", "errors": []}), (200, campaign_body(status="done")))
    outcome = run.run(stop_flow(API, bsg.campaign(12, "rcs"), budget))
    assert (outcome.outcome, outcome.status.vendor_status) == (ALREADY_FINAL, "done")
    assert run.calls == ["PUT /api/campaigns/12/stop", "GET /api/campaigns/12"]


def test_a_stop_refused_for_validation_is_not_followed_by_a_status_read(script, budget):
    run = script(VENDOR, (422, {"message": "The given data was invalid.", "errors": {}}))
    with pytest.raises(errors.VendorRejectedError):
        run.run(stop_flow(API, bsg.campaign(12), budget))
    assert len(run.sent) == 1


def test_a_stop_is_retried_with_a_fresh_login_after_a_401(script, budget):
    run = script(VENDOR, (401, {"message": "Token expired"}), (200, campaign_body(status="stopped")))
    assert run.run(stop_flow(API, bsg.campaign(12), budget)).outcome == STOPPED
    assert [ask.stale for ask in run.token_asks] == [None, "token-1"]
    assert [send.token for send in run.sent] == ["token-1", "token-2"]


# -- login -----------------------------------------------------------------------------------------
def jwt_with(claims: Any) -> str:
    def part(value: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256'})}.{part(claims)}.signature"


def test_login_request_posts_the_api_key_unauthenticated():
    request = BsgApi("live_abc").auth.login_request()
    assert (request.method, request.path, request.json, request.authenticated) == (
        "POST",
        "/api/auth/login",
        {"api_key": "live_abc"},
        False,
    )
    assert request.action == "login"


def test_login_flow_returns_the_bearer_with_its_expiry(script, budget):
    token = jwt_with({"exp": 1_900_000_000, "id": 208})
    run = script(VENDOR, (200, {"bearer": token}))
    assert run.run(BsgApi("k").auth.token_flow(budget)) == Token(token, 1_900_000_000.0)
    assert run.sent[0].token is None and run.token_asks == []


def test_a_bearer_without_a_readable_expiry_is_kept_for_an_hour():
    request = API.auth.login_request()
    before = time.time()
    token = request.interpret(reply(request, 200, {"bearer": "not-a-jwt"}))
    assert token.value == "not-a-jwt" and before + 3590 <= token.expires_at <= time.time() + 3610


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        (jwt_with({"exp": 1_741_369_668}), 1_741_369_668.0),
        (jwt_with({"exp": 1.5}), 1.5),
        (jwt_with({"exp": True}), None),
        (jwt_with({"exp": "soon"}), None),
        (jwt_with(["exp"]), None),
        (jwt_with({}), None),
        ("only-one-part", None),
        ("a.!!!.c", None),
        ("a.bm90IGpzb24.c", None),
    ],
)
def test_jwt_expiry_reads_exp_without_verifying_and_never_crashes(token, expected):
    assert bsg.jwt_expiry(token) == expected


@pytest.mark.parametrize("body", [{"token": "x"}, {"bearer": ""}, {"bearer": 5}, b"", b"<html>"])
def test_a_login_answer_without_a_bearer_is_unreadable(body):
    request = API.auth.login_request()
    with pytest.raises(errors.ResponseFormatError if isinstance(body, bytes) and not body.startswith(b"[") else errors.ContractError):
        request.interpret(reply(request, 200, body))


def test_a_refused_login_is_an_authentication_error():
    request = API.auth.login_request()
    with pytest.raises(errors.AuthenticationError, match='login, POST /api/auth/login\\): HTTP 401, "Invalid api key"'):
        request.interpret(reply(request, 401, {"message": "Invalid api key"}))


def test_bearer_header_is_the_spec_form():
    assert API.auth.headers("jwt") == {"Authorization": "Bearer jwt"}


# -- 429: BSG's duplicate-request detector -------------------------------------------------------------------------
DUPLICATE = (429, {"message": "Too many duplicate request detected"})
STOP_12, READ_12 = "PATCH /api/campaigns/12/stop", "GET /api/campaigns/12"


@pytest.mark.parametrize(("final", "outcome"), [("stopped", STOPPED), ("done", ALREADY_FINAL)])
def test_a_429_on_a_stop_is_followed_by_a_status_read_and_a_final_campaign_ends_it(script, budget, final, outcome):
    """The documented 429 ("Too many duplicate request detected") may mean an identical stop was already received:
    the status is read before anything is sent again, and a final campaign is done (stopped: ours, most likely)."""
    run = script(VENDOR, DUPLICATE, (200, campaign_body(status=final)))
    result = run.run(stop_flow(API, bsg.campaign(12), budget))
    assert (result.outcome, result.status.vendor_status) == (outcome, final)
    assert run.calls == [STOP_12, READ_12] and run.sleeps == []


def test_a_429_on_a_stop_of_a_running_campaign_backs_off_then_sends_the_stop_again(script, budget):
    run = script(VENDOR, (*DUPLICATE, {"retry-after": "2"}), (200, campaign_body(status="sending")), (200, campaign_body(status="stopped")))
    result = run.run(stop_flow(API, bsg.campaign(12), budget))
    assert result.outcome == STOPPED
    assert run.calls == [STOP_12, READ_12, STOP_12] and run.sleeps == [2.0], "Retry-After honoured between the read and the resend"


def test_a_stop_that_keeps_meeting_the_duplicate_detector_gives_up_naming_it(script, budget):
    answers = [DUPLICATE, (200, campaign_body(status="sending"))] * 4
    run = script(VENDOR, *answers)
    with pytest.raises(errors.TransientError, match=r"HTTP 429, the vendor's duplicate-request answer.*still 'sending'") as raised:
        run.run(stop_flow(API, bsg.campaign(12), budget))
    assert not isinstance(raised.value, errors.PermanentError) and raised.value.http_status == 429
    assert run.calls == [STOP_12, READ_12] * 4, "never two stops without a status read between them"


def test_a_429_on_a_status_read_is_still_a_plain_retry(script, budget):
    run = script(VENDOR, DUPLICATE, (200, campaign_body(status="sending")))
    request = API.status_request(bsg.campaign(12))
    from airflow_provider_campaigns.core.flow import call

    assert run.run(call(request, VENDOR, budget)).vendor_status == "sending"
    assert run.calls == [READ_12, READ_12]
