"""Every vendor's own example answers (``documented/``, verbatim) read exactly as the documents put them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pendulum
import pytest

from airflow_provider_campaigns.core.flow import Token, call
from airflow_provider_campaigns.exceptions import (
    AuthenticationError,
    CampaignNotFoundError,
    ContractError,
    StopRejectedError,
    VendorRejectedError,
)
from airflow_provider_campaigns.protocol.flows import stop_flow
from airflow_provider_campaigns.registry import vendor_spec
from airflow_provider_campaigns.status import ALREADY_FINAL, STOPPED, CampaignState, iso_utc
from airflow_provider_campaigns.vendors import bsg, cellcast, comm, kore
from tests.conftest import fake_connection, vendor_reply

DOCUMENTED = Path(__file__).parent / "documented"
DOCUMENTED_FILES = sorted(path.relative_to(DOCUMENTED).as_posix() for path in DOCUMENTED.glob("*/*.json"))


def as_json(content: bytes) -> Any:
    return json.loads(content)


# -- the folder itself ---------------------------------------------------------------------------------
def test_every_documented_body_is_json_and_named_in_the_readme(documented):
    readme = documented("README.md").decode()
    assert len(DOCUMENTED_FILES) == 22
    for name in DOCUMENTED_FILES:
        as_json(documented(name))
        assert f"`{name}`" in readme, f"{name} is not listed in documented/README.md"


def test_every_file_the_readme_names_exists(documented):
    readme = documented("README.md").decode()
    named = {line.split("`")[1] for line in readme.splitlines() if line.startswith("| `")}
    assert named == set(DOCUMENTED_FILES)


# -- BSG -----------------------------------------------------------------------------------------------
BSG = bsg.BsgApi("live_not-used-here")


def test_bsg_campaign_read_example(documented):
    content = documented("bsg/campaign-get-200.json")
    data = as_json(content)["data"]
    ref = bsg.campaign(data["id"])
    request = BSG.status_request(ref)
    status = request.interpret(vendor_reply("BSG", request, 200, content))
    assert (status.campaign_id, status.name) == ("53651994", "SMS api campaign / 2024-04-03 12:14:49")
    assert (status.vendor_status, status.state, status.is_final) == ("done", CampaignState.COMPLETED, True)
    assert status.timestamps == {
        "created_at": "2024-04-03T12:14:49Z",
        "start_at": "2024-04-03T12:14:49Z",
        "real_start_at": "2024-04-03T12:15:06Z",
        "finished_at": "2024-04-03T12:15:07Z",
    }
    assert status.timestamps == {key: iso_utc(data[key]) for key in bsg.TIMESTAMP_FIELDS}


@pytest.mark.parametrize(
    ("name", "channel", "method"),
    [("bsg/stop-200.json", "sms", "PATCH"), ("bsg/sms-stop-200-seed.json", "sms", "PATCH"), ("bsg/rcs-stop-200-seed.json", "rcs", "PUT")],
)
def test_bsg_stop_examples(documented, name, channel, method):
    content = documented(name)
    data = as_json(content)["data"]
    request = BSG.stop_request(bsg.campaign(data["id"], channel))
    assert request.method == method
    status = request.interpret(vendor_reply("BSG", request, 200, content))
    assert (status.campaign_id, status.name, status.vendor_status) == (str(data["id"]), data["name"], data["status"])
    assert status.state is bsg.STATUS_MAP.normalize(data["status"])
    assert status.timestamps == {key: iso_utc(data[key]) for key in bsg.TIMESTAMP_FIELDS if data[key] is not None}
    assert all(value.endswith("Z") and "T" in value for value in status.timestamps.values())


def test_bsg_stop_examples_say_what_the_documents_say(documented):
    spec_request = BSG.stop_request(bsg.campaign(53703420))
    spec = spec_request.interpret(vendor_reply("BSG", spec_request, 200, documented("bsg/stop-200.json")))
    assert (spec.state, spec.timestamps) == (
        CampaignState.STOPPED,
        {"created_at": "2025-03-11T14:13:11Z", "start_at": "2025-04-01T00:00:00Z"},
    )
    seed_request = BSG.stop_request(bsg.campaign(1, "rcs"))
    seed = seed_request.interpret(vendor_reply("BSG", seed_request, 200, documented("bsg/rcs-stop-200-seed.json")))
    assert (seed.campaign_id, seed.vendor_status, seed.state, seed.name) == ("1", "creation", CampaignState.ACTIVE, "string")
    assert seed.timestamps == dict.fromkeys(bsg.TIMESTAMP_FIELDS, "2021-04-27T19:44:06Z")


@pytest.mark.parametrize("name", ["bsg/stop-422.json", "bsg/stop-422-schema-example.json"])
def test_bsg_422_examples_are_refusals_and_a_done_campaign_is_already_final(documented, script, budget, name):
    request = BSG.stop_request(bsg.campaign(53651994))
    with pytest.raises(StopRejectedError, match='HTTP 422, "Invalid campaign status"'):
        request.interpret(vendor_reply("BSG", request, 422, documented(name)))
    run = script("BSG", (422, documented(name)), (200, documented("bsg/campaign-get-200.json")))
    outcome = run.run(stop_flow(BSG, bsg.campaign(53651994), budget))
    assert (outcome.outcome, outcome.status.vendor_status) == (ALREADY_FINAL, "done")


def test_bsg_list_example_is_one_complete_page(documented, script, budget):
    content = documented("bsg/list-200.json")
    window = (pendulum.datetime(2026, 1, 1), pendulum.datetime(2026, 1, 2))
    request = BSG.list_request("sms", window, 0)
    page = request.interpret(vendor_reply("BSG", request, 200, content))
    assert page.more is False  # meta.page.total is 1
    assert [(s.campaign_id, s.vendor_status, s.state, s.name) for s in page.items] == [
        ("53651994", "creation", CampaignState.ACTIVE, "SMS api campaign / 2024-04-03 12:14:49")
    ] * 2
    assert page.items[0].timestamps == dict.fromkeys(bsg.TIMESTAMP_FIELDS, "2000-01-23T04:56:07Z")  # the spec's ISO 8601, in UTC
    listed = script("BSG", (200, content)).run(bsg.list_flow(BSG, "sms", [window], budget))
    assert [s.campaign_id for s in listed] == ["53651994"]  # the example's two rows are one campaign


def test_bsg_login_example_gives_the_jwt_and_its_expiry(documented, script, budget):
    bearer = as_json(documented("bsg/login-200.json"))["bearer"]
    run = script("BSG", (200, documented("bsg/login-200.json")))
    assert run.run(BSG.auth.token_flow(budget)) == Token(bearer, 1_741_369_668.0)
    assert bsg.jwt_expiry(bearer) == 1_741_369_668.0


def test_bsg_rate_limit_example_is_retried(documented, script, budget):
    request = BSG.status_request(bsg.campaign(53651994))
    run = script("BSG", (429, documented("bsg/too-many-requests-429.json")), (200, documented("bsg/campaign-get-200.json")))
    assert run.run(call(request, "BSG", budget, refreshable=True)).vendor_status == "done"
    assert len(run.sent) == 2 and len(run.sleeps) == 1


# -- Cellcast ----------------------------------------------------------------------------------------------
CELLCAST = cellcast.CellcastApi("key")
MID = "675161d8a000000000000000"  # the docs' example message id


def test_cellcast_cancel_example_is_a_canceled_message(documented):
    assert as_json(documented("cellcast/cancel-200.json"))["status"] is True
    request = CELLCAST.stop_request(cellcast.message(MID))
    assert request.json == {"messageId": MID, "type": "sms"}  # the docs' sample request body
    status = request.interpret(vendor_reply("Cellcast", request, 200, documented("cellcast/cancel-200.json")))
    assert (status.campaign_id, status.vendor_status, status.state) == (MID, "canceled", CampaignState.STOPPED)


def test_cellcast_recorded_message_not_found_is_a_refusal_on_cancel_and_not_found_on_read(documented):
    content = documented("cellcast/cancel-200-message-not-found.json")
    cancel = CELLCAST.stop_request(cellcast.message(MID))
    with pytest.raises(StopRejectedError, match='status false, "message not found"'):
        cancel.interpret(vendor_reply("Cellcast", cancel, 200, content))
    read = CELLCAST.status_request(cellcast.message(MID))
    with pytest.raises(CampaignNotFoundError, match=MID):
        read.interpret(vendor_reply("Cellcast", read, 200, content))


@pytest.mark.parametrize(
    ("name", "status", "error", "text"),
    [
        ("cellcast/cancel-400.json", 400, VendorRejectedError, 'HTTP 400, "messageId is required"'),
        ("cellcast/cancel-401.json", 401, AuthenticationError, 'HTTP 401, "Token expired". Check the credentials'),
    ],
)
def test_cellcast_error_examples(documented, name, status, error, text):
    request = CELLCAST.stop_request(cellcast.message(MID))
    with pytest.raises(error, match=text):
        request.interpret(vendor_reply("Cellcast", request, status, documented(name)))


def test_cellcast_message_report_as_vendors_md_lists_its_fields():
    """Not verbatim (VENDORS.md names the fields only): ``{"status": true, "data": {_id, status, ...}}``."""
    data = {
        "_id": MID,
        "status": "scheduled",
        "message": "Hi",
        "sender": "CELLCAST",
        "receiver": "+61400000000",
        "createdAt": "2026-01-01T00:00:00.000Z",
        "updatedAt": "2026-01-01T00:00:01.000Z",
        "send_time": None,
        "scheduleAt": "2026-01-02T00:00:00.000Z",
        "customString": "promo",
    }
    request = CELLCAST.status_request(cellcast.message(MID))
    status = request.interpret(vendor_reply("Cellcast", request, 200, json.dumps({"status": True, "data": data}).encode()))
    assert (status.campaign_id, status.vendor_status, status.state, status.name) == (MID, "scheduled", CampaignState.ACTIVE, "promo")
    assert status.timestamps == {key: iso_utc(data[key]) for key in ("createdAt", "updatedAt", "scheduleAt")}


# -- comm.com ----------------------------------------------------------------------------------------------
C1 = "3c90c3cc-0d44-4b50-8888-8dd25736052a"  # the docs' example UUID
S1 = "9f1e2d3c-4b5a-4697-8887-766554433221"
COMM = comm.CommApi("tok")


def test_comm_stop_example_reads_the_send_status_where_the_docs_put_it(documented):
    content = documented("comm/stop-200.json")
    data = as_json(content)["data"]
    request = COMM.stop_request(comm.send(C1, S1))
    status = request.interpret(vendor_reply("comm.com", request, 200, content))
    assert status.campaign_id == f"{C1}/{S1}"
    assert status.vendor_status == data["status"] == "<string>"  # the send's own `status`, a placeholder in the docs
    assert status.state is CampaignState.UNKNOWN and not status.is_final  # so never taken for final
    assert status.timestamps == {"created_at": "<string>", "updated_at": "<string>", "next_step_timestamp": "<string>"}
    assert status.name is None  # a send resource has no name


def test_comm_stop_example_with_real_values_in_the_placeholders(documented):
    data = as_json(documented("comm/stop-200.json"))
    data["data"].update(status="stopped", created_at="2026-01-01T00:00:00Z", updated_at="2026-01-01T00:05:00Z", next_step_timestamp=None)
    request = COMM.stop_request(comm.send(C1, S1))
    status = request.interpret(vendor_reply("comm.com", request, 200, json.dumps(data).encode()))
    assert (status.vendor_status, status.state) == ("stopped", CampaignState.STOPPED)
    assert status.timestamps == {"created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:05:00Z"}
    assert comm.campaign_status(data["data"]) == "in_progress"  # the multistep status the same resource carries


def test_comm_campaign_read_as_vendors_md_describes_it(documented, caplog, monkeypatch):
    """Not verbatim: the campaign GET has no top-level status and no sends list; the status sits at
    ``data.meta.multistep_status.status`` (VENDORS.md). The meta block is the stop example's own."""
    monkeypatch.setattr(comm, "_campaign_level_reported", set())
    meta = as_json(documented("comm/stop-200.json"))["data"]["meta"]
    content = json.dumps({"data": {"id": C1, "name": "promo", "meta": meta}}).encode()
    read = COMM.status_request(comm.send(C1, S1))
    status = read.interpret(vendor_reply("comm.com", read, 200, content))
    assert (status.vendor_status, status.state, status.name) == ("in_progress", CampaignState.ACTIVE, "promo")
    sends = COMM.sends_request(C1)
    assert sends.interpret(vendor_reply("comm.com", sends, 200, content)) is None
    assert "documents no status read for a send" in caplog.text


# -- Kore.ai --------------------------------------------------------------------------------------------------
STREAM = "st-0603182c-7ffb-53c3-b307-47ca14bxxxxx"  # the docs' sample iid
KORE_CONN = fake_connection(
    "kore_default",
    login="cs-client",
    password="kore-secret-for-tests-0123456789abcdef",
    extra={"account_id": "67777ce93e25326494xxxxx", "stream_id": STREAM},
)


def kore_api() -> kore.KoreApi:
    api = vendor_spec("kore").connect(KORE_CONN)[1]
    assert isinstance(api, kore.KoreApi)
    return api


def test_kore_stop_example(documented):
    api = kore_api()
    request = api.stop_request(kore.KoreCampaign("cd-1", STREAM))
    assert dict(request.headers) == {"accountid": "67777ce93e25326494xxxxx", "iid": STREAM}  # the docs' sample headers
    status = request.interpret(vendor_reply("Kore.ai", request, 200, documented("kore/stop-200.json")))
    assert (status.campaign_id, status.vendor_status, status.state, status.name) == ("cd-1", "Stopped", CampaignState.STOPPED, None)
    assert status.timestamps == {"updatedAt": "2025-12-05T12:07:54.225000Z"}


def test_kore_stop_example_ends_a_stop_flow_as_stopped(documented, script, budget):
    run = script("Kore.ai", (200, documented("kore/stop-200.json")))
    assert run.run(stop_flow(kore_api(), kore.KoreCampaign("cd-1", STREAM), budget)).outcome == STOPPED


def test_kore_bad_jwt_example_names_kores_message(documented):
    request = kore_api().status_request(kore.KoreCampaign("cd-1", STREAM))
    with pytest.raises(AuthenticationError, match='HTTP 401, "Invalid SDK credentials"'):
        request.interpret(vendor_reply("Kore.ai", request, 401, documented("kore/error-invalid-sdk-credentials.json")))


@pytest.mark.parametrize(
    ("name", "campaign_id", "raw", "state", "campaign_name"),
    [
        (
            "kore/status-200-v2.json",
            "cd-469cba4-2597-471d-b5ed-02732c2xxxxx",
            "Ready",
            CampaignState.ACTIVE,
            "Service Renewal Outreach Campaign6",
        ),
        ("kore/status-200-v1.json", "cd-0e0475b-a418-400d-9164-21eb7e89xxxx", "Stopped", CampaignState.STOPPED, None),
    ],
)
def test_kore_status_examples(documented, name, campaign_id, raw, state, campaign_name):
    """get-campaign-status-v2.md (and the v1 page): ``{"status": "success", "data": {"id", "status", "name"}}``."""
    content = documented(name)
    request = kore_api().status_request(kore.KoreCampaign(campaign_id, STREAM))
    status = request.interpret(vendor_reply("Kore.ai", request, 200, content))
    assert (status.campaign_id, status.vendor_status, status.state) == (campaign_id, raw, state)
    assert status.name == (campaign_name or as_json(content)["data"]["name"])
    with pytest.raises(ContractError, match=r"get-campaign-status-v2\.md"):
        request.interpret(vendor_reply("Kore.ai", request, 200, json.dumps({"status": "success"}).encode()))


def test_kore_stop_v2_example_is_the_seed_answer(documented):
    """stop-sms-campaign-v2.md's sample answer: the same fields and values as the seed page's."""
    assert as_json(documented("kore/stop-200-v2.json")) == as_json(documented("kore/stop-200.json"))
    request = kore_api().stop_request(kore.KoreCampaign("cd-1", STREAM))
    assert request.interpret(vendor_reply("Kore.ai", request, 200, documented("kore/stop-200-v2.json"))).state is CampaignState.STOPPED


@pytest.mark.parametrize(
    ("name", "count", "stopped", "more", "first"),
    [
        ("kore/list-sms-200-v2.json", 7, 1, False, "cd-78d3f0a9-8f42-5d8c-af8d-d6a63eaxxxxx"),
        ("kore/list-voice-200-v2.json", 5, 0, False, "cd-c1b940c-7012-4e7d-98d9-4707177xxxxx"),
        ("kore/list-sms-200-v1-has-more.json", 2, 0, True, "cd-3aefda80-f98e-5f4f-ad41-92803abbxxxx"),
    ],
)
def test_kore_list_examples(documented, name, count, stopped, more, first):
    """get-all-campaigns-v2.md (SMS rows ``id``, voice rows ``_id``) and get-all-campaigns.md (``hasMore: true``)."""
    content = documented(name)
    data = as_json(content)["data"]
    request = kore_api().list_request(STREAM)
    page = request.interpret(vendor_reply("Kore.ai", request, 200, content))
    assert len(page.items) == count == len(data["results"]) and page.more is more
    assert page.items[0].campaign_id == first and all(item.campaign_id.startswith("cd-") for item in page.items)
    assert sum(item.vendor_status == "Stopped" for item in page.items) == stopped
    assert [item.name for item in page.items] == [row["name"] for row in data["results"]]
    assert page.items[0].timestamps["createdAt"] == iso_utc(data["results"][0]["createdAt"])
