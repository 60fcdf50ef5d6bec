"""Messages in flight: campaigns send at a rate until their audience is used up, stops halt them after their wind-down,
every vendor reports progress only in its documented fields, and the simulator counts messages sent after a moment."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from airflow_provider_campaigns.simulator import Simulator
from airflow_provider_campaigns.simulator.__main__ import parse_args
from airflow_provider_campaigns.simulator.clock import ManualClock, iso_ms, iso_us, plain
from airflow_provider_campaigns.simulator.traffic import Flow, TrafficSetting, moment, parse_traffic

T0 = 1_800_000_000.0


def test_a_flow_sends_one_message_every_one_over_rate_seconds_until_its_audience_is_used_up():
    flow = Flow(rate=10, audience=25, start=100.0)
    assert flow.sent_by(100.0) == 0  # message 0 goes out at 100.0: not strictly before it
    assert flow.sent_by(100.05) == 1
    assert flow.sent_by(100.1) == 1 and flow.sent_by(100.1000001) == 2
    assert flow.sent_by(102.4) == 24 and flow.sent_by(103.0) == 25 and flow.sent_by(1e12) == 25
    assert flow.end == pytest.approx(102.4)


def test_a_halt_keeps_only_the_messages_due_before_it():
    flow = Flow(rate=10, audience=25, start=100.0)
    assert flow.sent_by(200.0, halt=100.5) == 5
    assert flow.sent_between(100.2, 200.0, halt=100.5) == 3  # messages at 100.2, 100.3, 100.4
    assert flow.sent_by(200.0, halt=99.0) == 0


def test_a_single_scheduled_message_goes_out_at_its_time_unless_halted_before():
    message = Flow(rate=math.inf, audience=1, start=50.0)
    assert (message.sent_by(50.0), message.sent_by(50.001)) == (0, 1)
    assert message.sent_by(60.0, halt=50.0) == 0 and message.sent_by(60.0, halt=50.5) == 1


@pytest.mark.parametrize("bad", [{"rate": 0, "audience": 1, "start": 0.0}, {"rate": 1, "audience": -1, "start": 0.0}])
def test_a_flow_refuses_nonsense(bad):
    with pytest.raises(ValueError):
        Flow(**bad)


def test_moments_are_epoch_numbers_or_iso_dates():
    assert moment(T0) == T0 and moment(str(T0)) == T0
    assert moment(iso_ms(T0)) == T0 and moment("2027-01-15T08:00:00+00:00") == moment("2027-01-15 08:00:00")
    with pytest.raises(ValueError):
        moment("yesterday")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def sim(clock: ManualClock) -> Iterator[Simulator]:
    with Simulator(clock=clock) as running:
        yield running


@pytest.fixture
def client(sim, make_client):
    """A raw HTTP client for ``sim`` (the one on the manual clock)."""
    return make_client(sim)


@pytest.mark.parametrize(
    ("vendor", "running", "done"), [("bsg", "sending", "done"), ("kore", "Active", "Completed"), ("comm", "in_progress", "completed")]
)
def test_a_running_campaign_sends_at_its_rate_and_is_done_when_its_audience_is_used_up(sim, clock, vendor, running, done):
    campaign = sim.add_campaign(vendor, rate=10, audience=30)
    key = campaign[1] if vendor == "comm" else campaign
    clock.advance(1.05)
    assert sim.sent(vendor, key) == 11 and sim.campaign(vendor, key)["status"] == running
    clock.advance(2.0)
    assert sim.sent(vendor, key) == 30 and sim.campaign(vendor, key)["status"] == done
    assert sim.sent(vendor, key, at=T0 + 0.55) == 6  # its count over time


@pytest.mark.parametrize(
    ("vendor", "scheduled", "running"),
    [("bsg", "scheduled", "sending"), ("kore", "Scheduled", "Active"), ("comm", "scheduled", "in_progress")],
)
def test_a_scheduled_campaign_starts_sending_at_its_start_time(sim, clock, vendor, scheduled, running):
    campaign = sim.add_campaign(vendor, rate=2, audience=100, starts_in=60)
    key = campaign[1] if vendor == "comm" else campaign
    clock.advance(59.9)
    assert sim.sent(vendor, key) == 0 and sim.campaign(vendor, key)["status"] == scheduled
    clock.advance(1.2)
    assert sim.sent(vendor, key) == 3 and sim.campaign(vendor, key)["status"] == running


def test_an_accepted_stop_halts_the_traffic_when_its_wind_down_ends(clock, make_client):
    with Simulator(clock=clock, wind_down=2.0) as sim:
        client = make_client(sim)
        campaign = sim.add_campaign("kore", rate=10, audience=1000)
        clock.advance(1.0)
        assert client.kore_stop(campaign).status == 200
        clock.advance(5.0)
        assert sim.sent("kore", campaign) == 30  # 1 s before the stop + 2 s of wind-down
        assert sim.campaign("kore", campaign)["status"] == "Stopped"
        row = sim.traffic(after=T0)["campaigns"][0]
        assert (row["stopped_at"], row["halt"]) == (T0 + 1.0, T0 + 3.0)


def test_a_message_due_during_the_wind_down_of_its_cancel_goes_out_and_reads_sent(clock, make_client):
    with Simulator(clock=clock, wind_down=1.0) as sim:
        client = make_client(sim)
        early, late = sim.add_campaign("cellcast", rate=1, recipients=3)[1:]  # due at +1 s and +2 s
        clock.advance(0.5)
        assert client.cellcast_cancel(early).json()["status"] and client.cellcast_cancel(late).json()["status"]
        clock.advance(2.0)
        assert [(sim.campaign("cellcast", i)["status"], sim.sent("cellcast", i)) for i in (early, late)] == [("sent", 1), ("canceled", 0)]


def test_a_cellcast_campaign_schedules_its_messages_one_over_rate_apart_and_a_cancel_saves_the_ones_not_yet_due(sim, clock, client):
    ids = sim.add_campaign("cellcast", rate=4, recipients=8, custom_string="promo")
    schedule = [sim.campaign("cellcast", i)["scheduleAt"] for i in ids]
    assert schedule == [iso_ms(T0 + k / 4) for k in range(8)]
    clock.advance(0.6)  # messages 0, 1 and 2 are due by now
    assert [sim.campaign("cellcast", i)["status"] for i in ids[:4]] == ["sent", "sent", "sent", "scheduled"]
    for message_id in ids[2:]:
        assert client.cellcast_cancel(message_id).json()["status"] == (message_id != ids[2])
    clock.advance(10)
    assert [sim.sent("cellcast", i) for i in ids] == [1, 1, 1, 0, 0, 0, 0, 0]
    assert sim.campaign("cellcast", ids[0])["send_time"] == iso_ms(T0)


def test_each_vendor_reports_progress_only_in_its_documented_fields(sim, clock, client, documented):
    bsg = sim.add_campaign("bsg", rate=10, audience=500)
    kore = sim.add_campaign("kore", rate=10, audience=500)
    comm_campaign, comm_send = sim.add_campaign("comm", rate=10, audience=500)
    clock.advance(2.0)
    token = client.bsg_login()
    one = client.bsg("GET", f"/api/campaigns/{bsg}", token).json()["data"]
    listed = client.bsg("GET", "/api/campaigns", token).json()["data"][0]
    assert one["statistics"] == listed["statistics"] == {"sent": 20, "delivered": 18}
    assert client.bsg("GET", f"/api/campaigns/{bsg}/detail", token).json()["data"]["total_messages"] == 500
    rows = client.kore("POST", "/getAllCampaignDetails", body={"type": "sms"}).json()["data"]["results"]
    assert [(row["id"], row["totalMessagesSent"]) for row in rows] == [(kore, 20)]
    progress = client.comm("GET", f"/api/v1/sms/campaigns/{comm_campaign}").json()["data"]["meta"]["multistep_status"]
    assert (progress["total_sent"], progress["total_available_contacts"]) == (20, 500)
    stopped = client.comm_stop(comm_campaign, comm_send).json()["data"]["meta"]["multistep_status"]
    assert stopped["total_sent"] == 20
    assert not documented("bsg_campaign_200").problems(client.bsg("GET", f"/api/campaigns/{bsg}", token).json())
    assert not documented("kore_list_200").problems(client.kore("POST", "/getAllCampaignDetails", body={"type": "sms"}).json())


def test_scheduled_campaigns_say_when_they_start_in_their_documented_fields(sim, client):
    bsg = sim.add_campaign("bsg", rate=10, audience=100, starts_in=90)
    campaign, _ = sim.add_campaign("comm", rate=10, audience=100, starts_in=90)
    data = client.bsg("GET", f"/api/campaigns/{bsg}").json()["data"]
    assert (data["status"], data["start_at"], data["real_start_at"]) == ("scheduled", plain(T0 + 90), None)
    meta = client.comm("GET", f"/api/v1/sms/campaigns/{campaign}").json()["data"]["meta"]
    assert meta["manual_data"]["send_datetime"] == iso_us(T0 + 90) and meta["multistep_status"]["start_timestamp"] is None
    assert meta["multistep_status"]["status"] == "scheduled"  # a campaign whose only send waits is not sending


def test_the_simulator_counts_messages_sent_after_a_moment_per_campaign_per_vendor_and_in_total(sim, clock, client):
    bsg = sim.add_campaign("bsg", rate=10, audience=1000)
    kore = sim.add_campaign("kore", rate=5, audience=1000, starts_in=1.0)
    sim.add_campaign("bsg")  # no traffic: not counted
    clock.advance(2.0)
    assert client.kore_stop(kore).status == 200
    clock.advance(2.0)
    counted = sim.traffic(after=T0 + 1.0)
    assert {row["id"]: (row["sent"], row["sent_after"]) for row in counted["campaigns"]} == {str(bsg): (40, 30), kore: (5, 5)}
    assert counted["vendors"] == {
        "bsg": {"campaigns": 1, "sent": 40, "sent_after": 30},
        "kore": {"campaigns": 1, "sent": 5, "sent_after": 5},
    }
    assert (counted["sent"], counted["sent_after"], counted["until"]) == (45, 35, T0 + 4.0)
    assert sim.traffic(after=T0, until=T0 + 1.0)["sent_after"] == 10
    over_http = client_call(sim, f"/traffic?after={iso_ms(T0 + 1.0)}")
    assert over_http["sent_after"] == 35 and over_http["vendors"]["kore"]["sent_after"] == 5
    assert client_call(sim, f"/traffic/bsg/{bsg}?at={T0 + 1.0}") == {"sent": 10}


def client_call(sim: Simulator, path: str, method: str = "GET", body: object = None) -> object:
    from tests.simulator.conftest import call

    answer = call(f"{sim.url}/_sim{path}", method, body)
    assert answer.status == 200, answer.body
    return answer.json()


def test_the_control_api_sets_traffic_and_refuses_bad_questions(sim, clock, call):
    settings = client_call(sim, "/traffic", "POST", {"vendor": "kore", "rate": 4, "audience": 40})
    assert settings == {"kore": {"rate": 4.0, "audience": 40}}
    kore = call(f"{sim.url}/_sim/campaigns", "POST", {"vendor": "kore"}).json()["id"]
    silent = call(f"{sim.url}/_sim/campaigns", "POST", {"vendor": "kore", "rate": 0}).json()["id"]
    clock.advance(20)
    assert (sim.sent("kore", kore), sim.campaign("kore", kore)["status"]) == (40, "Completed")
    assert [row["id"] for row in sim.traffic(after=T0)["campaigns"]] == [kore] and sim.sent("kore", silent) == 0
    assert client_call(sim, "/traffic", "POST", {"vendor": "kore", "rate": None}) == {}
    for path in (
        "/traffic",
        "/traffic?after=yesterday",
        "/traffic/optimum?vendor=kore&after=0",
        "/traffic/optimum?vendor=nobody&rate=1&after=0",
    ):
        assert call(f"{sim.url}/_sim{path}").status == 400, path
    assert call(f"{sim.url}/_sim/traffic", "POST", {"vendor": "kore", "rate": -1}).status == 400
    assert call(f"{sim.url}/_sim/traffic/kore/cd-nope").status == 404


def test_the_control_api_answers_the_optimum_for_a_pace(sim, clock):
    loud = sim.add_campaign("kore", rate=10, audience=1000)
    quiet = sim.add_campaign("kore", rate=1, audience=1000)
    later = sim.add_campaign("kore", rate=10, audience=1000, starts_in=600)
    best = client_call(sim, f"/traffic/optimum?vendor=kore&rate=1&after={T0}")
    # loud in slot 0 (0 messages), quiet in slot 1 (1), later anywhere (it starts after every slot)
    assert best == {
        "vendor": "kore",
        "rate": 1.0,
        "after": T0,
        "start": T0,
        "campaigns": 3,
        "messages": 1,
        "last_stop": 2.0,
        "order": [loud, quiet, later],
    }
    assert sim.optimum("kore", 1, T0)["messages"] == 1
    late = sim.optimum("kore", 1, T0, start=T0 + 2.0)  # the first stop lands 2 s after the moment counted from
    assert (late["start"], late["messages"], late["order"][0]) == (T0 + 2.0, 20 + 3, loud)
    with pytest.raises(ValueError):
        sim.optimum("kore", 1, T0, start=T0 - 1)


def test_traffic_is_set_from_python_the_command_line_and_the_config(clock):
    assert parse_traffic("10") == ("*", TrafficSetting(10.0, 1000))
    assert parse_traffic("kore=2,audience=600") == ("kore", TrafficSetting(2.0, 600))
    for bad in ("fast", "kore=1,size=3", "kore=0"):
        with pytest.raises(ValueError):
            parse_traffic(bad)
    assert parse_args(["--traffic", "bsg=5", "--traffic", "1,audience=9"]).traffic == [
        ("bsg", TrafficSetting(5.0)),
        ("*", TrafficSetting(1.0, 9)),
    ]
    sim = Simulator(clock=clock, traffic={"*": 3, "bsg": {"rate": 5, "audience": 50}})
    assert sim.config.as_dict()["traffic"] == {
        "bsg": {"rate": 5.0, "audience": 50},
        "cellcast": {"rate": 3.0, "audience": 1000},
        "comm": {"rate": 3.0, "audience": 1000},
        "kore": {"rate": 3.0, "audience": 1000},
    }
    sim.set_traffic("*", None)
    assert sim.config.traffic == {}
    with pytest.raises(ValueError):
        Simulator(traffic={"nobody": 1})


def test_a_comm_send_is_counted_under_its_campaign_and_send_ids(sim, clock):
    campaign, send = sim.add_campaign("comm", rate=10, audience=100)
    clock.advance(1.05)
    assert [row["id"] for row in sim.traffic(after=T0)["campaigns"]] == [f"{campaign}/{send}"]
    assert client_call(sim, f"/traffic/comm/{campaign}/{send}") == {"sent": 11} == client_call(sim, f"/traffic/comm/{send}")
    assert sim.optimum("comm", 20, T0)["order"] == [f"{campaign}/{send}"]
