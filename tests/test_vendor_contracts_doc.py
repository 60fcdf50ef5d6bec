"""docs/vendor-contracts.md stays machine-readable and sourced: the fire drill and the drift switches name its
facts, and every **documented** row quotes its source word for word.

A quote is written ``— "…"``, ``— `…``` or ``— ``…````` (the last two when the quoted text holds double quotes or
backticks); ``\\|`` stands for a ``|`` (a table cell cannot hold a bare one). A quote is checked against the
sources its row names:

- ``VENDORS.md`` and seed pages (a code span naming a file of ``seeds/``) in the project's shared folder,
  ``../shared`` beside the repository (beside the main checkout when the repository is a linked git worktree);
- ``OpenAPI``: BSG's spec, the lines quoted copied to ``tests/vendors/documented/pages/bsg/openapi.yaml.txt``;
- a page (a code span naming ``tests/vendors/documented/pages/<vendor>/<name>.txt``): a vendor's web page or
  Kore.ai's reference, the lines quoted copied word for word with the page's address;
- the vendors' verbatim example bodies the row names (``documented/…json``, ``tests/…json``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "vendor-contracts.md"
PAGES = REPO / "tests" / "vendors" / "documented" / "pages"
FACT_ROW = re.compile(r"^\| `(?P<fact>[a-z_]+(?:\.[a-z0-9_]+)+)` \| (?P<behaviour>.+?) \| (?P<basis>.+?) \| (?P<tests>.*) \|$")
QUOTE = re.compile(r'— (?:``(?P<double>.+?)``|`(?P<code>[^`]+)`|"(?P<plain>[^"]+)")')
CODE_SPAN = re.compile(r"``(.+?)``|`([^`]+)`")
PAGE_NAME = re.compile(r"\.(md|html|txt)$")
SHORTEST_QUOTE = 10


def rows() -> list[str]:
    return [line for line in DOC.read_text().splitlines() if line.startswith("| ") and not line.startswith("| fact ")]


def fact_rows() -> list[re.Match[str]]:
    return [match for match in map(FACT_ROW.match, rows()) if match]


def documented_rows() -> list[re.Match[str]]:
    return [row for row in fact_rows() if "**documented**" in row["basis"]]


def normalised(text: str) -> str:
    """Whitespace runs as one space; a Markdown table's ``\\|`` as ``|``."""
    return " ".join(text.replace("\\|", "|").split())


def quotes(basis: str) -> list[str]:
    return [next(group for group in match.groups() if group is not None) for match in QUOTE.finditer(basis)]


def shared_folder() -> Path | None:
    """``../shared`` beside the repository; for a linked git worktree, beside the main checkout as well."""
    candidates = [REPO.parent / "shared"]
    git = REPO / ".git"
    if git.is_file() and git.read_text().startswith("gitdir:"):
        gitdir = (REPO / git.read_text().split(":", 1)[1].strip()).resolve()
        commondir = gitdir / "commondir"
        common = (gitdir / commondir.read_text().strip()).resolve() if commondir.is_file() else gitdir.parents[1]
        candidates.append(common.parent.parent / "shared")
    return next((folder for folder in candidates if (folder / "VENDORS.md").is_file()), None)


@pytest.fixture(scope="module")
def shared() -> Path:
    folder = shared_folder()
    if folder is None:
        pytest.fail(
            f"the project's shared folder (VENDORS.md, seeds/) is not beside the repository ({REPO.parent / 'shared'}): "
            "docs/vendor-contracts.md quotes it, so its quotes cannot be checked. Check it out there and run again."
        )
    return folder


def sources(vendor: str, basis: str, shared: Path) -> dict[str, Path]:
    """Every source the row's basis names, by the name it uses, mapped to the file holding its text."""
    prose = QUOTE.sub("", basis)
    named: dict[str, Path] = {}
    if "VENDORS.md" in prose:
        named["VENDORS.md"] = shared / "VENDORS.md"
    if "OpenAPI" in prose:
        named["OpenAPI"] = PAGES / "bsg" / "openapi.yaml.txt"
    for match in CODE_SPAN.finditer(prose):
        span = match[1] or match[2]
        if (shared / "seeds" / span).is_file():
            named[span] = shared / "seeds" / span
        elif (PAGES / vendor / f"{span}.txt").is_file():
            named[span] = PAGES / vendor / f"{span}.txt"
        elif span.endswith(".json") and span.startswith(("documented/", "tests/")):
            named[span] = REPO / "tests" / "vendors" / span if span.startswith("documented/") else REPO / span
    return named


def source_text(path: Path) -> str:
    """A page copy's text after its header (``source:`` … ``---``); any other source whole."""
    text = path.read_text()
    if path.is_relative_to(PAGES):
        text = text.split("\n---\n", 1)[1]
    return normalised(text)


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


def test_every_documented_row_quotes_its_source():
    documented = documented_rows()
    assert len(documented) >= 60, "the page lost its documented rows"
    unquoted = [row["fact"] for row in documented if not quotes(row["basis"])]
    assert not unquoted, f'documented rows without a quote (— "…") of their source: {unquoted}'
    short = [(row["fact"], quote) for row in documented for quote in quotes(row["basis"]) if len(normalised(quote)) < SHORTEST_QUOTE]
    assert not short, f"quotes too short to pin a source down: {short}"


def test_every_quote_is_found_word_for_word_in_a_source_its_row_names(shared):
    unsourced, misquoted = [], []
    for row in fact_rows():
        said = quotes(row["basis"])
        if not said:
            continue
        named = sources(row["fact"].split(".")[0], row["basis"], shared)
        if not named:
            unsourced.append(row["fact"])
            continue
        texts = {name: source_text(path) for name, path in named.items()}
        for quote in said:
            if not any(normalised(quote) in text for text in texts.values()):
                misquoted.append(f"{row['fact']}: {quote!r} is in none of {sorted(texts)}")
    assert not unsourced, f"rows that quote but name no source available here: {unsourced}"
    assert not misquoted, "quotes not found word for word:\n" + "\n".join(misquoted)


def test_every_page_a_row_names_has_a_verbatim_copy(shared):
    missing = []
    for row in fact_rows():
        named = sources(row["fact"].split(".")[0], row["basis"], shared)
        for match in CODE_SPAN.finditer(QUOTE.sub("", row["basis"])):
            span = match[1] or match[2]
            if PAGE_NAME.search(span) and span not in named:
                missing.append(f"{row['fact']}: {span}")
    assert not missing, f"pages named without a copy in {PAGES.relative_to(REPO)} or seeds/: {missing}"


def test_every_page_copy_names_its_address_and_is_quoted():
    copies = sorted(PAGES.glob("*/*.txt"))
    assert copies
    basis = "\n".join(row["basis"] for row in fact_rows())
    for copy in copies:
        header = copy.read_text().split("\n---\n", 1)[0]
        assert re.match(r"source: https://\S+\n", header), f"{copy.name}: its first line must be 'source: <address>'"
        name = copy.name.removesuffix(".txt")
        assert f"`{name}`" in basis or (name == "openapi.yaml" and "OpenAPI" in basis), f"{copy.name} is quoted by no row"
