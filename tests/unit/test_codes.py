"""The table of codes: one entry per code, documented, and the README's table generated from it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from archgraph import codes
from archgraph.codes import CODES, Code, Severity

REPOSITORY = Path(__file__).parents[2]
README = REPOSITORY / "README.md"
CODE_PATTERN = re.compile(r"^AG[123]\d\d$")


def test_each_code_is_defined_once_and_the_table_is_sorted() -> None:
    strings = [entry.code for entry in CODES]

    assert len(strings) == len(set(strings))
    assert strings == sorted(strings)
    assert all(CODE_PATTERN.match(code) for code in strings), strings


def test_every_code_constant_of_the_module_is_in_the_table() -> None:
    constants = {name: value for name, value in vars(codes).items() if isinstance(value, Code)}

    assert set(constants.values()) == set(CODES)
    assert all(name.isupper() for name in constants)


def test_defining_a_code_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="AG101 is defined twice"):
        codes._define("AG101", Severity.ERROR, "again", "again")


@pytest.mark.parametrize("entry", CODES, ids=lambda entry: entry.code)
def test_every_code_is_documented(entry: Code) -> None:
    assert entry.title.strip() and not entry.title.endswith(".")
    assert entry.help.endswith(".") and len(entry.help) > len(entry.title)
    assert entry.family == codes.FAMILIES[entry.code[:3]]
    assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", entry.rule_name)


def test_contract_violations_default_to_error_level() -> None:
    # A violation takes its contract's severity, error unless the contract says otherwise;
    # the acyclic contract's notes on how to break cycles are the only AG1xx diagnostics.
    below_error = {
        entry.code
        for entry in CODES
        if entry.family == "contract finding" and entry.severity is not Severity.ERROR
    }

    assert below_error == {codes.CYCLE_BREAKER.code, codes.CYCLES_TRUNCATED.code}


def test_lookup_finds_table_entries_and_nothing_else() -> None:
    assert codes.lookup("AG206") is codes.UNREADABLE_PATH
    assert codes.lookup("AG999") is None  # a plugin's own code


def test_the_markdown_table_has_a_row_per_code_and_escapes_pipes() -> None:
    table = codes.markdown_table()
    rows = table.splitlines()[2:]

    assert [row.split(" | ")[0].lstrip("| ") for row in rows] == [entry.code for entry in CODES]
    assert all(row.count(" | ") == 3 for row in rows)
    assert codes._cell("a | b") == "a \\| b"


def test_the_readme_table_is_the_generated_one() -> None:
    text = README.read_text(encoding="utf-8")

    assert codes.with_markdown_table(text) == text, (
        "README.md's table of codes differs from archgraph/codes.py; regenerate it with "
        "`python -m archgraph.codes README.md`"
    )


def test_rewriting_a_document_replaces_only_the_block_between_the_markers() -> None:
    document = f"intro\n{codes.TABLE_START}\nold table\n{codes.TABLE_END}\nafter\n"

    rewritten = codes.with_markdown_table(document)

    assert (
        rewritten
        == f"intro\n{codes.TABLE_START}\n{codes.markdown_table()}{codes.TABLE_END}\nafter\n"
    )
    assert codes.with_markdown_table(rewritten) == rewritten
    with pytest.raises(ValueError, match="codes:start"):
        codes.with_markdown_table("no markers here\n")


def test_the_module_prints_the_table_and_rewrites_a_file(tmp_path: Path) -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "archgraph.codes"], capture_output=True, text=True, check=True
    )
    document = tmp_path / "DOC.md"
    document.write_text(f"# Doc\n{codes.TABLE_START}\n{codes.TABLE_END}\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "archgraph.codes", str(document)], check=True)

    assert printed.stdout == codes.markdown_table()
    assert document.read_text(encoding="utf-8") == (
        f"# Doc\n{codes.TABLE_START}\n{codes.markdown_table()}{codes.TABLE_END}\n"
    )
