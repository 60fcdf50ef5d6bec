"""CampaignKillSwitchOperator against the simulator (real sockets): every vendor in one task."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from airflow.providers.common.compat.sdk import AirflowException, AirflowFailException, TaskDeferred

from airflow_provider_campaigns.exceptions import InvalidInputError
from airflow_provider_campaigns.operators.kill_switch import CampaignKillSwitchOperator
from airflow_provider_campaigns.simulator import Simulator
from tests.conftest import FAILURE_KINDS, MemoryStore, break_kill_switch


@pytest.fixture
def sim(simulated):
    return simulated(latency=0.05)


def seed(sim: Simulator, count: int = 3) -> dict[str, Any]:
    return {
        "bsg": {"campaign_ids": [sim.add_campaign("bsg", status="sending") for _ in range(count)]},
        "cellcast": {"message_ids": [sim.add_campaign("cellcast", status="scheduled")[0] for _ in range(count)]},
        "comm": {"campaign_sends": ["/".join(sim.add_campaign("comm", status="in_progress")) for _ in range(count)]},
        "kore": {"campaign_ids": [sim.add_campaign("kore", status="Active") for _ in range(count)]},
    }


def stops(sim: Simulator) -> int:
    markers = ("/stop", "cancelScheduleQuickMessage", "//trigger/")
    return sum(1 for r in sim.requests() if r["method"] in ("PATCH", "PUT", "POST") and any(m in r["path"] for m in markers))


@pytest.mark.parametrize("as_json", [False, True], ids=["dict", "json-text"])
def test_stops_every_vendor_in_one_task(sim, ti, as_json):
    targets = seed(sim)
    result = CampaignKillSwitchOperator(task_id="kill", targets=json.dumps(targets) if as_json else targets).execute({"ti": ti})
    assert result["totals"] == {"stopped": 12, "already_final": 0, "would_stop": 0, "failed": 0, "failed_targets": 0}
    assert [c["vendor"] for c in result["campaigns"]] == ["bsg"] * 3 + ["cellcast"] * 3 + ["comm"] * 3 + ["kore"] * 3
    assert stops(sim) == 12


def test_vendors_are_stopped_concurrently(sim, ti):
    targets = seed(sim, count=8)
    CampaignKillSwitchOperator(task_id="kill", targets=targets, max_concurrency=1).execute({"ti": ti})
    spans = {}
    for vendor in ("bsg", "cellcast", "comm", "kore"):
        times = [r["time"] for r in sim.requests(vendor) if r["method"] != "GET" and "login" not in r["path"]]
        spans[vendor] = (min(times), max(times))
    latest_start = max(start for start, _ in spans.values())
    earliest_end = min(end for _, end in spans.values())
    assert latest_start < earliest_end, f"every vendor's stops overlap in time: {spans}"


@pytest.mark.parametrize(
    ("targets", "match"),
    [
        ({"bsg": {"campaign_ids": [1]}, "sms77": {"campaign_ids": [1]}}, "unknown vendor"),
        ({"bsg": {"campaign_ids": [1]}, "kore": {"campaign_ids": ["cp/1"]}}, "campaign_ids"),
        ({"bsg": {"campaign_ids": [1], "chanel": "sms"}}, "chanel"),
        ({"cellcast": {"message_ids": ["675161d8a000000000000000"], "send_status_path": "data.x"}}, "comm.com option"),
        ({"bsg": ["1"]}, "must be a dict"),
        ("not json", "JSON"),
        ({"comm": {"all_active": True, "campaign_sends": ["x/y"]}}, "exactly one"),
    ],
)
def test_the_whole_plan_is_validated_before_any_request(sim, ti, targets, match):
    with pytest.raises(InvalidInputError, match=match):
        CampaignKillSwitchOperator(task_id="kill", targets=targets).execute({"ti": ti})
    assert sim.requests() == [], "nothing is sent to any vendor"


def test_a_missing_connection_fails_before_any_request(sim, ti):
    targets = {"bsg": {"campaign_ids": [1]}, "kore": {"campaign_ids": ["cd-1"], "conn_id": "kore_nowhere"}}
    with pytest.raises(AirflowFailException, match="kore_nowhere"):
        CampaignKillSwitchOperator(task_id="kill", targets=targets).execute({"ti": ti})
    assert sim.requests() == []


def test_a_failure_at_one_vendor_names_it_and_every_other_campaign_is_attempted(sim, ti):
    from airflow_provider_campaigns.engine.results import RESULT_KEY

    targets = {"bsg": {"campaign_ids": [999999]}, "kore": {"campaign_ids": [sim.add_campaign("kore", status="Active")]}}
    with pytest.raises(AirflowFailException, match="bsg 999999"):
        CampaignKillSwitchOperator(task_id="kill", targets=targets).execute({"ti": ti})
    assert [c["outcome"] for c in ti.xcoms[RESULT_KEY]["campaigns"]] == ["failed", "stopped"]


def test_a_dry_run_returns_a_plan_and_the_plan_stops_exactly_its_campaigns(sim, ti):
    running = sim.add_campaign("kore", status="Active", name="promo one")
    finished = sim.add_campaign("kore", status="Completed", name="promo done")
    plan = CampaignKillSwitchOperator(task_id="plan", targets={"kore": {"campaign_ids": [running, finished]}}, dry_run=True).execute(
        {"ti": ti}
    )
    assert [(c["campaign_id"], c["outcome"], c["name"]) for c in plan["campaigns"]] == [
        (running, "would_stop", "promo one"),
        (finished, "already_final", "promo done"),
    ]
    assert stops(sim) == 0
    reads_before = len(sim.requests("kore"))
    result = CampaignKillSwitchOperator(task_id="stop", plan=json.dumps(plan)).execute({"ti": ti})
    assert [(c["campaign_id"], c["outcome"]) for c in result["campaigns"]] == [(running, "stopped"), (finished, "already_final")], (
        "in the plan's order"
    )
    assert [c["name"] for c in result["campaigns"]] == ["promo one", "promo done"], "Kore's stop answer has no name: the plan's is kept"
    kore_paths = [r["path"] for r in sim.requests("kore")[reads_before:]]
    assert kore_paths == [f"/campaign/api/v2/public/{sim.credentials.kore_stream_id}/campaign//trigger/{running}"], (
        "one stop, no read of the final one"
    )


def test_an_empty_plan_is_a_successful_no_op(sim, ti):
    empty = {"campaigns": [], "totals": {}, "dry_run": True}
    assert CampaignKillSwitchOperator(task_id="stop", plan=empty).execute({"ti": ti})["campaigns"] == []
    assert sim.requests() == []


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"targets": {"bsg": {"campaign_ids": [1]}}, "plan": {"campaigns": []}}, "exactly one of targets"),
        ({}, "exactly one of targets"),
        ({"plan": {"campaigns": [{"vendor": "bsg"}]}}, "lacks"),
        ({"plan": {"nope": 1}}, "dry run"),
        ({"plan": {"campaigns": []}, "dry_run": True}, "already a dry run"),
    ],
)
def test_bad_plans_fail_before_any_request(sim, ti, kwargs, match):
    with pytest.raises(InvalidInputError, match=match):
        CampaignKillSwitchOperator(task_id="stop", **kwargs).execute({"ti": ti})
    assert sim.requests() == []


def test_each_vendor_may_name_its_connection(sim, ti, monkeypatch):
    conn = sim.connections()["bsg_default"]
    monkeypatch.setenv("AIRFLOW_CONN_BSG_EU", json.dumps({**conn, "extra": {**conn["extra"]}}))
    campaign = sim.add_campaign("bsg", status="sending")
    result = CampaignKillSwitchOperator(task_id="kill", targets={"bsg": {"campaign_ids": [campaign], "conn_id": "bsg_eu"}}).execute(
        {"ti": ti}
    )
    assert result["campaigns"][0]["conn_id"] == "bsg_eu" and result["campaigns"][0]["outcome"] == "stopped"


def test_a_deferred_wait_covers_every_vendor_in_one_trigger(sim, ti):
    targets = seed(sim, count=1)
    op = CampaignKillSwitchOperator(task_id="kill", targets=targets, wait_for_completion=True, deferrable=True, poll_interval=1)
    sim.inject(None, fault="status", status=503, times=None, path=r"(/api/campaigns/\d+$|/report/message/|/sms/campaigns/[^/]+$|/status$)")
    with pytest.raises(TaskDeferred) as deferred:
        op.execute({"ti": ti})
    _, kwargs = deferred.value.trigger.serialize()
    assert [g["vendor"] for g in kwargs["groups"]] == ["bsg", "cellcast", "comm", "kore"]
    secrets = [
        sim.credentials.bsg_api_key,
        sim.credentials.cellcast_api_key,
        sim.credentials.comm_token,
        sim.credentials.kore_client_secret,
    ]
    assert not any(secret in json.dumps(kwargs) for secret in secrets)


def test_fast_task_retries_by_default():
    op = CampaignKillSwitchOperator(task_id="kill", targets={})
    assert op.retries == 3 and op.retry_delay.total_seconds() == 5


@pytest.fixture
def variables(journal_store: MemoryStore) -> dict[str, Any]:
    """What the stop journal keeps in its Airflow Variables."""
    return journal_store.saved


def real_ti(try_number: int = 1, max_tries: int = 3) -> Any:
    from tests.conftest import FakeTI

    return FakeTI(dag_id="ks", run_id="manual__1", task_id="stop_campaigns", map_index=-1, try_number=try_number, max_tries=max_tries)


def stop_and_wait(*bsg_ids: Any, **options: Any) -> CampaignKillSwitchOperator:
    """The kill switch of :func:`real_ti`'s task: stop these BSG campaigns, then wait for them to be final."""
    return CampaignKillSwitchOperator(
        task_id="stop_campaigns", targets={"bsg": {"campaign_ids": list(bsg_ids)}}, wait_for_completion=True, **options
    )


def test_a_permanent_failure_waits_for_the_stopped_campaigns_then_fails_with_their_final_states(sim, variables):
    winding = sim.add_campaign("bsg", status="sending", wind_down=0.3)
    ti = real_ti()
    op = stop_and_wait(winding, 987654, poll_interval=0.1, timeout=10)
    with pytest.raises(AirflowFailException, match="987654"):
        op.execute({"ti": ti})
    entries = {c["campaign_id"]: c for c in ti.xcoms["campaigns_result"]["campaigns"]}
    assert (entries[str(winding)]["outcome"], entries[str(winding)]["state"]) == ("stopped", "stopped"), "final, not 'active'"
    assert entries["987654"]["outcome"] == "failed"
    assert variables == {}, "no retry follows a permanent failure: the journal is deleted, not leaked"


def test_a_deferred_wait_carries_the_stop_failure_to_execute_complete(sim, variables):
    winding = sim.add_campaign("bsg", status="sending", wind_down=5)
    ti = real_ti()
    op = stop_and_wait(winding, 987654, deferrable=True, poll_interval=1, timeout=10)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute({"ti": ti})
    stop_failure = deferred.value.kwargs["stop_failure"]
    assert stop_failure["permanent"] is True and "987654" in stop_failure["message"]
    assert variables, "kept for execute_complete"
    statuses = [{"vendor": "bsg", "conn_id": "bsg_default", "campaign_id": str(winding), "state": "stopped", "vendor_status": "stopped"}]
    event = {"status": "success", "message": "all final", "statuses": statuses}
    with pytest.raises(AirflowFailException, match="987654"):
        op.execute_complete({"ti": ti}, event, **deferred.value.kwargs)
    assert ti.xcoms["campaigns_result"]["totals"]["failed"] == 1
    assert variables == {}


def test_a_transient_failure_before_the_last_try_fails_at_once_for_a_fast_retry(sim, variables):
    winding = sim.add_campaign("bsg", status="sending", wind_down=30)
    stuck = sim.add_campaign("bsg", status="sending")
    sim.inject("bsg", "status", status=503, times=None, path=f"/api/campaigns/{stuck}/stop$")
    ti = real_ti(try_number=1, max_tries=3)
    op = stop_and_wait(winding, stuck, poll_interval=0.1, timeout=60, stop_timeout=0.5)
    with pytest.raises(Exception, match=str(stuck)) as failed:
        op.execute({"ti": ti})
    assert not isinstance(failed.value, AirflowFailException), "Airflow retries it"
    assert sim.campaign("bsg", winding)["status"] == "sending", "did not wait out the 30 s wind-down"
    assert variables, "kept for the retry, which resumes and waits for every campaign"


def test_a_dry_run_that_cannot_read_a_campaign_says_so(sim, ti):
    readable = sim.add_campaign("bsg", status="sending")
    with pytest.raises(AirflowFailException, match="could not be read"):
        CampaignKillSwitchOperator(task_id="plan", targets={"bsg": {"campaign_ids": [readable, 987654, 987655]}}, dry_run=True).execute(
            {"ti": ti}
        )


def test_a_vendor_may_take_several_targets_such_as_both_bsg_channels(sim, ti):
    sms = sim.add_campaign("bsg", status="sending", channel="sms", name="storm sms")
    rcs = sim.add_campaign("bsg", status="sending", channel="rcs", name="storm rcs")
    mms = sim.add_campaign("cellcast", status="scheduled", custom_string="storm", channel="mms")
    targets = {
        "bsg": [{"all_active": True, "name_contains": "storm"}, {"all_active": True, "name_contains": "storm", "channel": "rcs"}],
        "cellcast": [{"custom_string": "storm"}, {"custom_string": "storm", "message_type": "mms"}],
    }
    result = CampaignKillSwitchOperator(task_id="stop", targets=json.dumps(targets)).execute({"ti": ti})
    assert sim.campaign("bsg", sms)["status"] == "stopped" and sim.campaign("bsg", rcs)["status"] == "stopped"
    assert all(sim.campaign("cellcast", m)["status"] == "canceled" for m in mms)
    assert result["totals"]["stopped"] == 2 + len(mms)


def test_a_bad_target_in_a_list_is_named_by_its_position(sim, ti):
    with pytest.raises(InvalidInputError, match=r"targets\['bsg'\]\[1\]"):
        CampaignKillSwitchOperator(task_id="stop", targets={"bsg": [{"campaign_ids": [1]}, "all"]}).execute({"ti": ti})
    assert sim.requests() == []


@pytest.mark.parametrize("kind", FAILURE_KINDS)
def test_every_way_of_failing_is_in_the_result_and_its_totals(sim, ti, kind, monkeypatch, task_log):
    """A target that fails before it selects anything is a failed target: never an invisible, green-looking result."""
    from airflow_provider_campaigns.engine.results import RESULT_KEY

    targets, good = break_kill_switch(sim, kind, monkeypatch)
    op = CampaignKillSwitchOperator(task_id="kill", targets=targets, stop_timeout=1.5, request_timeout=0.5)
    with pytest.raises(AirflowException) as raised:
        op.execute({"ti": ti})
    pushed = ti.xcoms[RESULT_KEY]
    assert pushed["totals"]["failed"] >= 1, pushed["totals"]
    assert sim.campaign("bsg", good)["status"] == "stopped", "the good target is still stopped"
    assert (str(good), "stopped") in [(c["campaign_id"], c["outcome"]) for c in pushed["campaigns"]]
    if kind == "partial_stop":
        assert pushed["failed_targets"] == [] and pushed["totals"]["failed"] == 1
        return
    (failed,) = pushed["failed_targets"]
    assert {key: failed[key] for key in ("vendor", "conn_id", "target", "asked")} == {
        "vendor": "kore",
        "conn_id": "kore_default",
        "target": "targets['kore']",
        "asked": {"all_active": True},
    }
    assert failed["error"]
    assert pushed["totals"]["failed"] == 1 and pushed["totals"]["failed_targets"] == 1
    assert "targets['kore']" in str(raised.value)
    out = task_log()
    assert "Failed targets: nothing selected, nothing stopped (1)" in out and "targets['kore']" in out
    assert "1 failed (1 target(s) that selected nothing, 0 campaign(s))" in out, "the log's totals say so"
    secret = json.loads(os.environ["AIRFLOW_CONN_KORE_DEFAULT"])["password"]
    assert secret not in json.dumps(pushed) and secret not in str(raised.value) and secret not in out


def test_two_failed_vendors_are_both_counted_in_separate_sentences(sim, ti):
    sim.inject("kore", "status", status=403, path="getAllCampaignDetails", times=None)
    sim.inject("bsg", "status", status=403, path="campaigns", method="GET", times=None)
    targets = {"bsg": {"all_active": True}, "kore": {"all_active": True}}
    with pytest.raises(AirflowException) as raised:
        CampaignKillSwitchOperator(task_id="kill", targets=targets, stop_timeout=1).execute({"ti": ti})
    message = str(raised.value)
    assert message.startswith("2 target(s) could not select their campaigns. targets['bsg'] (bsg, connection 'bsg_default'): ")
    assert ". targets['kore'] (kore, connection 'kore_default'): " in message
    assert "..targets" not in message and ":targets" not in message


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ({"campaign_id": [1, 2]}, "did you mean campaign_ids?"),
        ({"campaign_idss": [1, 2]}, "did you mean campaign_ids?"),
        ({"conn": "bsg_eu", "campaign_ids": [1]}, "did you mean conn_id?"),
    ],
)
def test_an_input_error_names_the_target_suggests_the_near_key_and_lists_every_key(sim, ti, target, says):
    with pytest.raises(InvalidInputError) as raised:
        CampaignKillSwitchOperator(task_id="kill", targets={"bsg": target}).execute({"ti": ti})
    message = str(raised.value)
    assert message.startswith("targets['bsg']: "), message
    assert says in message
    assert "campaign_ids" in message and "all_active" in message and "conn_id" in message and "status_map" in message
    assert sim.requests() == []


def test_listed_names_are_in_the_result_before_any_wait(sim, ti):
    """Kore.ai's and Cellcast's stop answers carry no name: the listing's names are used."""
    kore = sim.add_campaign("kore", status="Active", name="Winter promo")
    messages = sim.add_campaign("cellcast", status="scheduled", recipients=2, custom_string="promo-x")
    result = CampaignKillSwitchOperator(
        task_id="kill", targets={"kore": {"all_active": True}, "cellcast": {"custom_string": "promo-x"}}
    ).execute({"ti": ti})
    names = {c["campaign_id"]: c["name"] for c in result["campaigns"]}
    assert names[kore] == "Winter promo"
    assert all(names[m] == "promo-x" for m in messages)


def test_the_table_is_logged_once_when_the_wait_changes_nothing(sim, ti, task_log):
    campaign = sim.add_campaign("bsg", status="sending")  # stopped at once (no wind-down): nothing to wait for
    op = CampaignKillSwitchOperator(
        task_id="kill", targets={"bsg": {"campaign_ids": [campaign]}}, wait_for_completion=True, poll_interval=0.1
    )
    op.execute({"ti": ti})
    out = task_log()
    assert out.count("Campaigns:") == 1, out
    assert "Every campaign is as the table above shows" in out


def test_the_table_is_logged_again_when_the_wait_changed_a_state(sim, ti, task_log):
    campaign = sim.add_campaign("bsg", status="sending", wind_down=0.5)  # BSG keeps sending half a second after the stop
    op = CampaignKillSwitchOperator(
        task_id="kill", targets={"bsg": {"campaign_ids": [campaign]}}, wait_for_completion=True, poll_interval=0.2
    )
    result = op.execute({"ti": ti})
    assert result["campaigns"][0]["vendor_status"] == "stopped"
    assert task_log().count("Campaigns:") == 2


def test_order_as_given_is_a_kill_switch_parameter_and_templated(sim, ti):
    targets = seed(sim, count=2)
    operator = CampaignKillSwitchOperator(task_id="kill", targets=targets, order="{{ params.order }}")
    assert "order" in operator.template_fields
    operator.order = "as_given"  # as Airflow renders it
    result = operator.execute({"ti": ti})
    assert result["totals"]["stopped"] == 8


@pytest.mark.parametrize("order", ["loudest", "AS_GIVEN", 1, None])
def test_a_bad_order_fails_when_the_task_is_built(order):
    with pytest.raises(InvalidInputError, match="order must be 'loudest_first' or 'as_given'"):
        CampaignKillSwitchOperator(task_id="kill", targets={"bsg": {"campaign_ids": [1]}}, order=order)


def test_a_bad_rendered_order_fails_before_any_request(sim, ti):
    operator = CampaignKillSwitchOperator(task_id="kill", targets=seed(sim, count=1), order="{{ params.order }}")
    operator.order = "random"  # what a bad param renders to
    requests_before = len(sim.requests())
    with pytest.raises(InvalidInputError, match="order must be"):
        operator.execute({"ti": ti})
    assert len(sim.requests()) == requests_before, "nothing is sent to any vendor"
