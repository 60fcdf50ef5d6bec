"""What every vendor module provides: the one status parser, references, the spec registry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from airflow_provider_campaigns.core.wire import Reply
from airflow_provider_campaigns.exceptions import (
    ContractError,
)
from airflow_provider_campaigns.registry import vendor_keys, vendor_spec
from airflow_provider_campaigns.status import CampaignState, CampaignStatus
from airflow_provider_campaigns.vendors import bsg, cellcast, comm, kore
from airflow_provider_campaigns.vendors.base import Ref
from tests.protocol.test_flows import API, REF, VENDOR


# -- status_of: the one parser of statuses ----------------------------------------------------------
def reply_for(body: Any) -> Reply:
    import json

    return Reply(VENDOR, API.status_request(REF), 200, {}, json.dumps(body).encode())


def test_status_of_keeps_the_raw_status_text_timestamps_and_name():
    data = {"status": "Running", "name": "promo", "a": "2026-01-01", "b": "", "c": None, "d": 5, "label": "x"}
    status = API.status_of("c-7", data["status"], data, reply_for(data), ("a", "b", "c", "d", "missing"))
    assert status == CampaignStatus(VENDOR, "c-7", CampaignState.ACTIVE, "Running", {"a": "2026-01-01T00:00:00Z"}, "promo")
    assert API.status_of("c-7", "done", data, reply_for(data), name_field="label").name == "x"
    assert API.status_of("c-7", "done", {"name": ""}, reply_for(data)).name is None


@pytest.mark.parametrize("raw", [None, "", "   ", 5, True, ["stopped"], {"status": "stopped"}])
def test_status_of_without_a_text_status_is_an_unreadable_answer(raw):
    with pytest.raises(ContractError, match="no status for campaign c-7 in the answer"):
        API.status_of("c-7", raw, {}, reply_for({}))


# -- references, static keys, the spec registry --------------------------------------------------------
def test_a_ref_serializes_its_fields():
    assert REF.as_dict() == {"id": "7"} and REF.label == "c-7"


@dataclass(frozen=True)
class Pair(Ref):
    """A reference named by two fields (``first/second``), the second with a default."""

    first: str
    second: str = "x"
    label_keys = ("first", "second")

    @classmethod
    def validated(cls, first: str, second: str = "x") -> Pair:
        return cls(first, second)


def test_an_entry_ref_keeps_only_what_the_label_does_not_spell_out():
    assert Pair("p", "x").entry_ref() == {} and Pair.from_entry("p/x", {}) == Pair("p", "x")
    slashed = Pair("p/q", "r")  # its label p/q/r does not split back into the two fields
    assert slashed.entry_ref() == {"first": "p/q", "second": "r"}
    assert Pair.from_entry(slashed.label, slashed.entry_ref()) == slashed
    assert REF.entry_ref() == {"id": "7"}, "a label of the vendor's own (c-7) spells out no field"


@pytest.mark.parametrize(("key", "module"), [("bsg", bsg), ("cellcast", cellcast), ("comm", comm), ("kore", kore)])
def test_vendor_spec_finds_each_module_spec(key, module):
    spec = vendor_spec(key)
    assert spec is module.SPEC and spec.key == key == module.KEY and spec.name == module.VENDOR
    assert spec.default_host == module.DEFAULT_HOST
    assert key in vendor_keys()


def test_vendor_spec_of_an_unknown_key_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown vendor 'sinch'; known: bsg, cellcast, comm, kore"):
        vendor_spec("sinch")


