"""The flows written once over every vendor's API: a stop (idempotent), a status read, a paged list."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pytest

from airflow_provider_campaigns.core.bearer_auth import StaticBearerAuth
from airflow_provider_campaigns.core.errors import describe_failure, expect_ok
from airflow_provider_campaigns.core.flow import TransportFailure
from airflow_provider_campaigns.core.wire import ApiRequest, Reply
from airflow_provider_campaigns.exceptions import (
    AuthenticationError,
    CampaignNotFoundError,
    CampaignNotStoppableError,
    PermanentError,
    StopRejectedError,
    TransientError,
)
from airflow_provider_campaigns.protocol.flows import UNREADABLE_STOP_ATTEMPTS, Page, paged_flow, status_flow, stop_flow
from airflow_provider_campaigns.status import ALREADY_FINAL, STOPPED, CampaignState, CampaignStatus, StatusMap
from airflow_provider_campaigns.vendors.base import Ref, VendorApi

VENDOR = "Fake"
UNREADABLE = (200, b"<html>proxy says hi</html>", {"content-type": "text/html"})


@dataclass(frozen=True)
class FakeRef(Ref):
    id: str

    @property
    def label(self) -> str:
        return f"c-{self.id}"


class FakeApi(VendorApi[FakeRef]):
    """A vendor in miniature: ``POST /c/{id}/stop`` (422 = refused), ``GET /c/{id}``, ``GET /c`` with ``more``."""

    vendor = VENDOR

    def __init__(self) -> None:
        self.auth = StaticBearerAuth(VENDOR, "key")
        self.statuses = StatusMap(
            VENDOR,
            {
                "running": CampaignState.ACTIVE,
                "paused": CampaignState.PAUSED,
                "stopped": CampaignState.STOPPED,
                "done": CampaignState.COMPLETED,
                "rejected": CampaignState.FAILED,
            },
        )

    def stop_request(self, ref: FakeRef) -> ApiRequest[CampaignStatus]:
        def interpret(reply: Reply) -> CampaignStatus:
            if reply.status == 422:
                raise StopRejectedError(describe_failure(reply, "refused to stop"), vendor=VENDOR, campaign_id=ref.label, http_status=422)
            return self.read(expect_ok(reply), ref.label)

        return ApiRequest("POST", f"/c/{ref.id}/stop", interpret, action="stop", campaign_id=ref.label)

    def status_request(self, ref: FakeRef) -> ApiRequest[CampaignStatus]:
        return ApiRequest("GET", f"/c/{ref.id}", lambda reply: self.read(expect_ok(reply), ref.label), "status read", ref.label)

    def read(self, reply: Reply, label: str) -> CampaignStatus:
        body = reply.json_object()
        return self.status_of(label, body.get("status"), body, reply, ("updated",))

    def list_request(self, index: int, received: int) -> ApiRequest[Page]:
        def interpret(reply: Reply) -> Page:
            body = expect_ok(reply).json_object()
            items = [self.status_of(str(item["id"]), item["status"], item, reply) for item in body["items"]]
            return Page(items, body["more"])

        return ApiRequest("GET", "/c", interpret, action="campaign list", params={"page": str(index), "offset": str(received)})


API = FakeApi()
REF = FakeRef("7")


def stopped(status: str = "stopped", **extra: Any) -> tuple[int, dict[str, Any]]:
    return 200, {"status": status, **extra}


REFUSED = (422, {"message": "Campaign cannot be stopped now"})


# -- stop_flow ---------------------------------------------------------------------------------
def test_a_stop_the_vendor_accepts_is_stopped_with_the_status_it_answered(script, budget):
    run = script(VENDOR, stopped(updated="2026-01-01 10:00:00"))
    outcome = run.run(stop_flow(API, REF, budget))
    assert outcome.outcome == STOPPED == "stopped"
    assert (outcome.status.campaign_id, outcome.status.vendor_status, outcome.status.state) == ("c-7", "stopped", CampaignState.STOPPED)
    assert outcome.status.timestamps == {"updated": "2026-01-01T10:00:00Z"}, "a vendor time without a zone is UTC, written ISO 8601"
    assert run.calls == ["POST /c/7/stop"]
    assert run.sent[0].token == "token-1"


def test_the_stop_is_sent_without_re_sending_unreadable_answers(script, budget):
    run = script(VENDOR, stopped())
    run.run(stop_flow(API, REF, budget))
    assert API.stop_request(REF).retry_unreadable is True
    assert run.requests[0].retry_unreadable is False  # a write whose answer is unreadable did happen


@pytest.mark.parametrize("final", ["done", "stopped", "rejected"])
def test_a_refused_stop_of_a_final_campaign_is_already_final(script, budget, final):
    run = script(VENDOR, REFUSED, stopped(final))
    outcome = run.run(stop_flow(API, REF, budget))
    assert (outcome.outcome, outcome.status.vendor_status) == (ALREADY_FINAL, final)
    assert run.calls == ["POST /c/7/stop", "GET /c/7"]


def test_a_refused_stop_of_a_final_campaign_fails_when_the_user_asks(script, budget):
    run = script(VENDOR, REFUSED, stopped("done"))
    with pytest.raises(CampaignNotStoppableError, match=r"c-7 was already final \('done'\) and fail_if_already_final=True") as error:
        run.run(stop_flow(API, REF, budget, fail_if_already_final=True))
    assert isinstance(error.value, PermanentError)


@pytest.mark.parametrize(("raw", "state"), [("running", "active"), ("paused", "paused"), ("brand-new", "unknown")])
def test_a_refused_stop_of_a_campaign_that_is_not_final_fails_naming_refusal_and_state(script, budget, raw, state):
    run = script(VENDOR, REFUSED, stopped(raw))
    with pytest.raises(CampaignNotStoppableError) as error:
        run.run(stop_flow(API, REF, budget))
    text = str(error.value)
    assert "HTTP 422" in text and "Campaign cannot be stopped now" in text
    assert f"{raw!r} ({state}), not final" in text
    assert (error.value.vendor, error.value.campaign_id, error.value.http_status) == (VENDOR, "c-7", 422)


@pytest.mark.parametrize(
    "lost",
    [TransportFailure("timeout", "read timed out"), TransportFailure("connection", "connection reset"), (503, b""), (502, b"<html>")],
)
def test_a_refusal_after_a_lost_answer_and_a_stopped_campaign_is_our_stop(script, budget, lost):
    """The first stop went through but its answer was lost: the retry is refused, and that is success."""
    run = script(VENDOR, lost, REFUSED, stopped("stopped"))
    outcome = run.run(stop_flow(API, REF, budget, fail_if_already_final=True))
    assert outcome.outcome == STOPPED
    assert run.calls == ["POST /c/7/stop", "POST /c/7/stop", "GET /c/7"]
    assert len(run.sleeps) == 1


def test_a_refusal_after_a_lost_answer_of_a_completed_campaign_is_already_final(script, budget):
    run = script(VENDOR, TransportFailure("timeout", "read timed out"), REFUSED, stopped("done"))
    assert run.run(stop_flow(API, REF, budget)).outcome == ALREADY_FINAL


def test_a_refusal_after_a_429_is_not_a_lost_answer(script, budget):
    """A 429 was not applied: the later refusal means the campaign was final before this task."""
    run = script(VENDOR, (429, {"message": "slow down"}, {"retry-after": "1"}), REFUSED, stopped("stopped"))
    assert run.run(stop_flow(API, REF, budget)).outcome == ALREADY_FINAL
    assert run.sleeps == [1.0]


def test_an_unreadable_2xx_stop_reads_the_status_and_a_final_campaign_counts_as_stopped(script, budget):
    run = script(VENDOR, UNREADABLE, stopped("stopped"))
    outcome = run.run(stop_flow(API, REF, budget))
    assert (outcome.outcome, outcome.status.vendor_status) == (STOPPED, "stopped")
    assert run.calls == ["POST /c/7/stop", "GET /c/7"]  # never sent twice


def test_an_unreadable_2xx_stop_is_sent_again_only_while_the_campaign_runs(script, budget, caplog):
    run = script(VENDOR, UNREADABLE, stopped("running"), stopped("stopped"))
    with caplog.at_level(logging.WARNING, logger="airflow_provider_campaigns.protocol.flows"):
        outcome = run.run(stop_flow(API, REF, budget))
    assert outcome.outcome == STOPPED
    assert run.calls == ["POST /c/7/stop", "GET /c/7", "POST /c/7/stop"]
    assert "unreadable" in caplog.text and "c-7 is still 'running'" in caplog.text


def test_unreadable_2xx_stops_give_up_after_the_attempt_limit_as_a_retryable_error(script, budget):
    answers = [UNREADABLE, stopped("running")] * UNREADABLE_STOP_ATTEMPTS
    run = script(VENDOR, *answers)
    with pytest.raises(TransientError, match=rf"still 'running' after {UNREADABLE_STOP_ATTEMPTS} stop attempts") as error:
        run.run(stop_flow(API, REF, budget))
    assert not isinstance(error.value, PermanentError)
    assert (error.value.campaign_id, error.value.http_status) == ("c-7", 200)
    assert run.calls.count("POST /c/7/stop") == UNREADABLE_STOP_ATTEMPTS == 3
    assert run.calls.count("GET /c/7") == 3


def test_an_unreadable_2xx_stop_then_a_refusal_reads_the_status_again(script, budget):
    run = script(VENDOR, UNREADABLE, stopped("running"), REFUSED, stopped("done"))
    assert run.run(stop_flow(API, REF, budget)).outcome == ALREADY_FINAL
    assert run.calls == ["POST /c/7/stop", "GET /c/7", "POST /c/7/stop", "GET /c/7"]


@pytest.mark.parametrize(
    ("answer", "error"),
    [((404, {"message": "Not found"}), CampaignNotFoundError), ((401, {"message": "bad key"}), AuthenticationError)],
)
def test_a_stop_failing_for_other_reasons_is_not_followed_by_a_status_read(script, budget, answer, error):
    run = script(VENDOR, answer)
    with pytest.raises(error):
        run.run(stop_flow(API, REF, budget))
    assert run.calls == ["POST /c/7/stop"]


def test_a_stop_that_keeps_failing_transiently_gives_up_as_retryable(script, budget):
    run = script(VENDOR, *[(503, b"")] * 4)
    with pytest.raises(TransientError, match="retry the task later") as error:
        run.run(stop_flow(API, REF, budget))
    assert error.value.after_lost_answer is True
    assert len(run.sent) == 4 and len(run.sleeps) == 3


# -- status_flow --------------------------------------------------------------------------------
def test_status_flow_reads_once_and_retries_transient_and_unreadable_answers(script, budget):
    run = script(VENDOR, (503, b""), (200, b""), stopped("running"))
    status = run.run(status_flow(API, REF, budget))
    assert (status.campaign_id, status.state, status.is_final) == ("c-7", CampaignState.ACTIVE, False)
    assert run.calls == ["GET /c/7"] * 3


# -- paged_flow ---------------------------------------------------------------------------------
def page(*ids: int, more: bool, status: str = "running") -> tuple[int, dict[str, Any]]:
    return 200, {"items": [{"id": i, "status": status} for i in ids], "more": more}


def test_paged_flow_follows_the_vendor_signal_and_deduplicates_in_order(script, budget):
    run = script(VENDOR, page(1, 2, more=True), page(2, 3, more=True), page(4, more=False))
    items = run.run(paged_flow(API, API.list_request, budget, max_pages=10))
    assert [item.campaign_id for item in items] == ["1", "2", "3", "4"]
    assert [dict(request.params) for request in run.requests] == [
        {"page": "0", "offset": "0"},
        {"page": "1", "offset": "2"},
        {"page": "2", "offset": "4"},  # rows received so far, duplicates included: the offset of offset paging
    ]


def test_paged_flow_stops_at_the_first_page_that_says_no_more_even_when_it_is_full(script, budget):
    run = script(VENDOR, page(1, 2, 3, more=False))
    assert len(run.run(paged_flow(API, API.list_request, budget, max_pages=10))) == 3
    assert len(run.sent) == 1


def test_paged_flow_of_an_empty_list(script, budget):
    assert script(VENDOR, page(more=False)).run(paged_flow(API, API.list_request, budget, max_pages=10)) == []


@pytest.mark.parametrize("second", [page(2, 1, more=True), page(more=True)])
def test_a_page_that_says_more_but_brings_nothing_new_fails_instead_of_looping(script, budget, second):
    run = script(VENDOR, page(1, 2, more=True), second)
    with pytest.raises(PermanentError, match=r"page 2 brought nothing new .* cannot be shown complete"):
        run.run(paged_flow(API, API.list_request, budget, max_pages=10))


def test_paged_flow_fails_past_max_pages_instead_of_truncating(script, budget):
    run = script(VENDOR, page(1, more=True), page(2, more=True))
    with pytest.raises(PermanentError, match="more than 2 pages; narrow it"):
        run.run(paged_flow(API, API.list_request, budget, max_pages=2))
    assert len(run.sent) == 2


def test_paged_flow_keeps_the_first_reading_of_a_campaign_seen_twice(script, budget):
    run = script(VENDOR, page(1, more=True), page(1, 2, more=False, status="stopped"))
    items = run.run(paged_flow(API, API.list_request, budget, max_pages=10))
    assert [(item.campaign_id, item.vendor_status) for item in items] == [("1", "running"), ("2", "stopped")]


