"""A vendor task declares its parameters once, in its typed signature: template_fields and selection_params derive
from it (airflow_provider_campaigns/task_params.py), and its selection keys are the vendor validator's own.
"""

from __future__ import annotations

import inspect
from datetime import datetime
from importlib import import_module
from typing import Any

import pytest

from airflow_provider_campaigns import registry
from airflow_provider_campaigns.operators.base import CampaignStopOperator
from airflow_provider_campaigns.sensors.base import CampaignStatusSensor
from airflow_provider_campaigns.task_params import Templated


def vendor_classes(key: str) -> list[type[Any]]:
    """The stop operator and the status sensor of a registered vendor (from its modules, as provider info finds them)."""
    entry = registry.vendor(key)
    found = []
    for kind, base in (("operators", CampaignStopOperator), ("sensors", CampaignStatusSensor)):
        module = import_module(entry.module_name(kind))
        found += [
            cls for cls in vars(module).values() if isinstance(cls, type) and issubclass(cls, base) and cls.__module__ == module.__name__
        ]
    assert len(found) == 2, found
    return found


@pytest.mark.parametrize("key", registry.vendor_keys())
def test_every_parameter_is_a_selection_key_of_the_vendors_validator_or_configures_the_hook(key):
    entry = registry.vendor(key)
    validator = entry.spec().selection
    assert validator is not None, f"{key}: SPEC names no selection validator"
    keys = {name: p.default for name, p in inspect.signature(validator).parameters.items() if name != "owner"}
    hook_params = {f"{key}_conn_id", *entry.hook_options, *inspect.signature(CampaignStatusSensor.__init__).parameters}
    operator, sensor = vendor_classes(key)
    assert set(keys) - {"default_stream"} <= set(operator.own_params), "the stop operator exposes every selection key"
    for cls in (operator, sensor):
        declared = {name: p.default for name, p in inspect.signature(cls.__init__).parameters.items() if p.kind is p.KEYWORD_ONLY}
        stray = set(declared) - set(keys) - hook_params
        assert not stray, f"{cls.__name__} takes {stray}: neither selected by {key}'s validator nor a hook option"
        differ = {name: (default, keys[name]) for name, default in declared.items() if name in keys and default != keys[name]}
        assert not differ, f"{cls.__name__}'s defaults differ from the validator's: {differ}"
        assert set(cls.template_fields) <= set(declared), "template_fields are the class's own parameters"
        assert f"{key}_conn_id" in cls.template_fields


def test_template_fields_and_selection_params_derive_from_the_signature(connection):
    from airflow_provider_campaigns.operators.comm import CommStopCampaignOperator
    from airflow_provider_campaigns.operators.kore import KoreStopCampaignOperator

    assert "send_status_path" not in CommStopCampaignOperator.template_fields, "not written Templated[...]"
    connection("comm_default", "comm", host="https://comm.test", password="token")
    op = CommStopCampaignOperator(task_id="stop", campaign_sends=["a/b"], send_status_path="data.sends")
    assert op.selection_params() == {
        "campaign_id": None,
        "campaign_send_id": None,
        "campaign_sends": ["a/b"],
        "all_active": False,
        "name_contains": None,
    }, "send_status_path configures the hook: comm.com's validator does not take it"
    connection("kore_default", "kore", login="cs-1", password="secret", extra={"account_id": "acc-1"})
    kore = KoreStopCampaignOperator(task_id="stop", campaign_ids=["cd-1"], stream_id="st-1")
    assert kore.selection_params()["stream_id"] == "st-1", "a key both the hook and the validator take is selected too"


def test_a_subclass_extends_or_overrides_what_it_inherits():
    from airflow_provider_campaigns.operators.bsg import BsgStopCampaignOperator

    class Quiet(BsgStopCampaignOperator):
        pass

    class Tagged(BsgStopCampaignOperator):
        def __init__(self, *, tag: Templated[str] = "", note: str = "", **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.tag = tag
            self.note = note

    class Chosen(BsgStopCampaignOperator):
        template_fields = ("campaign_ids",)

        def __init__(self, *, tag: Templated[str] = "", **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.tag = tag

    assert Quiet.template_fields == BsgStopCampaignOperator.template_fields
    assert Tagged.template_fields == (*BsgStopCampaignOperator.template_fields, "tag")
    assert Tagged.own_params[-2:] == ("tag", "note")
    assert Chosen.template_fields == ("campaign_ids",), "a class's own template_fields win"


def test_templated_parameters_render_and_survive_dag_serialization():
    from airflow.providers.common.compat.sdk import DAG
    from airflow.serialization import serialized_objects

    from airflow_provider_campaigns.operators.bsg import BsgStopCampaignOperator
    from airflow_provider_campaigns.sensors.kore import KoreCampaignStatusSensor

    with DAG(dag_id="declared", schedule=None, start_date=datetime(2026, 1, 1), catchup=False) as dag:
        BsgStopCampaignOperator(
            task_id="stop", campaign_ids="{{ params.ids }}", channel="{{ params.channel }}", bsg_conn_id="bsg_{{ params.env }}"
        )
        KoreCampaignStatusSensor(task_id="wait", campaign_ids="{{ params.ids }}", stream_id="st-{{ params.env }}")
    serialization = getattr(serialized_objects, "DagSerialization", None) or serialized_objects.SerializedDAG  # Airflow 3.3 / 2
    back = serialization.from_dict(serialization.to_dict(dag))
    stop, wait = back.get_task("stop"), back.get_task("wait")
    assert set(stop.template_fields) == {"campaign_id", "campaign_ids", "channel", "name_contains", "date_from", "date_to", "bsg_conn_id"}
    assert stop.campaign_ids == "{{ params.ids }}" and stop.bsg_conn_id == "bsg_{{ params.env }}"
    assert set(wait.template_fields) == {"campaign_id", "campaign_ids", "stream_id", "kore_conn_id"}

    task = dag.get_task("stop")
    task.render_template_fields({"params": {"ids": ["1", "2"], "channel": "rcs", "env": "eu"}})
    assert (task.campaign_ids, task.channel, task.bsg_conn_id) == ("['1', '2']", "rcs", "bsg_eu")


def test_a_signature_whose_annotations_are_evaluated_is_read_too():
    """A DAG file without ``from __future__ import annotations`` hands the class real ``Annotated`` types."""
    source = (
        "from typing import Any\n"
        "from airflow_provider_campaigns.operators.bsg import BsgStopCampaignOperator\n"
        "from airflow_provider_campaigns.task_params import Templated\n"
        "class Live(BsgStopCampaignOperator):\n"
        "    def __init__(self, *, tag: Templated[str] = '', note: str = '', **kwargs: Any) -> None:\n"
        "        super().__init__(**kwargs)\n"
        "        self.tag, self.note = tag, note\n"
    )
    from airflow_provider_campaigns.operators.bsg import BsgStopCampaignOperator

    namespace: dict[str, Any] = {}
    exec(compile(source, "dag_file.py", "exec"), namespace)
    assert namespace["Live"].template_fields == (*BsgStopCampaignOperator.template_fields, "tag")
