"""The selection inputs every vendor validates alike: id lists, the name filter, exactly-one-of."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from airflow_provider_campaigns.exceptions import (
    InvalidInputError,
)
from airflow_provider_campaigns.protocol.selection import active_matching, exactly_one, id_list, name_matches
from airflow_provider_campaigns.status import CampaignState, CampaignStatus

VENDOR = "Fake"


# -- name filter and active selection -----------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "needle", "expected"),
    [
        ("Spring Promo", "PROMO", True),
        ("Straße sale", "STRASSE", True),  # casefold, not lower
        ("Spring Promo", "autumn", False),
        (None, None, True),
        (None, "x", False),
        ("a", "", True),
        ("", None, True),
    ],
)
def test_name_matches_is_a_case_insensitive_contains(name, needle, expected):
    assert name_matches(name, needle) is expected


def listed(campaign_id: str, state: CampaignState, name: str | None = "promo") -> CampaignStatus:
    return CampaignStatus(VENDOR, campaign_id, state, state.value, name=name)


def test_active_matching_keeps_campaigns_not_final_whose_name_matches_once_each(caplog):
    statuses = [
        listed("1", CampaignState.ACTIVE, "Spring PROMO"),
        listed("2", CampaignState.COMPLETED),
        listed("3", CampaignState.PAUSED, "promo b"),
        listed("1", CampaignState.ACTIVE, "Spring PROMO"),
        listed("4", CampaignState.ACTIVE, "other"),
        listed("5", CampaignState.UNKNOWN, "promo c"),
        listed("6", CampaignState.STOPPED),
        listed("7", CampaignState.FAILED),
        listed("8", CampaignState.ACTIVE, None),
    ]
    with caplog.at_level(logging.WARNING, logger="airflow_provider_campaigns.protocol.selection"):
        assert [s.campaign_id for s in active_matching(statuses, "promo")] == ["1", "3", "5"]
    assert "campaign 5 has a status this provider does not know" in caplog.text
    assert [s.campaign_id for s in active_matching(statuses, None)] == ["1", "3", "4", "5", "8"]


# -- id lists and exactly-one ---------------------------------------------------------------------
def upper_id(value: Any, parameter: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidInputError(f"{parameter}: not an id: {value!r}")
    return value.upper()


def test_id_list_validates_each_item_by_index_and_drops_duplicates_after_validation():
    assert id_list(["a", "b", "A", "c", "b"], "ids", upper_id) == ["A", "B", "C"]
    assert id_list(("x",), "ids", upper_id) == ["X"]
    with pytest.raises(InvalidInputError, match=r"^ids\[2\]: not an id"):
        id_list(["a", "b", None], "ids", upper_id)


@pytest.mark.parametrize(("values", "why"), [("abc", "list of ids"), (b"abc", "list of ids"), (5, "list of ids"), ({"a"}, "list of ids")])
def test_id_list_refuses_what_is_not_a_list(values, why):
    with pytest.raises(InvalidInputError, match=f"^campaign_ids must be a {why}"):
        id_list(values, "campaign_ids", upper_id)


@pytest.mark.parametrize("values", [{"a": 1}, None])
def test_id_list_refuses_mappings_and_none(values):
    with pytest.raises(InvalidInputError, match="campaign_ids"):
        id_list(values, "campaign_ids", upper_id)


def test_id_list_refuses_an_empty_list():
    with pytest.raises(InvalidInputError, match="campaign_ids is empty: name at least one campaign"):
        id_list([], "campaign_ids", upper_id)


@pytest.mark.parametrize("given", [{}, {"a": True, "b": True}, {"a": True, "b": True, "c": True}, {"a": False, "b": False, "c": False}])
def test_exactly_one_fails_naming_every_alternative(given):
    names = {"a": False, "b": False, "c": False, **given}
    with pytest.raises(InvalidInputError, match=r"^Op: give exactly one of a, b or c\.$"):
        exactly_one("Op", **names)


def test_exactly_one_accepts_one():
    assert exactly_one("Op", a=False, b=True, c=False) is None


@pytest.mark.parametrize(
    "rendered",
    ['["cd-1", "cd-2"]', "['cd-1', 'cd-2']", " ['cd-1', 'cd-2'] "],
    ids=["tojson", "python-literal", "padded"],
)
def test_a_templated_id_list_rendered_to_text_is_read_back(rendered):
    """``campaign_ids="{{ params.ids }}"`` renders a Python literal, ``| tojson`` JSON: both are the list."""
    assert id_list(rendered, "campaign_ids", lambda value, _: value) == ["cd-1", "cd-2"]


@pytest.mark.parametrize("rendered", ["[cd-1, cd-2", "[__import__('os')]"])
def test_list_looking_text_that_is_no_list_fails_naming_the_parameter(rendered):
    with pytest.raises(InvalidInputError, match="campaign_ids looks like a list"):
        id_list(rendered, "campaign_ids", lambda value, _: value)


def test_a_plain_id_is_still_not_a_list():
    with pytest.raises(InvalidInputError, match="must be a list of ids"):
        id_list("cd-1", "campaign_ids", lambda value, _: value)
