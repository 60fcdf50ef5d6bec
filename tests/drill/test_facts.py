"""The facts (each vendor's ``DRILL_FACTS``, found through the registry) stay in step with docs/vendor-contracts.md:
every guess row has a fact, every named fact is a row of its vendor's section (titled by its registry entry), and
a row says ``probe: none`` exactly when the drill has no probe.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from airflow_provider_campaigns.drill.runner import all_facts, facts_of, sections

PAGE = Path(__file__).resolve().parents[2] / "docs" / "vendor-contracts.md"
ROW = re.compile(r"^\| `(?P<fact>[a-z_]+(?:\.[a-z0-9_]+)+)` \| (?P<behaviour>.+?) \| (?P<basis>.+?) \| (?P<tests>.*) \|$")


FACTS = all_facts()
SECTIONS = sections()


def rows() -> dict[str, dict[str, str]]:
    """Per vendor key: fact name → the basis cell of its row."""
    found: dict[str, dict[str, str]] = {}
    section = None
    for line in PAGE.read_text().splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        match = ROW.match(line)
        if match and section in SECTIONS.values():
            vendor = next(key for key, name in SECTIONS.items() if name == section)
            found.setdefault(vendor, {})[match["fact"]] = match["basis"]
    return found


def test_every_guess_row_has_a_fact():
    missing = [
        name
        for vendor, page in rows().items()
        for name, basis in page.items()
        if "**guess**" in basis and name not in {fact.key for fact in facts_of(vendor) if fact.guess}
    ]
    assert not missing, f"guesses of {PAGE.name} without a fact in its vendor's DRILL_FACTS: {missing}"


def test_every_named_fact_is_a_row_of_its_section():
    page = rows()
    stale = [fact.key for fact in FACTS if fact.named and fact.key not in page.get(fact.vendor, {})]
    assert not stale, f"facts {PAGE.name} does not name (in their vendor's section): {stale}"


def test_guess_facts_are_rows_the_page_marks_as_guesses():
    page = rows()
    wrong = [fact.key for fact in FACTS if fact.guess and "**guess**" not in page[fact.vendor].get(fact.key, "")]
    assert not wrong, f"facts called guesses that the page documents: {wrong}"


def test_the_page_says_probe_none_exactly_when_the_drill_has_no_probe():
    page = rows()
    disagree = [fact.key for fact in FACTS if fact.guess and ("probe: none" in page[fact.vendor].get(fact.key, "")) != (fact.probe is None)]
    assert not disagree, f"rows of {PAGE.name} whose 'probe:' disagrees with its fact's probe: {disagree}"


def test_keys_are_unique_and_each_fact_is_probed_or_says_why_not():
    keys = [fact.key for fact in FACTS]
    assert len(keys) == len(set(keys))
    assert all(fact.probe is not None or fact.why_not for fact in FACTS)


@pytest.mark.parametrize("vendor", SECTIONS)
def test_each_vendor_starts_with_the_kill_switchs_own_reads(vendor):
    assert [fact.key for fact in facts_of(vendor)[:3]] == [f"{vendor}.credentials", f"{vendor}.list", f"{vendor}.status"]
