"""The kill switch's trigger form: typed params per vendor, and the one mapping to targets."""

from __future__ import annotations

import pytest

from airflow_provider_campaigns.exceptions import InvalidInputError
from airflow_provider_campaigns.trigger_form import kill_switch_params, targets_for_run, targets_from_form


def form(**filled):
    """What the UI submits: every param's default, with the fields a person filled in."""
    values = {name: param.value for name, param in kill_switch_params().items()}
    values.update(filled)
    return values


def test_every_field_is_typed_described_and_in_its_vendors_section():
    params = kill_switch_params()
    assert params["vendors"].schema["items"]["enum"] == ["bsg", "cellcast", "comm", "kore"]
    for name, param in params.items():
        schema = param.schema
        assert schema.get("type") and param.description and schema.get("title"), name
        assert schema["type"] != "object" and "object" not in schema["type"], f"{name} would be a JSON box"
        if name != "vendors":
            assert schema["section"] in {"BSG", "Cellcast", "comm.com", "Kore.ai"}, name
    assert params["bsg_channel"].schema["enum"] == ["sms", "rcs"] and params["bsg_channel"].value == "sms"
    assert params["bsg_campaign_ids"].schema["items"] == {"type": "string", "pattern": r"^\s*[0-9]+\s*$"}
    assert "examples" not in params["bsg_campaign_ids"].schema, "examples would make the ids a pick-list of the examples"
    assert "Example: 1001, 1002" in params["bsg_campaign_ids"].description and params["kore_all_active"].schema["type"] == "boolean"


def test_the_form_validates_what_a_person_types():
    from airflow.providers.common.compat.sdk import ParamValidationError

    params = kill_switch_params()
    for name, bad in [("bsg_campaign_ids", ["12a"]), ("bsg_channel", "fax"), ("vendors", ["sms77"]), ("kore_conn_id", "a b")]:
        with pytest.raises(ParamValidationError):
            params[name].resolve(bad)
    assert params["bsg_campaign_ids"].resolve(["1001", "1002"]) == ["1001", "1002"]


def test_two_vendors_from_the_form_map_to_targets_without_json():
    targets = targets_from_form(
        form(
            vendors=["bsg", "kore"],
            bsg_campaign_ids=["1001", " 1002 ", ""],  # one per line; a trailing newline is an empty line
            kore_all_active=True,
            kore_name_contains="black friday",
            kore_conn_id="kore_eu",
        )
    )
    assert targets == {
        "bsg": {"campaign_ids": ["1001", "1002"], "channel": "sms"},
        "kore": {"all_active": True, "name_contains": "black friday", "conn_id": "kore_eu"},
    }


def test_cellcast_and_comm_fields():
    targets = targets_from_form(
        form(vendors=["cellcast", "comm"], cellcast_custom_string="bf-2026", cellcast_message_type="mms", comm_campaign_sends=["c/s"])
    )
    assert targets == {"cellcast": {"custom_string": "bf-2026", "message_type": "mms"}, "comm": {"campaign_sends": ["c/s"]}}


@pytest.mark.parametrize(
    ("filled", "message"),
    [
        ({"vendors": ["bsg"]}, "BSG is picked but its section names nothing to stop"),
        ({"kore_campaign_ids": ["k1"]}, "Kore.ai's section is filled in but Kore.ai is not among 'Vendors to stop'"),
        ({"vendors": ["bsg"], "bsg_campaign_ids": ["1"], "bsg_all_active": True}, "not both"),
        ({"vendors": ["comm"], "comm_campaign_sends": ["c/s"], "comm_name_contains": "x"}, "switch that on"),
        ({"vendors": ["sms77"]}, "unknown vendor"),
    ],
)
def test_a_form_that_says_something_unclear_fails_naming_the_vendor(filled, message):
    with pytest.raises(InvalidInputError, match=message):
        targets_from_form(form(**filled))


def test_the_rest_conf_keeps_working_exactly_as_documented():
    conf = {"bsg": {"campaign_ids": [1001], "channel": "sms"}, "kore": {"all_active": True}, "cellcast": None}
    assert targets_for_run(form(**conf), conf) == {"bsg": {"campaign_ids": [1001], "channel": "sms"}, "kore": {"all_active": True}}
    assert targets_for_run(form(), {"sms77": {"campaign_ids": [1]}}) == {"sms77": {"campaign_ids": [1]}}, "the operator names it"


def test_a_form_submission_maps_its_fields_and_an_empty_one_stops_nothing():
    submitted = form(vendors=["bsg"], bsg_campaign_ids=["5"])
    assert targets_for_run(submitted, submitted) == {"bsg": {"campaign_ids": ["5"], "channel": "sms"}}
    assert targets_for_run(form(), {}) == {}


def test_a_conf_with_both_shapes_is_refused():
    conf = {"bsg": {"campaign_ids": [1]}, "vendors": ["kore"]}
    with pytest.raises(InvalidInputError, match="use one of the two"):
        targets_for_run(form(**conf), conf)
