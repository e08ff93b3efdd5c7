"""Which files grimp's scanner must read as Python reads them: `SourceTexts.import_source`
answers None only where every name of every import statement is already as Python names it
(NFKC)."""

from __future__ import annotations

import io
import tokenize
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archgraph.scan.python_source import SourceTexts, python_source


def import_source(data: bytes) -> bytes | None:
    """What grimp's scanner is given for a file of these bytes (None: the file as it is)."""
    return SourceTexts().import_source("generated.py", (len(data), 0, 0, 0), data)

# Letters Python reads otherwise (fullwidth s, the fi ligature, the micro sign) beside plain ones.
LETTERS = ["a", "b", "s", "ｓ", "ﬁ", "µ"]
name = st.lists(st.sampled_from(LETTERS), min_size=1, max_size=3).map("".join).map(lambda n: f"n{n}")
dotted = st.lists(name, min_size=1, max_size=3).map(".".join)
words = st.lists(st.sampled_from([*LETTERS, " ", "(", ")", "import", "#"]), max_size=6).map("".join)


def _statement(kind: int, first: str, module: str, second: str, text: str) -> str:
    return [
        f"import {module}\n",
        f"import {module} as {first}\n",
        f"from {module} import {first}\n",
        f"from {module} import ({first},  # {text}\n    {second},\n)\n",
        f"from {module} \\\n    import {first}\n",
        f"{first} = {text!r}\n",
        f"# {text}\n",
        f"{first} = 1; import {module}\n",
        f"def {first}():\n    return {second}\n",
        f"print({first},\n      {second})\n",
    ][kind]


statement = st.builds(_statement, st.integers(0, 9), name, dotted, name, words)


def _import_names(text: str) -> list[str]:
    """The names of the import statements as written (Python's tokenizer does not normalise)."""
    names: list[str] = []
    in_import = False
    at_start = True
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER) or token.string == ";":
            in_import, at_start = False, True
            continue
        if token.type in (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
            continue
        if at_start and token.string in ("import", "from"):
            in_import = True
        elif in_import and token.type == tokenize.NAME:
            names.append(token.string)
        at_start = False
    return names


@settings(max_examples=300, deadline=None)
@given(st.lists(statement, min_size=1, max_size=6).map("".join))
def test_no_prepared_text_only_when_every_import_name_is_normal(source: str) -> None:
    compile(source, "generated.py", "exec")  # valid Python, as the scanner would read
    data = source.encode("utf-8")
    changed = [n for n in _import_names(source) if unicodedata.normalize("NFKC", n) != n]
    if import_source(data) is None:
        assert not changed, source
    if changed:
        assert import_source(data) == python_source(data) is not None


@pytest.mark.parametrize(
    "source",
    [
        "x = 'ｓ'\nimport os\n",
        "# ｓ, a comment\nimport os\n",
        "def f():\n    return ｓ\n",
        "from a import (b,\n    c)  # ｓ\nｓ = 1\n",
        "import_x = ｓ\n",
    ],
)
def test_a_file_whose_import_lines_are_normal_is_read_as_it_is(source: str) -> None:
    """No parse for these (pip holds 32 such files): names elsewhere do not change imports."""
    assert import_source(source.encode()) is None


def test_a_file_in_another_encoding_is_always_read_as_python_reads_it() -> None:
    data = "# -*- coding: cp437 -*-\nimport os\nNAME = 'café'\n".encode("cp437")
    assert import_source(data) == python_source(data) is not None


def test_a_name_of_many_fullwidth_letters_is_normalised_once() -> None:
    """Each word is worked out once, however many letters NFKC changes it holds (a name of
    20,000 of them was walked across 20,000 times)."""
    name = "ｓ" * 20_000
    data = f"from pkg import {name}\n{name} = 1\n".encode()
    assert import_source(data) == python_source(data) == f"from pkg import {'s' * 20_000}\n{'s' * 20_000} = 1\n".encode()
