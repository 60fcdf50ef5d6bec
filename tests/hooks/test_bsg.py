from __future__ import annotations

import json

import pytest
import responses

from airflow_provider_campaigns.exceptions import (
    AuthenticationError,
    CampaignNotFoundError,
    CampaignNotStoppableError,
    ContractError,
    InvalidInputError,
    VendorRejectedError,
)
from airflow_provider_campaigns.hooks.bsg import BsgHook
from tests.vendor_accounts import BSG_API_KEY, BSG_BEARER, BSG_HOST, BSG_LOGIN, make_jwt


def campaign(status: str, campaign_id: int = 12, message_type: str = "sms") -> dict:
    return {
        "data": {
            "id": campaign_id,
            "name": "promo",
            "sender": "ACME",
            "status": status,
            "message_type": message_type,
            "start_at": "2026-01-01 10:00:00",
            "real_start_at": "2026-01-01 10:00:05",
            "finished_at": None,
            "created_at": "2026-01-01 09:00:00",
            "statistics": {"delivered": 0, "sent": 0},
        }
    }


@pytest.fixture
def bsg(bsg_conn):
    return BsgHook()


def calls(rsps, method: str, url: str) -> list:
    return [c for c in rsps.calls if c.request.method == method and c.request.url.split("?")[0] == url]


@pytest.mark.parametrize(("channel", "method"), [("sms", "PATCH"), ("rcs", "PUT"), ("RCS", "PUT")])
def test_stop_sends_exact_request_per_channel(bsg, bsg_mocked, channel, method):
    bsg_mocked.add(method, f"{BSG_HOST}/api/campaigns/12/stop", json=campaign("stopped"))
    outcome = bsg.stop_campaign(12, channel)
    assert outcome.outcome == "stopped"
    assert outcome.status.state.value == "stopped" and outcome.status.vendor_status == "stopped"
    login, stop = bsg_mocked.calls
    assert json.loads(login.request.body) == {"api_key": BSG_API_KEY}
    assert stop.request.method == method
    assert stop.request.headers["Authorization"] == f"Bearer {BSG_BEARER}"
    assert stop.request.body is None
    assert stop.request.headers["User-Agent"].startswith("airflow-provider-campaigns/")


def test_login_happens_once_per_hook(bsg, bsg_mocked):
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/12", json=campaign("sending"))
    bsg_mocked.patch(f"{BSG_HOST}/api/campaigns/12/stop", json=campaign("stopped"))
    bsg.get_campaign(12)
    bsg.stop_campaign(12)
    bsg.get_campaign("12")
    assert len(calls(bsg_mocked, "POST", BSG_LOGIN)) == 1
    assert bsg.transport.token_refreshes == 1


def test_relogin_once_on_401_then_retry(bsg, bsg_mocked):
    fresh = make_jwt("b")
    bsg_mocked.replace(responses.POST, BSG_LOGIN, json={"bearer": BSG_BEARER})
    bsg_mocked.add(responses.POST, BSG_LOGIN, json={"bearer": fresh})
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/12", status=401, json={"message": "Unauthenticated."})
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/12", json=campaign("sending"))
    assert bsg.get_campaign(12).vendor_status == "sending"
    gets = calls(bsg_mocked, "GET", f"{BSG_HOST}/api/campaigns/12")
    assert [c.request.headers["Authorization"] for c in gets] == [f"Bearer {BSG_BEARER}", f"Bearer {fresh}"]
    assert len(calls(bsg_mocked, "POST", BSG_LOGIN)) == 2


def test_second_401_is_an_authentication_error(bsg, bsg_mocked):
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/12", status=401, json={"message": "Unauthenticated."})
    with pytest.raises(AuthenticationError, match="HTTP 401") as error:
        bsg.get_campaign(12)
    assert len(calls(bsg_mocked, "POST", BSG_LOGIN)) == 2
    assert "campaign 12" in str(error.value)


def test_a_stop_method_the_campaign_does_not_take_names_the_channel(bsg, bsg_mocked):
    """Strict BSG: an SMS campaign is stopped with PATCH; a PUT (channel="rcs") answers 405."""
    bsg_mocked.put(f"{BSG_HOST}/api/campaigns/12/stop", status=405, json={"message": "The PUT method is not supported for this campaign."})
    with pytest.raises(VendorRejectedError, match="is campaign 12 an RCS campaign \\(channel\\)"):
        bsg.stop_campaign(12, "rcs")


def test_a_credential_error_names_the_connection(bsg, bsg_mocked):
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/12", status=401, json={"message": "Unauthenticated."})
    bsg_mocked.post(BSG_LOGIN, json={"bearer": BSG_BEARER})
    with pytest.raises(AuthenticationError, match="in the Airflow connection 'bsg_default'"):
        bsg.get_campaign(12)


def test_bad_api_key_fails_at_login_without_retry(bsg):
    with responses.RequestsMock() as rsps:
        rsps.post(BSG_LOGIN, status=401, json={"message": "Unauthenticated."})
        with pytest.raises(AuthenticationError, match="API key"):
            bsg.stop_campaign(12)
        assert len(rsps.calls) == 1


@pytest.mark.parametrize("final", ["stopped", "done"])
def test_422_on_final_campaign_is_already_final(bsg, bsg_mocked, final):
    bsg_mocked.patch(f"{BSG_HOST}/api/campaigns/12/stop", status=422, json={"message": "Invalid campaign status", "errors": []})
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/12", json=campaign(final))
    outcome = bsg.stop_campaign(12)
    assert outcome.outcome == "already_final"
    assert outcome.status.vendor_status == final


def test_422_on_campaign_that_is_not_final_fails_clearly(bsg, bsg_mocked):
    bsg_mocked.patch(f"{BSG_HOST}/api/campaigns/12/stop", status=422, json={"message": "Invalid campaign status", "errors": []})
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/12", json=campaign("creation"))
    with pytest.raises(CampaignNotStoppableError, match="'creation'") as error:
        bsg.stop_campaign(12)
    assert "campaign 12" in str(error.value)


def test_fail_if_already_final(bsg, bsg_mocked):
    bsg_mocked.patch(f"{BSG_HOST}/api/campaigns/12/stop", status=422, json={"message": "Invalid campaign status", "errors": []})
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/12", json=campaign("done"))
    with pytest.raises(CampaignNotStoppableError, match="fail_if_already_final"):
        bsg.stop_campaign(12, fail_if_already_final=True)


def test_validation_422_is_not_mistaken_for_already_final(bsg, bsg_mocked):
    bsg_mocked.patch(
        f"{BSG_HOST}/api/campaigns/12/stop", status=422, json={"message": "The given data was invalid.", "errors": {"id": ["bad"]}}
    )
    with pytest.raises(VendorRejectedError, match="The given data was invalid"):
        bsg.stop_campaign(12)
    assert not calls(bsg_mocked, "GET", f"{BSG_HOST}/api/campaigns/12")


@pytest.mark.parametrize(("status", "error"), [(400, VendorRejectedError), (404, CampaignNotFoundError), (403, AuthenticationError)])
def test_no_retry_on_client_errors(bsg, bsg_mocked, status, error):
    bsg_mocked.patch(f"{BSG_HOST}/api/campaigns/12/stop", status=status, json={"message": "nope"})
    with pytest.raises(error, match=f'HTTP {status}, "nope"'):
        bsg.stop_campaign(12)
    assert len(calls(bsg_mocked, "PATCH", f"{BSG_HOST}/api/campaigns/12/stop")) == 1


def test_timeouts_are_passed_on_every_request(connection, bsg_mocked):
    connection("bsg_t", "bsg", host=BSG_HOST, password=BSG_API_KEY, extra={"timeout": [1.5, 7]})
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/12", json=campaign("sending"))
    BsgHook("bsg_t").get_campaign(12)
    assert [c.request.req_kwargs["timeout"] for c in bsg_mocked.calls] == [(1.5, 7.0), (1.5, 7.0)]
    BsgHook("bsg_t", request_timeout=3).get_campaign(12)
    assert bsg_mocked.calls[-1].request.req_kwargs["timeout"] == (3.0, 3.0)


@pytest.mark.parametrize(
    "bad",
    ["", " ", "12/../13", "1?x=1", "1#a", "%2F", "-1", "0", "1.5", "١٢", "a" * 10_000, None, True, 2**64, "{{ params.id }}", [1]],
)
def test_bad_campaign_ids_fail_before_any_request(bsg, bad):
    with responses.RequestsMock() as rsps:
        with pytest.raises(InvalidInputError, match="campaign_id"):
            bsg.stop_campaign(bad)
        assert len(rsps.calls) == 0


def test_unknown_channel_fails_before_any_request(bsg):
    with responses.RequestsMock() as rsps, pytest.raises(InvalidInputError, match="channel"):
        bsg.stop_campaign(12, "mms")
    assert len(rsps.calls) == 0


def test_missing_api_key_names_the_field(connection):
    connection("bsg_nokey", "bsg", host=BSG_HOST)
    with responses.RequestsMock() as rsps, pytest.raises(InvalidInputError, match="password"):
        BsgHook("bsg_nokey").get_campaign(1)
    assert len(rsps.calls) == 0


def listing(ids: range, status: str = "sending", total: int | None = None, offset: int = 0) -> dict:
    rows = [campaign(status, i)["data"] for i in ids]
    return {"data": rows, "meta": {"page": {"total": len(rows) if total is None else total, "offset": offset, "limit": 500}}}


def test_list_follows_the_documented_total_not_a_short_page(bsg, bsg_mocked):
    """BSG may answer fewer rows than page[limit] asks; meta.page.total says how many there are."""
    window = {
        "filter[type]": "sms",
        "filter[from]": "2026-08-01 00:00:00",
        "filter[to]": "2026-11-01 00:00:00",
        "sort": "id",
        "way": "asc",
    }
    for offset, ids in ((0, range(1, 101)), (100, range(101, 201)), (200, range(201, 231))):
        query = {**window, "page[offset]": str(offset), "page[limit]": "500"}
        page = listing(ids, total=230, offset=offset)
        bsg_mocked.get(f"{BSG_HOST}/api/campaigns", json=page, match=[responses.matchers.query_param_matcher(query)])
    listed = bsg.list_campaigns("sms", date_from="2026-08-01", date_to="2026-11-01")
    assert [c.campaign_id for c in listed] == [str(i) for i in range(1, 231)]


def test_list_without_a_total_fails_instead_of_guessing(bsg, bsg_mocked):
    """A list answer without the documented total is drift: it fails at once (one request, no retry), naming the spec."""
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns", json={"data": [campaign("sending")["data"]]})
    with pytest.raises(ContractError, match=r"meta\.page\.total.*Documented in: BSG 'Get a list of SMS campaigns' page") as raised:
        bsg.list_campaigns("sms", date_from="2026-08-01", date_to="2026-11-01")
    assert len(calls(bsg_mocked, "GET", f"{BSG_HOST}/api/campaigns")) == 1
    assert raised.value.endpoint == "GET /api/campaigns" and "meta.page.total" in (raised.value.missing or "")


def test_a_list_longer_than_three_months_is_cut_into_windows(bsg, bsg_mocked):
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns", json=listing(range(0)))
    bsg.list_campaigns("rcs", date_from="2026-01-15", date_to="2026-11-01")
    windows = [
        (c.request.params["filter[from]"], c.request.params["filter[to]"]) for c in calls(bsg_mocked, "GET", f"{BSG_HOST}/api/campaigns")
    ]
    assert windows == [
        ("2026-08-01 00:00:00", "2026-11-01 00:00:00"),
        ("2026-05-01 00:00:00", "2026-08-01 00:00:00"),
        ("2026-02-01 00:00:00", "2026-05-01 00:00:00"),
        ("2026-01-15 00:00:00", "2026-02-01 00:00:00"),
    ]
    assert {c.request.params["filter[type]"] for c in calls(bsg_mocked, "GET", f"{BSG_HOST}/api/campaigns")} == {"rcs"}


def test_the_default_list_is_bsgs_default_window_ending_now(bsg_conn, bsg_mocked, clock):
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns", json=listing(range(0)))
    BsgHook(clock=clock).list_campaigns()
    (only,) = calls(bsg_mocked, "GET", f"{BSG_HOST}/api/campaigns")
    assert (only.request.params["filter[from]"], only.request.params["filter[to]"]) == ("2026-10-15 08:00:00", "2027-01-15 08:00:00")


def test_test_connection_performs_a_real_login(bsg):
    with responses.RequestsMock() as rsps:
        rsps.post(BSG_LOGIN, json={"bearer": BSG_BEARER})
        assert bsg.test_connection() == (True, "BSG accepted the credentials of connection 'bsg_default'.")
    with responses.RequestsMock() as rsps:
        rsps.post(BSG_LOGIN, status=401, json={"message": "Unauthenticated."})
        ok, message = BsgHook().test_connection()
        assert not ok and "HTTP 401" in message and BSG_API_KEY not in message


def test_secrets_never_reach_logs_or_errors(bsg, bsg_mocked, leak_check):
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/12", status=401, json={"message": f"bad token {BSG_BEARER}"})
    with pytest.raises(AuthenticationError) as error:
        bsg.get_campaign(12)
    leak_check([BSG_API_KEY, BSG_BEARER], error.value)


def test_unknown_vendor_status_does_not_crash(bsg, bsg_mocked):
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/12", json=campaign("archived"))
    status = bsg.get_campaign(12)
    assert status.state.value == "unknown" and not status.is_final and status.vendor_status == "archived"


def test_unreadable_success_answer_to_a_stop_is_confirmed_by_a_read_not_resent(bsg, bsg_mocked):
    bsg_mocked.patch(f"{BSG_HOST}/api/campaigns/12/stop", body="<html>ok</html>", content_type="text/html")
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/12", json=campaign("stopped"))
    outcome = bsg.stop_campaign(12)
    assert (outcome.outcome, outcome.status.vendor_status) == ("stopped", "stopped")
    assert len(calls(bsg_mocked, "PATCH", f"{BSG_HOST}/api/campaigns/12/stop")) == 1


def test_unreadable_success_answer_while_still_running_sends_the_stop_again(bsg, bsg_mocked):
    bsg_mocked.patch(f"{BSG_HOST}/api/campaigns/12/stop", body="<html>maintenance</html>", content_type="text/html")
    bsg_mocked.patch(f"{BSG_HOST}/api/campaigns/12/stop", json=campaign("stopped"))
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/12", json=campaign("sending"))
    outcome = bsg.stop_campaign(12)
    assert (outcome.outcome, outcome.status.vendor_status) == ("stopped", "stopped")
    assert len(calls(bsg_mocked, "PATCH", f"{BSG_HOST}/api/campaigns/12/stop")) == 2


def test_stop_whose_answer_was_lost_is_ours_even_with_fail_if_already_final(bsg, bsg_mocked):
    """First PATCH applied but answered 502; the retry is refused (422); the read says stopped: we did it."""
    bsg_mocked.patch(f"{BSG_HOST}/api/campaigns/12/stop", status=502, body="<html>bad gateway</html>")
    bsg_mocked.patch(f"{BSG_HOST}/api/campaigns/12/stop", status=422, json={"message": "Invalid campaign status", "errors": []})
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/12", json=campaign("stopped"))
    outcome = bsg.stop_campaign(12, fail_if_already_final=True)
    assert outcome.outcome == "stopped"


def test_a_429_on_a_stop_is_read_as_a_duplicate_and_confirmed_by_a_status_read(bsg, bsg_mocked):
    """BSG's 429 is its duplicate-request detector ("Too many duplicate request detected"): an identical stop was
    received. The status is read before anything is re-sent; a stopped campaign is stopped (one stop sent)."""
    bsg_mocked.patch(f"{BSG_HOST}/api/campaigns/12/stop", status=429, json={"message": "Too many duplicate request detected"})
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/12", json=campaign("stopped"))
    outcome = bsg.stop_campaign(12, fail_if_already_final=True)
    assert outcome.outcome == "stopped" and outcome.status.vendor_status == "stopped"
    assert [c.request.method for c in bsg_mocked.calls if "/api/campaigns/12" in c.request.url] == ["PATCH", "GET"]


def test_a_429_on_a_stop_of_a_running_campaign_is_sent_again_after_the_read(bsg, bsg_mocked):
    bsg_mocked.patch(
        f"{BSG_HOST}/api/campaigns/12/stop",
        status=429,
        headers={"Retry-After": "0"},
        json={"message": "Too many duplicate request detected"},
    )
    bsg_mocked.patch(f"{BSG_HOST}/api/campaigns/12/stop", json=campaign("stopped"))
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/12", json=campaign("sending"))
    assert bsg.stop_campaign(12).outcome == "stopped"
    assert [c.request.method for c in bsg_mocked.calls if "/api/campaigns/12" in c.request.url] == ["PATCH", "GET", "PATCH"]


def test_redirects_are_never_followed(bsg, bsg_mocked):
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/12", status=302, headers={"Location": "https://elsewhere.test/steal"})
    with pytest.raises(VendorRejectedError, match="HTTP 302"):
        bsg.get_campaign(12)
    assert not [c for c in bsg_mocked.calls if "elsewhere" in c.request.url]
