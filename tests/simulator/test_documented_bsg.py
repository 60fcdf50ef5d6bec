"""The strict fake BSG against BSG's own documentation: seeds, OpenAPI examples, limits, window, methods."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

import pytest

STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
UTC = dt.UTC


def ago(days: float) -> str:
    """A ``yyyy-mm-dd hh:mm:ss`` UTC time ``days`` ago (negative: ahead)."""
    return (dt.datetime.now(UTC) - dt.timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S")


def listing(client, token=None, **params):
    """``GET /api/campaigns`` with ``params`` (``page_limit`` -> ``page[limit]``)."""
    query = {re.sub(r"^(page|filter|search)_(\w+)$", r"\1[\2]", key): value for key, value in params.items()}
    return client.bsg("GET", "/api/campaigns?" + urlencode(query), token)


# -- resources ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("channel", "method", "examples"),
    [
        ("sms", "PATCH", ("bsg_sms_stop_200", "bsg_stop_200_spec")),
        ("rcs", "PUT", ("bsg_rcs_stop_200", "bsg_stop_200_spec")),
    ],
)
def test_stop_answer_has_the_documented_fields(simulator, client, documented, channel, method, examples):
    cid = simulator.add_campaign("bsg", status="sending", channel=channel)
    answer = client.bsg(method, f"/api/campaigns/{cid}/stop")
    assert answer.status == 200
    assert documented(*examples).problems(answer.json()) == []
    data = answer.json()["data"]
    assert data["status"] == "stopped" and data["message_type"] == channel
    assert all(STAMP.fullmatch(data[key]) for key in ("start_at", "real_start_at", "finished_at", "created_at"))


@pytest.mark.parametrize(("channel", "seed"), [("sms", "bsg_sms_stop_200"), ("rcs", "bsg_rcs_stop_200")])
def test_campaign_read_has_the_documented_fields(simulator, client, documented, channel, seed):
    cid = simulator.add_campaign("bsg", status="scheduled", channel=channel)
    answer = client.bsg("GET", f"/api/campaigns/{cid}")
    assert documented("bsg_campaign_200", seed).problems(answer.json()) == []
    assert answer.json()["data"]["real_start_at"] is None and answer.json()["data"]["finished_at"] is None


def test_sms_campaigns_have_no_alternative_channels_and_rcs_ones_spell_statistic(simulator, client):
    sms, rcs = simulator.add_campaign("bsg"), simulator.add_campaign("bsg", channel="rcs")
    assert client.bsg("GET", f"/api/campaigns/{sms}").json()["data"]["alternative_channels"] is None
    alternative = client.bsg("GET", f"/api/campaigns/{rcs}").json()["data"]["alternative_channels"]
    assert alternative == {"sms": {"statistic": {"delivered": 0, "sent": 0}}}


def test_detail_has_the_documented_fields(simulator, client, documented):
    cid = simulator.add_campaign("bsg", status="done", recipients=10)
    answer = client.bsg("GET", f"/api/campaigns/{cid}/detail")
    assert documented("bsg_detail_200").problems(answer.json()) == []
    assert answer.json()["data"]["total_messages"] == 10


def test_list_has_the_documented_fields(simulator, client, documented):
    simulator.add_campaign("bsg")
    answer = listing(client)
    assert documented("bsg_list_200").problems(answer.json()) == []
    assert answer.json()["meta"] == {"page": {"total": 1, "offset": 0, "limit": 50}}


def test_login_answers_a_bearer(simulator, call, documented):
    answer = call(simulator.base_url("bsg") + "/api/auth/login", "POST", {"api_key": simulator.credentials.bsg_api_key})
    assert documented("bsg_login_200").problems(answer.json()) == []


def test_refused_stop_is_the_documented_422(simulator, client, documented):
    cid = simulator.add_campaign("bsg", status="done")
    answer = client.bsg("PATCH", f"/api/campaigns/{cid}/stop")
    assert answer.status == 422 and documented("bsg_stop_422").problems(answer.json()) == []


def test_injected_429_is_the_documented_body(simulator, client, documented):
    simulator.inject("bsg", status=429, path="/stop$")
    answer = client.bsg("PATCH", "/api/campaigns/1/stop")
    assert answer.status == 429 and documented("bsg_429").problems(answer.json()) == []


# -- stop: methods and stoppable statuses per channel ------------------------------------
@pytest.mark.parametrize(("channel", "method"), [("sms", "PATCH"), ("rcs", "PUT"), ("rcs", "PATCH")])
def test_documented_stop_methods(simulator, client, channel, method):
    cid = simulator.add_campaign("bsg", channel=channel)
    assert client.bsg(method, f"/api/campaigns/{cid}/stop").status == 200
    assert simulator.stop_count("bsg", cid) == 1


def test_put_on_an_sms_campaign_is_405_and_stops_nothing(simulator, client):
    cid = simulator.add_campaign("bsg", channel="sms")
    answer = client.bsg("PUT", f"/api/campaigns/{cid}/stop")
    assert answer.status == 405
    assert answer.json() == {"message": f"The PUT method is not supported for route api/campaigns/{cid}/stop. Supported methods: PATCH."}
    assert simulator.campaign("bsg", cid)["status"] == "sending" and simulator.stop_count("bsg", cid) == 0


@pytest.mark.parametrize(
    ("channel", "status", "code"),
    [
        *[("sms", s, 200) for s in ("creation", "paused", "sending", "scheduled")],
        ("sms", "moderation", 422),
        *[("rcs", s, 200) for s in ("moderation", "paused", "sending", "scheduled")],
        ("rcs", "creation", 422),
        *[(c, s, 422) for c in ("sms", "rcs") for s in ("stopped", "done", "spam")],
    ],
)
def test_stoppable_statuses_are_those_of_each_channels_page(simulator, client, channel, status, code):
    cid = simulator.add_campaign("bsg", status=status, channel=channel)
    method = "PATCH" if channel == "sms" else "PUT"
    assert client.bsg(method, f"/api/campaigns/{cid}/stop").status == code


# -- list: limits and validation --------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"page_limit": 29}, "page.limit"),
        ({"page_limit": 501}, "page.limit"),
        ({"page_limit": "x"}, "page.limit"),
        ({"page_offset": -1}, "page.offset"),
        ({"filter_type": "email"}, "filter.type"),
        ({"filter_from": "yesterday"}, "filter.from"),
        ({"search_field": "name", "search_value": "x"}, "search.field"),
        ({"search_field": "status", "search_value": "x"}, "search.field"),
        ({"search_field": "sender"}, "search.value"),
        ({"search_field": "sender", "search_value": "x" * 256}, "search.value"),
        ({"sort": "name"}, "sort"),
        ({"way": "up"}, "way"),
    ],
)
def test_list_refuses_what_the_spec_does_not_allow_with_the_validation_422(client, documented, params, key):
    answer = listing(client, **params)
    assert answer.status == 422
    assert documented("bsg_validation_422").problems(answer.json()) == []
    errors = answer.json()["errors"]
    assert list(errors) == [key] and all(isinstance(m, str) for m in errors[key])


@pytest.mark.parametrize("limit", [30, 500])
def test_page_limit_bounds_are_inclusive(client, limit):
    answer = listing(client, page_limit=limit)
    assert answer.status == 200 and answer.json()["meta"]["page"]["limit"] == limit


@pytest.mark.parametrize("sort", ["id", "sender", "type", "date", "status"])
def test_every_documented_sort_field_is_accepted(client, sort):
    assert listing(client, sort=sort, way="desc").status == 200


def test_type_filter_defaults_to_sms(simulator, client):
    sms, rcs = simulator.add_campaign("bsg"), simulator.add_campaign("bsg", channel="rcs")
    assert [c["id"] for c in listing(client).json()["data"]] == [sms]
    assert [c["id"] for c in listing(client, filter_type="rcs").json()["data"]] == [rcs]
    assert listing(client, filter_type="whatsapp").json()["data"] == []


def test_search_by_sender_or_taskname(simulator, client):
    promo = simulator.add_campaign("bsg", name="Spring PROMO", sender="SHOP")
    simulator.add_campaign("bsg", name="reminder", sender="CLINIC")
    assert [c["id"] for c in listing(client, search_field="taskname", search_value="promo").json()["data"]] == [promo]
    assert [c["id"] for c in listing(client, search_field="sender", search_value="sho").json()["data"]] == [promo]


def test_undocumented_status_filter_is_ignored(simulator, client):
    simulator.add_campaign("bsg", status="done")
    simulator.add_campaign("bsg", status="sending")
    assert listing(client, filter_status="done").json()["meta"]["page"]["total"] == 2


def test_sort_by_date_descending(simulator, client):
    old = simulator.add_campaign("bsg", created_at=ago(10))
    new = simulator.add_campaign("bsg", created_at=ago(1))
    assert [c["id"] for c in listing(client, sort="date", way="desc").json()["data"]] == [new, old]


# -- list: the 3-month window -------------------------------------------------------------
def test_without_a_window_only_the_last_three_months_are_listed(simulator, client):
    recent = simulator.add_campaign("bsg", created_at=ago(60))
    simulator.add_campaign("bsg", status="sending", created_at=ago(100))
    page = listing(client).json()
    assert [c["id"] for c in page["data"]] == [recent] and page["meta"]["page"]["total"] == 1


def test_older_campaigns_need_an_explicit_window(simulator, client):
    old = simulator.add_campaign("bsg", created_at="2024-02-10 12:00:00")
    answer = listing(client, filter_from="2024-01-15 00:00:00", filter_to="2024-04-15 00:00:00")
    assert answer.status == 200 and [c["id"] for c in answer.json()["data"]] == [old]


def test_filter_from_defaults_to_three_months_before_filter_to(simulator, client):
    inside = simulator.add_campaign("bsg", created_at="2024-02-10 12:00:00")
    simulator.add_campaign("bsg", created_at="2024-01-10 12:00:00")
    assert [c["id"] for c in listing(client, filter_to="2024-04-15 00:00:00").json()["data"]] == [inside]


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"filter_from": "2024-01-14 23:59:59", "filter_to": "2024-04-15 00:00:00"}, "filter.from"),
        ({"filter_from": ago(100)}, "filter.from"),
        ({"filter_to": ago(-31)}, "filter.to"),
        ({"filter_from": "2024-04-16 00:00:00", "filter_to": "2024-04-15 00:00:00"}, "filter.from"),
    ],
    ids=["over-3-months", "from-only-over-3-months", "to-over-30-days-ahead", "from-after-to"],
)
def test_window_violations_are_422(client, documented, params, key):
    answer = listing(client, **params)
    assert answer.status == 422 and list(answer.json()["errors"]) == [key]
    assert documented("bsg_validation_422").problems(answer.json()) == []


def test_filter_to_may_be_up_to_30_days_ahead(simulator, client):
    scheduled = simulator.add_campaign("bsg", status="scheduled")
    answer = listing(client, filter_to=ago(-29))
    assert answer.status == 200 and [c["id"] for c in answer.json()["data"]] == [scheduled]


@pytest.mark.parametrize(
    "value",
    ["2024-04-15T00:00:00Z", "2024-04-15T00:00:00.000000Z", "2024-04-15T00:00:00+00:00", "2024-04-15", "2024-04-15 00:00", "15.04.2024"],
)
def test_strict_list_dates_must_be_in_the_documented_form(client, documented, value):
    """BSG's list page writes its dates ``yyyy-mm-dd hh:mm:ss``; strict refuses any other form (the client's old ISO form too)."""
    answer = listing(client, filter_from=value, filter_to="2024-05-01 00:00:00")
    assert answer.status == 422 and answer.json()["errors"] == {"filter.from": ["The filter.from does not match the format Y-m-d H:i:s."]}
    assert documented("bsg_validation_422").problems(answer.json()) == []


def test_the_documented_date_form_is_accepted_and_read_as_utc(simulator, client):
    inside = simulator.add_campaign("bsg", created_at="2024-04-15 10:00:00")
    simulator.add_campaign("bsg", created_at="2024-04-15 10:00:01")
    answer = listing(client, filter_from="2024-04-15 09:59:59", filter_to="2024-04-15 10:00:00")
    assert answer.status == 200 and [c["id"] for c in answer.json()["data"]] == [inside], "both bounds inclusive, to the second"


def test_lenient_list_dates_also_take_iso_8601(lenient, lenient_client):
    campaign = lenient.add_campaign("bsg", created_at="2024-04-15 10:00:00")
    token = lenient_client.bsg_login()
    answer = lenient_client.bsg("GET", "/api/campaigns?filter[from]=2024-04-15T00:00:00Z&filter[to]=2024-04-16", token)
    assert answer.status == 200 and [c["id"] for c in answer.json()["data"]] == [campaign]
