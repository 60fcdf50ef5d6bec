from __future__ import annotations

import logging

import pytest

from airflow_provider_campaigns.exceptions import InvalidInputError
from airflow_provider_campaigns.status import CampaignState, CampaignStatus, StatusMap, iso_utc, parse_states


def test_final_states():
    assert {s for s in CampaignState if s.is_final} == {CampaignState.STOPPED, CampaignState.COMPLETED, CampaignState.FAILED}


def test_unknown_status_maps_to_unknown_and_is_logged_once(caplog):
    mapping = StatusMap("X", {"done": CampaignState.COMPLETED})
    with caplog.at_level(logging.WARNING):
        assert mapping.normalize("weird") is CampaignState.UNKNOWN
        assert mapping.normalize("WEIRD") is CampaignState.UNKNOWN
        assert mapping.normalize(None) is CampaignState.UNKNOWN
    assert caplog.text.count("'weird'") == 1
    assert mapping.normalize(" DONE ") is CampaignState.COMPLETED


def test_user_extension_wins_and_is_validated():
    mapping = StatusMap("X", {"done": CampaignState.COMPLETED}).extended({"archived": "stopped", "done": "failed"})
    assert mapping.normalize("archived") is CampaignState.STOPPED
    assert mapping.normalize("done") is CampaignState.FAILED
    with pytest.raises(InvalidInputError, match="status_map"):
        StatusMap("X", {}).extended({"a": "nonsense"})


def test_status_round_trip():
    status = CampaignStatus("BSG", "1", CampaignState.STOPPED, "stopped", {"finished_at": "2026-01-01 00:00:00"}, "n")
    assert CampaignStatus.from_dict(status.as_dict()) == status
    with pytest.raises(InvalidInputError):
        parse_states(["nope"], "target_states")


@pytest.mark.parametrize(
    ("vendor_wrote", "normalized"),
    [
        ("2026-11-29 10:00:00", "2026-11-29T10:00:00Z"),  # BSG: no zone, read as UTC
        ("2026-11-29T10:00:00.123Z", "2026-11-29T10:00:00.123000Z"),  # Cellcast / Kore
        ("2026-11-29T10:00:00.000000Z", "2026-11-29T10:00:00Z"),  # comm.com (Laravel)
        ("2026-11-29T12:00:00+02:00", "2026-11-29T10:00:00Z"),
        ("2026-11-29", "2026-11-29T00:00:00Z"),
        ("20261129T100000Z", "2026-11-29T10:00:00Z"),
        ("not a time", "not a time"),  # kept as the vendor wrote it
    ],
)
def test_vendor_timestamps_become_iso_8601_utc(vendor_wrote, normalized):
    assert iso_utc(vendor_wrote) == normalized


def test_the_fast_path_and_pendulum_agree():
    import pendulum

    for value in ("2026-11-29 10:00:00", "2026-11-29T10:00:00.5+05:30", "2026-03-29T01:30:00Z"):
        assert pendulum.parse(iso_utc(value)) == pendulum.parse(value, tz="UTC")
