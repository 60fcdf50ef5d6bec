from __future__ import annotations

import json

import jwt
import pytest
import responses
from airflow.providers.common.compat.sdk import AirflowException, AirflowFailException, TaskDeferred

from airflow_provider_campaigns.engine.results import RESULT_KEY
from airflow_provider_campaigns.exceptions import CampaignNotStoppableError, InvalidInputError
from airflow_provider_campaigns.operators.kore import KoreStopCampaignOperator
from tests.vendor_accounts import KORE_ACCOUNT, KORE_CLIENT_ID, KORE_HOST, KORE_SECRET, KORE_STREAM, kore_status_body, kore_stopped

pytestmark = pytest.mark.usefixtures("kore_conn")


def base(stream: str = KORE_STREAM) -> str:
    return f"{KORE_HOST}/campaign/api/v2/public/{stream}/campaign"


@pytest.fixture(autouse=True)
def _fresh_ti(ti):
    global TI
    TI = ti


TI = None


def run(op: KoreStopCampaignOperator) -> tuple[dict, object]:
    return op.execute({"ti": TI}), TI


def ids_of(result: dict, outcome: str | None = None) -> list[str]:
    return [c["campaign_id"] for c in result["campaigns"] if outcome is None or c["outcome"] == outcome]


def test_single_stop_returns_the_documented_result(mocked):
    mocked.post(f"{base()}//trigger/cd-1", json=kore_stopped())
    result, _ = run(KoreStopCampaignOperator(task_id="stop", campaign_id="cd-1"))
    assert result["campaigns"] == [
        {
            "vendor": "kore",
            "conn_id": "kore_default",
            "campaign_id": "cd-1",
            "name": None,
            "outcome": "stopped",
            "state": "stopped",
            "vendor_status": "Stopped",
            "error": None,
            "started_at": None,
            "finished_at": "2025-12-05T12:07:54.225000Z",  # the last update of a final campaign
            "ref": {"stream_id": KORE_STREAM},  # what the campaign_id and the default type do not say
        }
    ]
    call = mocked.calls[0].request
    assert call.url == f"{base()}//trigger/cd-1?accountId={KORE_ACCOUNT}&campaignType=sms&trigger=stop"
    assert jwt.decode(call.headers["auth"], KORE_SECRET, algorithms=["HS256"])["appId"] == KORE_CLIENT_ID
    assert call.headers["accountid"] == KORE_ACCOUNT and call.headers["iid"] == KORE_STREAM and json.loads(call.body) == {}


def test_stream_id_falls_back_to_the_extra_and_the_ref_carries_it():
    def refs(op: KoreStopCampaignOperator) -> list[tuple[str, str]]:
        (part,) = op.parts()
        return [(ref.id, ref.stream_id) for ref in part.selection.refs]

    assert refs(KoreStopCampaignOperator(task_id="stop", campaign_id="cd-1")) == [("cd-1", KORE_STREAM)]
    assert refs(KoreStopCampaignOperator(task_id="stop", campaign_ids=["a", "b", "a"], stream_id="st-op")) == [
        ("a", "st-op"),
        ("b", "st-op"),
    ]


def test_operator_stream_id_is_used_in_path_and_iid(mocked):
    mocked.post(f"{base('st-op')}//trigger/cd-1", json=kore_stopped())
    run(KoreStopCampaignOperator(task_id="stop", campaign_id="cd-1", stream_id="st-op"))
    assert mocked.calls[0].request.headers["iid"] == "st-op"


def test_missing_stream_everywhere_fails_before_sending(kore_conn, kore_extra):
    kore_conn(extra={**kore_extra, "stream_id": None})
    with responses.RequestsMock() as rsps, pytest.raises(InvalidInputError, match="stream_id"):
        run(KoreStopCampaignOperator(task_id="stop", campaign_id="cd-1"))
    assert len(rsps.calls) == 0


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"campaign_id": "cd-1", "campaign_type": "mms"}, "campaign_type"),
        ({"campaign_id": "cp/1"}, "campaign_id"),
        ({"campaign_id": "{{ params.cid }}"}, "campaign_id"),
        ({"campaign_id": ""}, "campaign_id"),
        ({"campaign_ids": ["cd-1", "cp 2"]}, "campaign_ids\\[1\\]"),
        ({"campaign_ids": []}, "campaign_ids"),
        ({"campaign_ids": "cd-1"}, "campaign_ids"),
        ({"campaign_id": "cd-1", "campaign_ids": ["cd-2"]}, "exactly one"),
        ({}, "exactly one of campaign_id, campaign_ids or all_active"),
        ({"campaign_id": "cd-1", "all_active": True}, "exactly one"),
        ({"campaign_ids": ["cd-1"], "all_active": True}, "exactly one"),
        ({"all_active": "false"}, "all_active must be True or False"),
        ({"all_active": True, "name_contains": ["promo"]}, "name_contains must be non-empty text"),
        ({"all_active": True, "campaign_type": "voice"}, "campaign_type"),
        ({"all_active": True, "stream_id": "st/x"}, "stream_id"),
        ({"campaign_id": "cd-1", "stream_id": "st?x"}, "stream_id"),
    ],
)
def test_bad_input_fails_before_sending_naming_the_parameter(kwargs, parameter):
    with responses.RequestsMock() as rsps, pytest.raises(InvalidInputError, match=parameter):
        run(KoreStopCampaignOperator(task_id="stop", **kwargs))
    assert len(rsps.calls) == 0


def test_ids_are_checked_before_the_connection_is_read():
    with pytest.raises(InvalidInputError, match=r"campaign_ids\[0\]"):
        run(KoreStopCampaignOperator(task_id="stop", campaign_ids=["{{ bad }}"], kore_conn_id="kore_missing"))


def test_retried_task_succeeds_when_first_try_already_stopped(mocked):
    mocked.post(f"{base()}//trigger/cd-1", status=400, json={"errors": [{"msg": "Campaign is already stopped or completed", "code": 400}]})
    mocked.post(f"{base()}/cd-1/status", json=kore_status_body("Stopped", "cd-1"))
    (entry,) = run(KoreStopCampaignOperator(task_id="stop", campaign_id="cd-1"))[0]["campaigns"]
    assert entry["outcome"] == "already_final" and entry["vendor_status"] == "Stopped"


def test_fail_if_already_final(mocked):
    mocked.post(f"{base()}//trigger/cd-1", status=409, json={"message": "already completed"})
    mocked.post(f"{base()}/cd-1/status", json=kore_status_body("Completed", "cd-1"))
    with pytest.raises(CampaignNotStoppableError, match="fail_if_already_final"):
        run(KoreStopCampaignOperator(task_id="stop", campaign_id="cd-1", fail_if_already_final=True))


def test_many_campaigns_every_one_attempted_and_failure_named_at_the_end(mocked, leak_check):
    for cid in ("cd-1", "cd-3"):
        mocked.post(f"{base()}//trigger/{cid}", json=kore_stopped())
    mocked.post(f"{base()}//trigger/cd-2", status=404, json={"errors": [{"msg": "Campaign not found", "code": 404}]})
    op = KoreStopCampaignOperator(task_id="stop", campaign_ids=["cd-1", "cd-2", "cd-3"], max_concurrency=2)
    with pytest.raises(AirflowFailException, match="1 of 3 campaign") as error:
        op.execute({"ti": TI})
    assert "cd-2" in str(error.value) and "Campaign not found" in str(error.value)
    assert len(mocked.calls) == 3
    pushed = TI.xcoms[RESULT_KEY]
    assert pushed["totals"] == {"stopped": 2, "already_final": 0, "would_stop": 0, "failed": 1, "failed_targets": 0}
    assert [c["outcome"] for c in pushed["campaigns"]] == ["stopped", "failed", "stopped"]
    assert ids_of(pushed, "failed") == ["cd-2"]
    assert len({c.request.headers["auth"] for c in mocked.calls}) == 1  # one JWT for the whole batch
    leak_check([KORE_SECRET, *{c.request.headers["auth"] for c in mocked.calls}], error.value, json.dumps(pushed))


def test_transient_failure_in_a_batch_lets_airflow_retry(mocked):
    mocked.post(f"{base()}//trigger/cd-1", json=kore_stopped())
    mocked.post(f"{base()}//trigger/cd-2", status=503)
    mocked.post(f"{base()}/cd-2/status", json=kore_status_body("Active", "cd-2"))
    with pytest.raises(AirflowException) as error:
        run(KoreStopCampaignOperator(task_id="stop", campaign_ids=["cd-1", "cd-2"]))
    assert not isinstance(error.value, AirflowFailException)


def test_operator_can_be_deep_copied_after_execution(mocked):
    import copy

    mocked.post(f"{base()}//trigger/cd-1", json=kore_stopped())
    op = KoreStopCampaignOperator(task_id="stop", campaign_id="cd-1")
    run(op)
    clone = copy.deepcopy(op)
    assert clone.campaign_id == "cd-1"


def test_request_timeout_is_passed(mocked):
    mocked.post(f"{base()}//trigger/cd-1", json=kore_stopped())
    run(KoreStopCampaignOperator(task_id="stop", campaign_id="cd-1", request_timeout=[2, 9]))
    assert mocked.calls[0].request.req_kwargs["timeout"] == (2.0, 9.0)


def test_deferrable_wait_defers_with_safe_trigger_kwargs(mocked):
    mocked.post(f"{base('st-op')}//trigger/cd-1", json=kore_stopped())
    mocked.post(f"{base('st-op')}/cd-1/status", json=kore_status_body("Active", "cd-1"))  # e.g. still settling
    op = KoreStopCampaignOperator(task_id="stop", campaign_id="cd-1", stream_id="st-op", wait_for_completion=True, deferrable=True)
    with pytest.raises(TaskDeferred) as deferred:
        run(op)
    _, kwargs = deferred.value.trigger.serialize()
    (group,) = kwargs["groups"]
    assert group["vendor"] == "kore" and group["refs"] == [{"id": "cd-1", "stream_id": "st-op", "campaign_type": "sms"}]
    assert group["options"] == {"status_map": None, "stream_id": "st-op"}
    text = json.dumps(kwargs) + json.dumps(deferred.value.kwargs)
    for secret in [KORE_SECRET, *{c.request.headers["auth"] for c in mocked.calls}]:
        assert secret not in text


def test_template_fields():
    assert set(KoreStopCampaignOperator.template_fields) >= {"campaign_id", "campaign_ids", "stream_id", "campaign_type", "kore_conn_id"}


def test_dry_run_reads_each_campaign_and_stops_nothing(mocked):
    mocked.post(f"{base()}/cd-1/status", json=kore_status_body("Active", "cd-1"))
    mocked.post(f"{base()}/cd-2/status", json=kore_status_body("Completed", "cd-2"))
    result, _ = run(KoreStopCampaignOperator(task_id="stop", campaign_ids=["cd-1", "cd-2"], dry_run=True))
    assert [(c["campaign_id"], c["outcome"], c["name"]) for c in result["campaigns"]] == [
        ("cd-1", "would_stop", "promo"),
        ("cd-2", "already_final", "promo"),
    ]
    assert not [c for c in mocked.calls if "//trigger/" in c.request.url]


# -- all_active: selection by listing -------------------------------------------------------------

ACTIVE = ["Ready", "Preparing", "Scheduled", "Rescheduled", "Active", "Paused"]


def campaign(campaign_id: str, status: str = "Active", name: str = "promo") -> dict:
    """An SMS row of Kore's documented list (get-all-campaigns-v2.md): ``id``, ``name``, ``status`` and more."""
    return {"name": name, "status": status, "priority": "5", "id": campaign_id, "totalMessagesSent": 0, "format": "simple"}


def listing(*items: dict, skip: int = 0, more: bool = False, total: int | None = None) -> dict:
    """Kore's documented list answer around ``items``."""
    total = skip + len(items) if total is None else total
    data = {"results": list(items), "skip": skip, "limit": 100, "hasMore": more, "totalPages": 1, "totalResults": total}
    return {"status": "success", "message": "Campaign  retrieved successfully", "data": data}


def stops(mocked) -> list[str]:
    return [c.request.url.split("?")[0].rsplit("/", 1)[-1] for c in mocked.calls if "//trigger/" in c.request.url]


def list_bodies(mocked) -> list[dict]:
    return [json.loads(c.request.body) for c in mocked.calls if c.request.url.split("?")[0].endswith("/getAllCampaignDetails")]


def test_all_active_stops_only_non_final_campaigns_whose_name_matches(mocked):
    mocked.post(
        f"{base()}/getAllCampaignDetails",
        json=listing(
            campaign("cd-1", "Active", "Black Friday PROMO"),
            campaign("cd-2", "Completed", "promo done"),  # a vendor that ignores filters.status
            campaign("cd-3", "Active", "newsletter"),
            campaign("cd-4", "Scheduled", "promo tomorrow"),
            campaign("cd-5", "stopped", "old promo"),
        ),
    )
    for cid in ("cd-1", "cd-4"):
        mocked.post(f"{base()}//trigger/{cid}", json=kore_stopped())
    result, _ = run(KoreStopCampaignOperator(task_id="stop", all_active=True, name_contains="Promo"))
    assert stops(mocked) == ["cd-1", "cd-4"]
    assert result["totals"] == {"stopped": 2, "already_final": 0, "would_stop": 0, "failed": 0, "failed_targets": 0}
    assert list_bodies(mocked) == [
        {"type": "sms", "limit": 100, "skip": 0, "page": 1, "sortBy": {"createdAt": "asc"}, "filters": {"status": ACTIVE}}
    ]
    list_call = mocked.calls[0].request
    assert list_call.headers["iid"] == KORE_STREAM and list_call.url == f"{base()}/getAllCampaignDetails?accountId={KORE_ACCOUNT}"


def test_all_active_follows_the_list_pages(mocked):
    page1 = listing(*(campaign(f"cd-{i}", "Active") for i in range(100)), more=True, total=101)
    page2 = listing(campaign("cd-100", "Paused"), skip=100, total=101)
    mocked.post(f"{base()}/getAllCampaignDetails", json=page1)
    mocked.post(f"{base()}/getAllCampaignDetails", json=page2)
    for i in range(101):
        mocked.post(f"{base()}/cd-{i}/status", json=kore_status_body("Active", f"cd-{i}"))
    result, _ = run(KoreStopCampaignOperator(task_id="stop", all_active=True, dry_run=True))
    assert [body["skip"] for body in list_bodies(mocked)] == [0, 100]
    assert len(ids_of(result, "would_stop")) == 101 and ids_of(result)[-1] == "cd-100"


def test_all_active_stops_a_campaign_listed_twice_once(mocked):
    mocked.post(f"{base()}/getAllCampaignDetails", json=listing(campaign("cd-1"), campaign("cd-2"), campaign("cd-1")))
    for cid in ("cd-1", "cd-2"):
        mocked.post(f"{base()}//trigger/{cid}", json=kore_stopped())
    result, _ = run(KoreStopCampaignOperator(task_id="stop", all_active=True))
    assert sorted(stops(mocked)) == ["cd-1", "cd-2"], "each once (stops run concurrently: their order is not fixed)"
    assert result["totals"]["stopped"] == 2


def test_all_active_dry_run_lists_and_stops_nothing(mocked):
    mocked.post(
        f"{base()}/getAllCampaignDetails", json=listing(campaign("cd-1"), campaign("cd-2", "Completed"), campaign("cd-3", "Paused"))
    )
    mocked.post(f"{base()}/cd-1/status", json=kore_status_body("Active", "cd-1"))
    mocked.post(f"{base()}/cd-3/status", json=kore_status_body("Paused", "cd-3"))
    result, _ = run(KoreStopCampaignOperator(task_id="stop", all_active=True, dry_run=True))
    assert stops(mocked) == []
    assert result["dry_run"] is True and ids_of(result, "would_stop") == ["cd-1", "cd-3"]


def test_all_active_with_nothing_active_returns_zero_totals(mocked):
    mocked.post(f"{base()}/getAllCampaignDetails", json=listing())
    result, _ = run(KoreStopCampaignOperator(task_id="stop", all_active=True))
    assert stops(mocked) == [] and result["campaigns"] == []


def test_all_active_uses_the_operator_stream_and_status_map(mocked):
    mocked.post(f"{base('st-op')}/getAllCampaignDetails", json=listing(campaign("cd-1", "Archived"), campaign("cd-2", "Warming")))
    op = KoreStopCampaignOperator(
        task_id="stop", all_active=True, stream_id="st-op", dry_run=True, status_map={"Warming": "active", "Archived": "completed"}
    )
    mocked.post(f"{base('st-op')}/cd-2/status", json=kore_status_body("Warming", "cd-2"))
    result, _ = run(op)
    assert ids_of(result, "would_stop") == ["cd-2"]
    assert list_bodies(mocked)[0]["filters"] == {"status": [*ACTIVE, "Warming"]}
    assert mocked.calls[0].request.headers["iid"] == "st-op"


def test_all_active_fails_naming_a_listed_id_it_cannot_address(mocked):
    """A listed campaign the provider cannot address is not skipped quietly: it would keep sending."""
    from airflow_provider_campaigns.exceptions import PermanentError

    mocked.post(f"{base()}/getAllCampaignDetails", json=listing(campaign(".."), campaign("cd-1")))
    with pytest.raises(PermanentError, match="cannot address"):
        run(KoreStopCampaignOperator(task_id="stop", all_active=True))
    assert stops(mocked) == []


def test_all_active_stops_what_kores_documented_list_names(mocked, documented):
    """Kore's own SMS list example (get-all-campaigns-v2.md), served verbatim: its six ``Ready`` campaigns are stopped,
    the ``Stopped`` one is not."""
    mocked.post(f"{base()}/getAllCampaignDetails", body=documented("kore/list-sms-200-v2.json"), content_type="application/json")
    listed = json.loads(documented("kore/list-sms-200-v2.json"))["data"]["results"]
    ready = [row["id"] for row in listed if row["status"] == "Ready"]
    for cid in ready:
        mocked.post(f"{base()}//trigger/{cid}", body=documented("kore/stop-200-v2.json"), content_type="application/json")
    result, _ = run(KoreStopCampaignOperator(task_id="stop", all_active=True))
    assert sorted(stops(mocked)) == sorted(ready) and len(ready) == 6
    assert result["totals"]["stopped"] == 6 and result["totals"]["failed"] == 0


def test_all_active_fails_in_seconds_on_a_drifted_list(mocked):
    """A list answer that lacks Kore's documented ``data.results``/``hasMore`` fails the task at once, with no task retry:
    before, it was retried for the whole budget and the task said "the vendor may be degraded"."""
    from airflow.providers.common.compat.sdk import AirflowFailException

    from airflow_provider_campaigns.exceptions import TransientError

    mocked.post(f"{base()}/getAllCampaignDetails", json={"status": "success", "data": [campaign("cd-1")], "moreAvailable": False})
    with pytest.raises(AirflowFailException, match=r"contradicts its documentation: no 'data' object.*get-all-campaigns-v2\.md") as raised:
        run(KoreStopCampaignOperator(task_id="stop", all_active=True))
    assert not isinstance(raised.value, TransientError)
    assert len(list_bodies(mocked)) == 1 and stops(mocked) == []


def test_a_dry_run_on_a_list_path_kore_does_not_serve_fails_at_once(mocked):
    """A 404 on the list path the client built is a contract/path problem, not "campaign not found", not transient."""
    from airflow.providers.common.compat.sdk import AirflowFailException

    from airflow_provider_campaigns.exceptions import CampaignNotFoundError, TransientError

    mocked.post(f"{base()}/getAllCampaignDetails", status=404, json={"errors": [{"msg": "Route not found", "code": 404}]})
    with pytest.raises(AirflowFailException, match=r"does not serve POST .*getAllCampaignDetails \(campaign list\): HTTP 404") as raised:
        run(KoreStopCampaignOperator(task_id="stop", all_active=True, dry_run=True))
    assert not isinstance(raised.value, (CampaignNotFoundError, TransientError)) and "Check the campaign id" not in str(raised.value)
    assert len(mocked.calls) == 1


def test_a_dry_run_whose_status_reads_drifted_fails_at_once(mocked):
    from airflow_provider_campaigns.exceptions import ContractError

    mocked.post(f"{base()}/cd-1/status", json={"status": "success", "campaign": {"id": "cd-1", "status": "Active"}})
    with pytest.raises(ContractError, match=r"get-campaign-status-v2\.md"):
        run(KoreStopCampaignOperator(task_id="stop", campaign_id="cd-1", dry_run=True))
    assert len(mocked.calls) == 1 and stops(mocked) == []


def test_name_contains_is_templated():
    assert "name_contains" in KoreStopCampaignOperator.template_fields


def test_all_active_without_any_stream_fails_before_sending(kore_conn, kore_extra):
    kore_conn(extra={**kore_extra, "stream_id": None})
    with responses.RequestsMock() as rsps, pytest.raises(InvalidInputError, match="stream_id"):
        run(KoreStopCampaignOperator(task_id="stop", all_active=True))
    assert len(rsps.calls) == 0
