from __future__ import annotations

import json

import jwt
import pytest
import responses

from airflow_provider_campaigns.exceptions import (
    AuthenticationError,
    CampaignNotFoundError,
    CampaignNotStoppableError,
    ContractError,
    InvalidInputError,
    PermanentError,
    TransientError,
    VendorRejectedError,
)
from airflow_provider_campaigns.hooks.kore import KoreHook
from tests.vendor_accounts import KORE_ACCOUNT, KORE_CLIENT_ID, KORE_HOST, KORE_SECRET, KORE_STREAM, kore_status_body, kore_stopped

BASE = f"{KORE_HOST}/campaign/api/v2/public/{KORE_STREAM}/campaign"
STOP = f"{BASE}//trigger/cd-1"
STATUS = f"{BASE}/cd-1/status"
LIST = f"{BASE}/getAllCampaignDetails"
STOPPED = kore_stopped()
REFUSED = {"errors": [{"msg": "Campaign is already stopped or completed", "code": 400}]}
BAD_JWT = {"msg": "Invalid SDK credentials", "code": 4002}


def claims(call) -> dict:
    return jwt.decode(call.request.headers["auth"], KORE_SECRET, algorithms=["HS256"])


def tokens(rsps) -> list[str]:
    return [c.request.headers["auth"] for c in rsps.calls]


@pytest.fixture
def kore(kore_conn):
    return KoreHook()


def test_stop_sends_the_exact_documented_request(kore, mocked):
    mocked.post(STOP, json=STOPPED)
    outcome = kore.stop_campaign("cd-1")
    status = outcome.status
    assert (outcome.outcome, status.campaign_id, status.state.value, status.vendor_status) == ("stopped", "cd-1", "stopped", "Stopped")
    assert status.timestamps == {"updatedAt": "2025-12-05T12:07:54.225000Z"}, "ISO 8601 in UTC, through pendulum"
    (call,) = mocked.calls
    assert call.request.method == "POST"
    assert call.request.url == f"{STOP}?accountId={KORE_ACCOUNT}&campaignType=sms&trigger=stop"
    assert "campaign//trigger/cd-1" in call.request.url
    headers = call.request.headers
    assert headers["accountid"] == KORE_ACCOUNT and headers["iid"] == KORE_STREAM
    assert headers["Content-Type"] == "application/json" and "Authorization" not in headers
    assert claims(call)["appId"] == KORE_CLIENT_ID
    assert json.loads(call.request.body) == {}


def test_status_read_is_a_post_with_view_status(kore, mocked):
    mocked.post(STATUS, json=kore_status_body("Active"))
    status = kore.get_campaign_status("cd-1")
    assert (status.state.value, status.vendor_status, status.name) == ("active", "Active", "promo")
    (call,) = mocked.calls
    assert call.request.method == "POST" and call.request.url == f"{STATUS}?accountId={KORE_ACCOUNT}&view=status"
    assert json.loads(call.request.body) == {} and call.request.headers["iid"] == KORE_STREAM
    assert claims(call)["appId"] == KORE_CLIENT_ID


def test_jwt_is_minted_once_per_hook_across_calls(kore, mocked):
    mocked.post(STATUS, json=kore_status_body("Active"))
    mocked.post(STOP, json=STOPPED)
    kore.get_campaign_status("cd-1")
    kore.stop_campaign("cd-1")
    kore.get_campaign_status("cd-1")
    assert len(set(tokens(mocked))) == 1
    assert kore.transport.token_refreshes == 1
    assert KoreHook().transport.token_refreshes == 0  # another hook mints its own, lazily


def test_jwt_is_reminted_before_it_expires(kore_conn, mocked, clock):
    kore = KoreHook(clock=clock)
    mocked.post(STATUS, json=kore_status_body("Active"))
    kore.get_campaign_status("cd-1")
    clock.advance(290)  # 10 s before the 5-minute expiry: inside the refresh margin
    kore.get_campaign_status("cd-1")
    first, second = tokens(mocked)
    assert first != second and kore.transport.token_refreshes == 2
    decode = {"algorithms": ["HS256"], "options": {"verify_iat": False, "verify_exp": False}}
    assert jwt.decode(second, KORE_SECRET, **decode)["iat"] == int(clock.time()) == jwt.decode(first, KORE_SECRET, **decode)["iat"] + 290


def test_jwt_is_reminted_once_after_a_401_then_the_call_succeeds(kore, mocked):
    mocked.post(STOP, status=401, json=BAD_JWT)
    mocked.post(STOP, json=STOPPED)
    assert kore.stop_campaign("cd-1").outcome == "stopped"
    first, second = tokens(mocked)
    assert first != second
    assert claims(mocked.calls[1])["appId"] == KORE_CLIENT_ID
    assert kore.transport.token_refreshes == 2


def test_second_401_is_an_authentication_error_with_kore_message(kore, mocked, leak_check):
    mocked.post(STATUS, status=401, json=BAD_JWT)
    with pytest.raises(AuthenticationError, match='HTTP 401, "Invalid SDK credentials"') as error:
        kore.get_campaign_status("cd-1")
    assert len(mocked.calls) == 2 and len(set(tokens(mocked))) == 2
    assert "campaign cd-1" in str(error.value)
    leak_check([KORE_SECRET, *tokens(mocked)], error.value)


@pytest.mark.parametrize("refusal", [400, 409, 422])
@pytest.mark.parametrize("final", ["Stopped", "Completed", "completed"])
def test_stop_of_a_final_campaign_is_already_final(kore, mocked, refusal, final):
    mocked.post(STOP, status=refusal, json=REFUSED)
    mocked.post(STATUS, json=kore_status_body(final))
    outcome = kore.stop_campaign("cd-1")
    assert outcome.outcome == "already_final" and outcome.status.vendor_status == final
    assert [c.request.url.split("?")[0] for c in mocked.calls] == [STOP, STATUS]


def test_refused_stop_of_an_active_campaign_fails_clearly(kore, mocked):
    mocked.post(STOP, status=400, json={"errors": [{"msg": "Campaign cannot be stopped now", "code": 400}]})
    mocked.post(STATUS, json=kore_status_body("Preparing"))
    with pytest.raises(CampaignNotStoppableError, match="'Preparing'") as error:
        kore.stop_campaign("cd-1")
    assert "Campaign cannot be stopped now" in str(error.value) and "cd-1" in str(error.value)


def test_fail_if_already_final(kore, mocked):
    mocked.post(STOP, status=400, json=REFUSED)
    mocked.post(STATUS, json=kore_status_body("Stopped"))
    with pytest.raises(CampaignNotStoppableError, match="fail_if_already_final"):
        kore.stop_campaign("cd-1", fail_if_already_final=True)


def test_stream_falls_back_to_the_extra_and_can_be_overridden(kore_conn, mocked):
    other = f"{KORE_HOST}/campaign/api/v2/public/st-hook/campaign"
    mocked.post(STATUS, json=kore_status_body("Active"))
    mocked.post(f"{other}/cd-1/status", json=kore_status_body("Active"))
    mocked.post(f"{KORE_HOST}/campaign/api/v2/public/st-call/campaign//trigger/cd-1", json=STOPPED)
    KoreHook().get_campaign_status("cd-1")
    hook = KoreHook(stream_id="st-hook")
    hook.get_campaign_status("cd-1")
    hook.stop_campaign("cd-1", stream_id="st-call")
    assert [c.request.headers["iid"] for c in mocked.calls] == [KORE_STREAM, "st-hook", "st-call"]
    assert mocked.calls[2].request.url.startswith(f"{KORE_HOST}/campaign/api/v2/public/st-call/campaign//trigger/cd-1?")


def test_missing_stream_everywhere_fails_before_any_request(kore_conn, kore_extra):
    kore_conn("kore_nostream", extra={**kore_extra, "stream_id": None})
    with responses.RequestsMock() as rsps, pytest.raises(InvalidInputError, match="stream_id"):
        KoreHook("kore_nostream").stop_campaign("cd-1")
    assert len(rsps.calls) == 0


def test_path_templates_from_the_connection_are_used(kore_conn, kore_extra, mocked):
    extra = {**kore_extra, "stop_path": "/campaign/api/v2/public/{stream_id}/campaign/trigger/{campaign_id}"}
    kore_conn("kore_paths", extra=extra)
    mocked.post(f"{BASE}/trigger/cp%3A1", json=STOPPED)
    KoreHook("kore_paths").stop_campaign("cp:1")
    assert mocked.calls[0].request.url == f"{BASE}/trigger/cp%3A1?accountId={KORE_ACCOUNT}&campaignType=sms&trigger=stop"


@pytest.mark.parametrize(("status", "error"), [(400, VendorRejectedError), (404, CampaignNotFoundError), (403, AuthenticationError)])
def test_no_retry_on_client_errors_of_a_status_read(kore, mocked, status, error):
    mocked.post(STATUS, status=status, json={"errors": [{"msg": "nope", "code": status}]})
    with pytest.raises(error, match=f'HTTP {status}, "nope"'):
        kore.get_campaign_status("cd-1")
    assert len(mocked.calls) == 1


def test_stop_of_an_unknown_campaign_is_not_found_without_retry(kore, mocked):
    mocked.post(STOP, status=404, json={"errors": [{"msg": "Campaign not found", "code": 404}]})
    with pytest.raises(CampaignNotFoundError, match="Campaign not found"):
        kore.stop_campaign("cd-1")
    assert len(mocked.calls) == 1


def test_status_failure_answer_for_unknown_campaign_is_not_found(kore, mocked):
    mocked.post(STATUS, json={"status": "failure", "errors": [{"msg": "Campaign not found"}]})
    with pytest.raises(CampaignNotFoundError):
        kore.get_campaign_status("cd-1")
    assert len(mocked.calls) == 1


def test_timeouts_are_passed_on_every_request(kore_conn, kore_extra, mocked):
    kore_conn("kore_t", extra={**kore_extra, "timeout": [1.5, 7]})
    mocked.post(STATUS, json=kore_status_body("Active"))
    mocked.post(STOP, json=STOPPED)
    KoreHook("kore_t").get_campaign_status("cd-1")
    KoreHook("kore_t").stop_campaign("cd-1")
    assert [c.request.req_kwargs["timeout"] for c in mocked.calls] == [(1.5, 7.0), (1.5, 7.0)]
    KoreHook("kore_t", request_timeout=3).get_campaign_status("cd-1")
    assert mocked.calls[-1].request.req_kwargs["timeout"] == (3.0, 3.0)


@pytest.mark.parametrize("bad", ["", "cp 1", "cp/1", "cp?1", "cp#1", "cp%1", "{{ params.cid }}", "x" * 129, None, 7])
def test_bad_campaign_ids_fail_before_any_request(kore, bad):
    with responses.RequestsMock() as rsps:
        with pytest.raises(InvalidInputError, match="campaign_id"):
            kore.stop_campaign(bad)
        with pytest.raises(InvalidInputError, match="campaign_id"):
            kore.get_campaign_status(bad)
        assert len(rsps.calls) == 0


def test_bad_stream_id_and_campaign_type_fail_before_any_request(kore):
    with responses.RequestsMock() as rsps:
        with pytest.raises(InvalidInputError, match="stream_id"):
            kore.stop_campaign("cd-1", stream_id="st/../x")
        with pytest.raises(InvalidInputError, match="campaign_type"):
            kore.stop_campaign("cd-1", campaign_type="mms")
        with pytest.raises(InvalidInputError, match="stream_id"):
            KoreHook(stream_id="st 1").get_campaign_status("cd-1")
        assert len(rsps.calls) == 0


def test_missing_account_id_names_the_extra(kore_conn):
    kore_conn("kore_noacc", extra={"stream_id": KORE_STREAM})
    with responses.RequestsMock() as rsps, pytest.raises(InvalidInputError, match="account_id"):
        KoreHook("kore_noacc").get_campaign_status("cd-1")
    assert len(rsps.calls) == 0


def page(rows: list[dict], skip: int = 0, more: bool = False, total: int | None = None, limit: int = 100) -> dict:
    """A list answer in Kore's documented shape (get-all-campaigns-v2.md)."""
    total = skip + len(rows) if total is None else total
    data = {"results": rows, "skip": skip, "limit": limit, "hasMore": more, "totalPages": 1, "totalResults": total}
    return {"status": "success", "message": "Campaign  retrieved successfully", "data": data}


def test_the_documented_sms_list_is_read_verbatim(kore, mocked, documented):
    """Kore's own SMS example (get-all-campaigns-v2.md), served byte for byte: 7 campaigns, hasMore false."""
    mocked.post(LIST, body=documented("kore/list-sms-200-v2.json"), content_type="application/json")
    listed = kore.list_campaigns()
    assert len(listed) == 7 and len(mocked.calls) == 1
    assert listed[0].campaign_id == "cd-78d3f0a9-8f42-5d8c-af8d-d6a63eaxxxxx" and listed[0].name == "Event Reminder SMS Campaign8"
    assert [s.vendor_status for s in listed].count("Stopped") == 1
    body = json.loads(mocked.calls[0].request.body)
    assert body == {"type": "sms", "limit": 100, "skip": 0, "page": 1, "sortBy": {"createdAt": "asc"}}


def test_list_pages_by_has_more_not_by_a_short_page(kore, mocked, documented):
    """Kore's own example of a first page (get-all-campaigns.md: 2 of 8, ``hasMore: true``), served verbatim; the rest
    in the documented shape. A page shorter than asked is not the end while ``hasMore`` is true."""
    mocked.post(LIST, body=documented("kore/list-sms-200-v1-has-more.json"), content_type="application/json")
    rest = [{"id": f"cd-{i}", "status": "Paused" if i == 7 else "Active", "name": "x"} for i in range(2, 8)]
    mocked.post(LIST, json=page(rest, skip=2, total=8))
    listed = kore.list_campaigns(statuses=["Active", "PAUSED", "Custom"])  # Kore.ai's own spellings, any case
    assert len(listed) == 8 and listed[0].campaign_id == "cd-3aefda80-f98e-5f4f-ad41-92803abbxxxx"
    assert listed[-1].campaign_id == "cd-7" and listed[-1].state.value == "paused"
    bodies = [json.loads(c.request.body) for c in mocked.calls]
    filters = {"status": ["Active", "Paused", "Custom"]}
    sort = {"createdAt": "asc"}
    assert bodies == [
        {"type": "sms", "limit": 100, "skip": 0, "page": 1, "sortBy": sort, "filters": filters},
        {"type": "sms", "limit": 100, "skip": 2, "page": 1, "sortBy": sort, "filters": filters},
    ]
    assert all(c.request.url == f"{LIST}?accountId={KORE_ACCOUNT}" for c in mocked.calls)


def test_a_list_whose_has_more_contradicts_its_total_fails_at_once(kore, mocked):
    mocked.post(LIST, json=page([{"id": "cd-1", "status": "Active"}], total=45))
    with pytest.raises(ContractError, match=r"'data.hasMore' is false but only 1 of 'data.totalResults' 45"):
        kore.list_campaigns()
    assert len(mocked.calls) == 1


def test_a_list_in_an_undocumented_shape_fails_at_once_naming_the_page(kore, mocked, clock):
    """The old (guessed) shape is drift now: one request, no retry, no sleep, the page named."""
    started = clock.monotonic()
    mocked.post(LIST, json={"status": "success", "data": [{"id": "cd-1", "status": "Active"}], "moreAvailable": False})
    with pytest.raises(ContractError, match=r"no 'data' object.*get-all-campaigns-v2\.md") as raised:
        kore.list_campaigns()
    assert len(mocked.calls) == 1 and clock.monotonic() - started < 1
    assert raised.value.endpoint == f"POST /campaign/api/v2/public/{KORE_STREAM}/campaign/getAllCampaignDetails"


def test_a_vendor_ignoring_the_paging_fails_instead_of_looping(kore, mocked):
    mocked.post(LIST, json=page([{"id": f"cd-{i}", "status": "Active"} for i in range(100)], more=True, total=500))
    with pytest.raises(PermanentError, match="brought nothing new"):
        kore.list_campaigns()
    assert len(mocked.calls) == 2


def test_a_list_path_kore_does_not_serve_is_a_contract_error_not_a_missing_campaign(kore, mocked):
    mocked.post(LIST, status=404, json={"errors": [{"msg": "Route not found", "code": 404}]})
    with pytest.raises(ContractError, match=r"does not serve POST .*getAllCampaignDetails.*get-all-campaigns-v2\.md") as raised:
        kore.list_campaigns()
    assert not isinstance(raised.value, CampaignNotFoundError) and len(mocked.calls) == 1


def test_list_rejects_bad_filters_before_any_request(kore):
    with responses.RequestsMock() as rsps:
        with pytest.raises(InvalidInputError, match="statuses"):
            kore.list_campaigns(statuses="Active")
        with pytest.raises(InvalidInputError, match="campaign_type"):
            kore.list_campaigns(campaign_type="voice")
        assert len(rsps.calls) == 0


def test_test_connection_lists_one_campaign(kore, mocked):
    mocked.post(LIST, json=page([]))
    assert kore.test_connection() == (True, "Kore.ai accepted the credentials of connection 'kore_default'.")
    assert len(mocked.calls) == 1
    assert json.loads(mocked.calls[0].request.body) == {"type": "sms", "limit": 1, "skip": 0, "page": 1}
    assert claims(mocked.calls[0])["appId"] == KORE_CLIENT_ID


def test_test_connection_reports_bad_credentials_without_secrets(kore, mocked, leak_check):
    mocked.post(LIST, status=401, json=BAD_JWT)
    ok, message = kore.test_connection()
    assert not ok and "Invalid SDK credentials" in message
    leak_check([KORE_SECRET, *tokens(mocked)], message)


def test_secrets_and_jwts_never_reach_logs_or_errors(kore, mocked, leak_check):
    mocked.post(STOP, status=400, json=REFUSED)
    mocked.post(STATUS, status=503)
    with pytest.raises(TransientError) as error:
        kore.stop_campaign("cd-1")
    jwts = tokens(mocked)
    assert jwts
    leak_check([KORE_SECRET, *jwts], error.value, repr(kore.api.auth.__dict__.get("client_id")))


def test_echoed_jwt_in_an_error_body_is_redacted(kore, mocked, leak_check):
    def echo(request):
        return 401, {}, json.dumps({"msg": f"Invalid SDK credentials: {request.headers['auth']}"})

    mocked.add_callback(responses.POST, STATUS, callback=echo)
    with pytest.raises(AuthenticationError) as error:
        kore.get_campaign_status("cd-1")
    leak_check([KORE_SECRET, *tokens(mocked)], error.value)


def test_active_statuses_follow_the_status_map(kore_conn):
    from airflow_provider_campaigns.vendors import kore

    assert kore.active_statuses(KoreHook().kore_api.statuses) == ["Ready", "Preparing", "Scheduled", "Rescheduled", "Active", "Paused"]
    custom_map = {"paused": "stopped", "Queued": "active", "Gone": "failed"}
    custom = KoreHook(status_map=custom_map).kore_api.statuses
    assert kore.active_statuses(custom, list(custom_map)) == ["Ready", "Preparing", "Scheduled", "Rescheduled", "Active", "Queued"]


def test_all_active_filters_at_the_vendor_and_again_here(kore, mocked):
    items = [
        {"id": "cd-1", "status": "Active", "name": "Promo A"},
        {"id": "cd-2", "status": "Completed", "name": "promo B"},
        {"id": "cd-3", "status": "Paused"},
        {"id": "cd-1", "status": "Active", "name": "Promo A"},
    ]
    mocked.post(LIST, json=page(items))

    def active(name_contains=None):
        return [(ref.id, ref.stream_id) for ref in kore.select(kore.selection("test", all_active=True, name_contains=name_contains))]

    assert active() == [("cd-1", KORE_STREAM), ("cd-3", KORE_STREAM)]
    assert active("PROMO") == [("cd-1", KORE_STREAM)]
    body = json.loads(mocked.calls[0].request.body)
    assert body["filters"] == {"status": ["Ready", "Preparing", "Scheduled", "Rescheduled", "Active", "Paused"]}
