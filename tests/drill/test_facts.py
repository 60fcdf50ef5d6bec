"""The facts table stays in step with docs/vendor-contracts.md: every guess row has a fact (probed or
saying why not), every fact's row exists, keys are unique.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_provider_campaigns.drill.facts import FACTS, SECTIONS, Fact, facts_of

PAGE = Path(__file__).resolve().parents[2] / "docs" / "vendor-contracts.md"


def rows() -> dict[str, list[tuple[str, str, bool]]]:
    """Per vendor section: (fact name or "", behaviour cell, marked a guess) of every row.

    A section whose table starts with a ``fact`` column names its facts; the drill's keys are those names.
    """
    found: dict[str, list[tuple[str, str, bool]]] = {}
    section, named = None, False
    for line in PAGE.read_text().splitlines():
        if line.startswith("## "):
            section, named = line[3:].strip(), False
        elif section in SECTIONS.values() and line.startswith("|") and not line.startswith("|---"):
            cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
            if cells[0] in ("behaviour", "fact"):
                named = cells[0] == "fact"
                continue
            fact, cells = (cells[0].strip("`"), cells[1:]) if named else ("", cells)
            found.setdefault(section, []).append((fact, cells[0], "guess" in cells[1].lower()))
    return found


def matches(fact: Fact, name: str, behaviour: str) -> bool:
    """A row is the fact's when the page names it by the fact's key, or its behaviour starts with the fact's row."""
    return fact.key == name if name else bool(fact.row) and behaviour.startswith(fact.row or "")


def test_every_guess_row_has_a_fact():
    missing = [
        (section, name or behaviour)
        for vendor, section in SECTIONS.items()
        for name, behaviour, guess in rows().get(section, [])
        if guess and not any(fact.guess and matches(fact, name, behaviour) for fact in facts_of(vendor))
    ]
    assert not missing, f"guess rows of {PAGE.name} without a fact in drill/facts.py: {missing}"


def test_every_fact_row_is_a_row_of_its_section():
    page = rows()
    written = [fact for fact in FACTS if fact.row is not None or fact.guess or fact.named]
    stale = [fact.key for fact in written if not any(matches(fact, n, b) for n, b, _ in page.get(SECTIONS[fact.vendor], []))]
    assert not stale, f"facts naming rows {PAGE.name} no longer has: {stale}"


def test_guess_facts_are_rows_the_page_marks_as_guesses():
    page = rows()
    wrong = [
        fact.key for fact in FACTS if fact.guess and not any(guess and matches(fact, n, b) for n, b, guess in page[SECTIONS[fact.vendor]])
    ]
    assert not wrong, f"facts called guesses that the page documents: {wrong}"


def test_keys_are_unique_and_each_fact_is_probed_or_says_why_not():
    keys = [fact.key for fact in FACTS]
    assert len(keys) == len(set(keys))
    assert all(fact.probe is not None or fact.why_not for fact in FACTS)


@pytest.mark.parametrize("vendor", SECTIONS)
def test_each_vendor_starts_with_the_kill_switchs_own_reads(vendor):
    assert [fact.key for fact in facts_of(vendor)[:3]] == [f"{vendor}.credentials", f"{vendor}.list", f"{vendor}.status"]
