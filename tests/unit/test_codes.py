"""The table of codes: one entry per code, documented, and the README's table generated from it."""

from __future__ import annotations

import ast
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


# --- the source writes codes only through the table ---------------------------------------

PACKAGE = REPOSITORY / "archgraph"
TABLE_SOURCE = PACKAGE / "codes.py"
MENTION = re.compile(r"\bAG\d{3}\b")


def _sources() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if path != TABLE_SOURCE)


def _docstrings(tree: ast.Module) -> set[int]:
    """ids of the docstring nodes: they may mention codes, as comments do."""
    owners = [tree, *(n for n in ast.walk(tree) if isinstance(n, DOCUMENTED))]
    return {id(owner.body[0].value) for owner in owners if ast.get_docstring(owner) is not None}


DOCUMENTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def test_no_code_is_written_as_a_string_outside_the_table() -> None:
    literals = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        literals += [
            f"{path.relative_to(REPOSITORY)}:{node.lineno}: {node.value!r}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and MENTION.search(node.value)
        ]

    assert literals == [], "name codes through archgraph.codes (codes.NAME.code):\n" + "\n".join(
        literals
    )


def test_every_code_the_source_and_the_docs_mention_is_in_the_table() -> None:
    known = {entry.code for entry in CODES}
    documents = [
        *_sources(),
        TABLE_SOURCE,
        README,
        REPOSITORY / "CHANGELOG.md",
        *REPOSITORY.glob("docs/*.md"),
    ]
    unknown = {
        f"{path.relative_to(REPOSITORY)}: {code}"
        for path in documents
        for code in MENTION.findall(path.read_text(encoding="utf-8"))
        if code not in known
    }

    assert unknown == set()


def _code_named_by(node: ast.AST) -> Code | None:
    """The table entry `node` names when it is `codes.NAME.code`, else None."""
    if (
        isinstance(node, ast.Attribute)
        and node.attr == "code"
        and isinstance(node.value, ast.Attribute)
        and isinstance(node.value.value, ast.Name)
        and node.value.value.id == "codes"
    ):
        entry = getattr(codes, node.value.attr)
        assert isinstance(entry, Code)
        return entry
    return None


def _severity_named_by(node: ast.AST) -> Severity | None:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        if node.value.id == "Severity":
            return Severity[node.attr]
    return None


def test_every_code_of_the_table_is_used_by_archgraph() -> None:
    used = {
        _code_named_by(node)
        for path in _sources()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
    }

    assert sorted(entry.code for entry in set(CODES) - used) == []


def test_a_diagnostic_written_with_a_fixed_level_uses_its_codes_default_level() -> None:
    """`Diagnostic(codes.X.code, Severity.Y, ...)` and the like: Y is X's level in the table
    (codes whose level comes from configuration pass a variable and are not checked here)."""
    checked = set()
    mismatched = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            arguments = [*call.args, *(k.value for k in call.keywords)]
            named = [entry for a in arguments if (entry := _code_named_by(a))]
            levels = [level for a in arguments if (level := _severity_named_by(a))]
            if len(named) == 1 and len(levels) == 1:
                checked.add(named[0].code)
                if levels[0] is not named[0].severity:
                    mismatched.append(f"{path.name}:{call.lineno}: {named[0].code} at {levels[0]}")

    assert mismatched == []
    assert len(checked) >= 15, checked  # the check reaches most call sites, not none
