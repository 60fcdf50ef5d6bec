"""The wait as it travels to the triggerer: references packed compactly in the trigger's kwargs, and read back."""

from __future__ import annotations

import json

from airflow_provider_campaigns.engine.wait_payload import group, pack_refs, unpack_refs
from airflow_provider_campaigns.vendors import bsg, comm, kore

C1, S1 = "0b5e3e0e-1d2c-4c9e-9a57-5a1f0f7d9a01", "6f1c2b7e-8d3a-4f5e-9c1d-2e3f4a5b6c7d"
C2, S2 = "1c6f4f1f-2e3d-4daf-8b68-6b2a1a8eab12", "7a2d3c8f-9e4b-4a6f-8d2e-3f4a5b6c7d8e"


def test_a_batch_packs_what_every_reference_shares_once():
    refs = [kore.KoreCampaign(f"cd-{i}", "st-1") for i in range(3)]
    packed = group("kore", "kore_default", refs)["refs"]
    assert packed == {"shared": {"stream_id": "st-1", "campaign_type": "sms"}, "fields": ["id"], "rows": ["cd-0", "cd-1", "cd-2"]}
    assert unpack_refs(packed) == [ref.as_dict() for ref in refs]


def test_two_varying_fields_are_rows_of_values():
    refs = [comm.send(C1, S1), comm.send(C2, S2)]
    packed = pack_refs([ref.as_dict() for ref in refs])
    assert packed == {"shared": {}, "fields": ["campaign_id", "send_id"], "rows": [[C1, S1], [C2, S2]]}
    assert [comm.CommSend.from_dict(ref) for ref in unpack_refs(json.loads(json.dumps(packed)))] == refs


def test_one_reference_and_kwargs_of_earlier_versions_are_plain_dicts():
    assert group("bsg", "bsg_default", [bsg.campaign(5)])["refs"] == [{"id": 5, "channel": "sms"}]
    earlier = [{"id": 5, "channel": "sms"}, {"id": 6, "channel": "rcs"}]
    assert unpack_refs(earlier) == earlier
    assert unpack_refs(pack_refs(earlier)) == earlier
    assert unpack_refs(pack_refs([{"id": 5}, {"id": 5}])) == [{"id": 5}, {"id": 5}], "duplicates: every field shared"
    mixed = [{"id": 5}, {"id": 6, "channel": "sms"}]
    assert pack_refs(mixed) == mixed


def test_10000_references_take_far_fewer_bytes():
    refs = [bsg.campaign(1_000_000 + i).as_dict() for i in range(10_000)]
    assert len(json.dumps(pack_refs(refs))) < len(json.dumps(refs)) / 3
