"""docs/vendor-contracts.md stays machine-readable: the fire drill and the drift switches name its facts."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "vendor-contracts.md"
FACT_ROW = re.compile(r"^\| `(?P<fact>[a-z_]+(?:\.[a-z0-9_]+)+)` \| (?P<behaviour>.+?) \| (?P<basis>.+?) \| (?P<tests>.*) \|$")


def rows() -> list[str]:
    return [line for line in DOC.read_text().splitlines() if line.startswith("| ") and not line.startswith("| fact ")]


def test_every_row_has_a_unique_stable_fact_name():
    facts = []
    for line in rows():
        match = FACT_ROW.match(line)
        assert match, f"not a fact row: {line[:100]}"
        facts.append(match["fact"])
    assert len(facts) == len(set(facts)), sorted(f for f in facts if facts.count(f) > 1)
    assert {fact.split(".")[0] for fact in facts} == {"bsg", "cellcast", "comm", "kore", "sim"}


def test_every_guess_names_the_probe_that_would_confirm_it():
    for line in rows():
        basis = FACT_ROW.match(line)["basis"]  # type: ignore[index]
        kinds = ("**documented**", "**guess**", "alternative reading", "client choice", "test tools")
        assert any(kind in basis for kind in kinds), line[:100]
        if "**guess**" in basis:
            assert "probe:" in basis, f"a guess without a probe: {line[:100]}"


def test_kore_rows_name_the_page_they_come_from():
    kore = [FACT_ROW.match(line) for line in rows() if line.startswith("| `kore.")]
    documented = [m for m in kore if m and "**documented**" in m["basis"]]
    assert len(documented) >= 15
    for row in documented:
        assert ".md" in row["basis"] or "VENDORS.md" in row["basis"], row["fact"]
