"""The audit's import rows read from the bytes: the parse's rows where the bytes tell them for
sure, and None (the parse decides) where they do not."""

from __future__ import annotations

from pathlib import Path

import pytest

import archgraph
from archgraph.scan.extract import extract_imports
from archgraph.scan.import_blocks import audit_import_rows

SOURCE = b'''"""Docs that show code:

    import in_docstring
"""
from __future__ import annotations

import os
import a.b as ab, c  # two modules
from . import sibling
from ..parent.mod import (
    x,  # import in a comment
    y,
)
from .mod import *

try:
    import optional
except ImportError:
    from fallback import optional
else:
    import after_success
finally:
    import always

if os.name == "nt":
    import on_windows
else:
    import elsewhere

for item in ():
    pass
else:
    import after_loop


class Model:
    def method(
        self,
    ) -> None:
        try:
            import in_method_try
        except (ImportError, OSError):
            pass
        else:
            import in_method_else
        text = "import not_a_statement"
        import in_method


def function():
    while True:
        import in_loop
        break
'''


def _parsed_rows(source: bytes) -> list[tuple[int, int, str, bool, bool]]:
    return [(f.line, f.level, f.module, f.is_from, f.in_try) for f in extract_imports(source)]


def test_rows_read_from_the_bytes_are_the_parse_rows() -> None:
    rows = audit_import_rows(SOURCE)
    assert rows == _parsed_rows(SOURCE)
    in_try = {module for _line, _level, module, _from, in_try in rows if in_try}
    assert in_try == {"optional", "fallback", "after_success", "always", "in_method_try", "in_method_else"}
    assert (8, 0, "a.b", False, False) in rows and (10, 2, "parent.mod", True, False) in rows


UNSURE = {
    "after a semicolon": b"import os; import sys\n",
    "after a colon": b"if True: import os\n",
    "a lazy import": b"lazy import os\n",
    "blanks inside a dotted name": b"from a . b import c\n",
    "a line joined by a backslash": b"import os, \\\n    sys\n",
    "a tab": b"try:\n\timport os\nexcept ImportError:\n\tpass\n",
    "a match block": b"match x:\n    case 1:\n        import os\n",
}


@pytest.mark.parametrize("source", UNSURE.values(), ids=list(UNSURE))
def test_what_the_bytes_do_not_tell_is_left_to_the_parse(source: bytes) -> None:
    assert audit_import_rows(source) is None


def test_every_module_of_archgraph_reads_as_the_parse_or_is_left_to_it() -> None:
    decided = 0
    for path in sorted(Path(archgraph.__file__).parent.rglob("*.py")):
        data = path.read_bytes()
        rows = audit_import_rows(data)
        if rows is not None:
            decided += 1
            assert rows == _parsed_rows(data), path
    assert decided > 100
