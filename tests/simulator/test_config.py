"""Strict by default; lenient and page caps from Python, the control API and the command line."""

from __future__ import annotations

import pytest

from airflow_provider_campaigns.simulator import Simulator
from airflow_provider_campaigns.simulator.__main__ import parse_args
from airflow_provider_campaigns.simulator.config import SimConfig


def test_strict_is_the_default():
    assert Simulator().config.as_dict() == {"strict": True, "wind_down": 0.0, "page_caps": {}, "drift": {}, "traffic": {}}
    assert Simulator(strict=False, page_caps={"bsg": 40}).config.as_dict()["page_caps"] == {"bsg": 40}


@pytest.mark.parametrize(
    "changes",
    [
        {"strict": "no"},
        {"wind_down": -1},
        {"traffic": {"kore": 0}},
        {"traffic": {"twilio": 1}},
        {"page_caps": {"twilio": 5}},
        {"page_caps": {"bsg": 0}},
        {"page_caps": [1]},
        {"colour": 1},
    ],
)
def test_invalid_settings_change_nothing(changes):
    config = SimConfig(page_caps={"kore": 3})
    with pytest.raises(ValueError):
        config.update(**{"wind_down": 2, **changes})
    assert config.as_dict() == {"strict": True, "wind_down": 0.0, "page_caps": {"kore": 3}, "drift": {}, "traffic": {}}


def test_control_api_reads_and_changes_the_settings(simulator, client, call):
    base = simulator.url + "/_sim/config"
    assert call(base).json() == {"strict": True, "wind_down": 0.0, "page_caps": {}, "drift": {}, "traffic": {}}
    cid = simulator.add_campaign("bsg", channel="sms")
    assert client.bsg("PUT", f"/api/campaigns/{cid}/stop").status == 405
    changed = call(base, "POST", {"strict": False, "wind_down": 0.5, "page_caps": {"comm": 7}}).json()
    assert changed == {"strict": False, "wind_down": 0.5, "page_caps": {"comm": 7}, "drift": {}, "traffic": {}}
    assert simulator.config.strict is False
    assert call(base, "POST", {"strict": "maybe"}).status == 400
    assert call(base).json()["strict"] is False
    simulator.config.update(wind_down=0)
    assert client.bsg("PUT", f"/api/campaigns/{cid}/stop").status == 200


def test_cli_flags():
    args = parse_args(["--lenient", "--page-cap", "bsg=40", "--page-cap", "kore=2"])
    assert args.lenient is True and dict(args.page_cap) == {"bsg": 40, "kore": 2}
    assert parse_args([]).lenient is False


@pytest.mark.parametrize("bad", ["bsg", "bsg=0", "twilio=5", "bsg=x"])
def test_cli_refuses_bad_page_caps(bad):
    with pytest.raises(SystemExit):
        parse_args(["--page-cap", bad])
