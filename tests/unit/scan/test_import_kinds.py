"""The kind of each import statement, read from its module-level statement parsed alone where
that is sure, else from the whole file: the same answer either way."""

from __future__ import annotations

from pathlib import Path

import pytest

import archgraph
from archgraph.diagnostics import ImportKind
from archgraph.scan.import_blocks import import_kinds
from archgraph.scan.syntax import import_kind, parse

SOURCE = b'''"""Module docstring that shows code at column 0:

def example():
    import in_docstring
"""
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typing_only
else:
    import at_runtime


def function():
    import in_function
    return in_function


class Model:
    x = 1

    def method(self):
        if TYPE_CHECKING:
            import checking_in_method
        import in_method


try:
    import optional
except ImportError:
    import fallback

text = """
class NotCode:
    import in_string
"""


def continued(a,
b):
    import after_wrapped_signature
'''


def test_kinds_of_nested_imports_and_none_from_strings() -> None:
    lines = {line: kind for line, kind in import_kinds(SOURCE, None)}
    text = SOURCE.decode().splitlines()

    def line_of(name: str) -> int:
        return next(index for index, line in enumerate(text, 1) if line.strip() == f"import {name}")

    assert lines == {
        line_of("typing_only"): "type_checking",
        line_of("in_function"): "function",
        line_of("checking_in_method"): "type_checking",
        line_of("in_method"): "function",
        line_of("after_wrapped_signature"): "function",
    }


def test_a_stray_triple_quote_sends_the_file_to_a_whole_parse() -> None:
    source = b'# a stray """ in a comment\n"""\ndef f():\n    import in_string\n"""\n\ndef g():\n    import real\n'
    assert import_kinds(source, None) == [(8, "function")]


def test_a_triple_quote_in_a_comment_or_a_short_string_starts_no_string() -> None:
    source = (
        b'# a stray """ in a comment\n'
        b"x = '\"\"\"'\n"
        b'"""\n'
        b"def f():\n"
        b"    import in_string\n"
        b'"""\n'
    )
    assert import_kinds(source, None) == []


def _kinds_from_the_whole_tree(data: bytes) -> dict[int, str]:
    """The oracle: every import statement of the file parsed whole, and its kind (runtime too)."""
    found: dict[int, str] = {}
    stack = [parse(data).root_node]
    while stack:
        node = stack.pop()
        if node.type in ("import_statement", "import_from_statement"):
            found[node.start_point[0] + 1] = import_kind(node).value
        stack.extend(node.children)
    return found


METHODS = b'''try:
    import optional
except ImportError:
    optional = None


class Printer:
    """Shows how:

    >>> from printing import latex
    """

    def latex(self):
        from printing.latex import latex
        return latex(self)

    @property
    def tree(self):
        import printing.tree as tree; return tree

    def checked(self):
        if TYPE_CHECKING:
            from typing_only import T
        from later import U


def wrapped():
    from a.b import \\
        c
    from d import (
        e,
        f,
    )
    x = g(
1)
    import after_column_0_bracket


async def coroutine():
    import in_coroutine
'''


def test_imports_known_to_be_in_a_method_without_a_parse_are_as_the_tree_says() -> None:
    """An indented import in a def or a class with no TYPE_CHECKING above it is `function`
    without a parse; every import line has the kind the whole file's tree gives it."""
    lines = dict(import_kinds(METHODS, None))
    oracle = _kinds_from_the_whole_tree(METHODS)
    assert {line: lines.get(line, "runtime") for line in oracle} == oracle
    assert sorted(set(oracle.values())) == ["function", "runtime", "type_checking"]


def test_every_module_of_archgraph_has_the_kinds_the_whole_tree_gives() -> None:
    for path in sorted(Path(archgraph.__file__).parent.rglob("*.py")):
        data = path.read_bytes()
        oracle = _kinds_from_the_whole_tree(data)
        lines = dict(import_kinds(data, None))
        assert {line: lines.get(line, "runtime") for line in oracle} == oracle, path


BLOCKS = b'''import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from checking import A
    if sys.version_info >= (3, 11):
        from checking_new import B

    def helper():
        import checking_in_def
else:
    import not_checking

try:
    import optional
except ImportError:
    optional = None
    from fallback import optional
finally:
    import always

with open(__file__) as stream:
    import in_with


class Model:
    if TYPE_CHECKING:
        from model_types import C
    else:
        from model_runtime import C

    def method(self):
        try:
            import in_method_try
        except ImportError:
            pass
        with self.lock:
            import in_method_with


x = g(
1)


def f():
    y = h(
2)
    import after_a_low_bracket


if sys.version_info >= (3, 12):
    import new_enough

if TYPE_CHECKING: import one_line
try: import one_line_try
except ImportError: pass


def defaults(x=(1
if True else 2)):
    import below_a_header_lookalike


if sys.platform == "win32":
    import on_windows
'''


def test_kinds_in_module_level_blocks_are_as_the_tree_says() -> None:
    """Module-level `if TYPE_CHECKING:`, `try` and `with` blocks (known without a parse), a class
    with a TYPE_CHECKING branch, a low bracket line, an `if`, a tab and one-line blocks (parsed):
    every import line has the kind the whole file's tree gives it."""
    for source in (BLOCKS, BLOCKS.replace(b"    import in_with", b"\timport in_with")):
        lines = dict(import_kinds(source, None))
        oracle = _kinds_from_the_whole_tree(source)
        assert {line: lines.get(line, "runtime") for line in oracle} == oracle
        assert sorted(set(oracle.values())) == ["function", "runtime", "type_checking"]


@pytest.mark.parametrize(
    "header", [b"if " + b"-" * 5_000 + b"x:", b"if x" + b"+x" * 100_000 + b":", b"if " + b"not " * 600 + b"x:"]
)
def test_an_if_line_built_to_exhaust_the_compiler_is_left_to_the_parse(header: bytes) -> None:
    """A hostile module-level `if` header: the kinds are still told (by the parse), and
    nothing is raised (Python's compiler runs out of memory or recursion on such a line)."""
    source = header + b"\n    import inside\n\ndef f():\n    import in_function\n"
    lines = dict(import_kinds(source, None))
    assert lines.get(5) == "function"
    assert lines.get(2, "runtime") == "runtime"


def test_a_block_of_many_imports_is_read_once() -> None:
    """A module-level `try` block of 20,000 imports: each statement's headers are searched once,
    not once for each of its imports (that took 26 s here)."""
    body = b"".join(b"    import m%d\n" % i for i in range(20_000))
    source = b"try:\n" + body + b"    def f():\n        import inner\nexcept ImportError:\n    pass\n"
    lines = dict(import_kinds(source, None))
    assert lines == {20_003: "function"}


# A pydantic-like model: TYPE_CHECKING in the class body above methods whose imports are not
# under it, signatures over several lines, docstrings with lines at column 0, and other blocks.
MODEL = b'''from typing import TYPE_CHECKING


class BaseModel:
    """A model.

Example at column 0:
    from pydantic import BaseModel
"""

    if TYPE_CHECKING:
        from inspect import Signature

        def typed(self) -> None:
            import checking_in_def
    else:
        def runtime_only(self):
            import in_else_def

    if (
        TYPE_CHECKING
    ):
        import parenthesised_condition

    @classmethod
    def parse_obj(  # noqa: D102
        cls,
        obj: dict[str, int] = {"a": 1},
    ) -> BaseModel:
        from deprecated import parse

        for item in obj:
            while item:
                import in_loops
        return parse(obj)

    async def load(
        self,
    ):
        try:
            import in_try
        except ImportError:
            from fallback import in_except
        finally:
            import in_finally
        with open(__file__) as stream:
            import in_with
        text = """
import not_code
    def not_a_header():
"""
        import below_a_string

    def run[T](
        self, value: T = "(",  # ) not a bracket
    ) -> T:
        import in_generic_method

    class Config:
        import in_nested_class


def factory():
    class Local:
        def method(self):
            import in_local_class
    if TYPE_CHECKING:
        import checking_in_function
    import in_function
'''


def _parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the sources tree-sitter parses for kinds from now on."""
    from archgraph.scan import import_blocks  # noqa: PLC0415

    sizes: list[int] = []

    def counted(source: bytes) -> object:
        sizes.append(len(source))
        return parse(source)

    monkeypatch.setattr(import_blocks, "parse", counted)
    return sizes


def test_blocks_read_from_indentation_tell_every_kind_without_a_parse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A class with TYPE_CHECKING in its body no longer sends its methods' imports to the
    parse: each import's blocks are read from the lines indented less above it (a PEP 695
    signature over several lines too, which Python 3.11 cannot compile)."""
    parses = _parses(monkeypatch)
    lines = dict(import_kinds(MODEL, None))
    assert parses == []
    oracle = _kinds_from_the_whole_tree(MODEL)
    assert {line: lines.get(line, "runtime") for line in oracle} == oracle
    assert oracle[15] == "type_checking" and oracle[18] == "function"
    assert oracle[23] == "function"  # `if (TYPE_CHECKING):` is not the TYPE_CHECKING form


LOOKALIKES = {
    "a bracket line indented less": b'''class A:
    if TYPE_CHECKING:
        x = f(
    1)
        import still_checking
''',
    "an if in brackets that reads as a header": b'''class A:
    if TYPE_CHECKING:
        x = {1
    if y else 2:
        3}
        import still_checking
''',
    "a one-line TYPE_CHECKING block above": b'''class A:
    if TYPE_CHECKING: pass
    def f(self):
        import in_method
''',
    "a tab": b'''class A:
    if TYPE_CHECKING:
\tdef f(self):
\t    import tabbed
''',
    "an f-string holding its own quote": b'''class A:
    x = f"{'"""'}"
    if TYPE_CHECKING:
        import checking
    y = """
    """
''',
    "a signature whose lines are not the header's": b'''class A:
    if TYPE_CHECKING:
        import t
    def f(self):
        x = (
    )
        import in_method
''',
    "a line that starts inside a string": b'''def f():
    if TYPE_CHECKING:
        import t
    x = """
abc"""; import after_a_string
''',
}


@pytest.mark.parametrize("source", LOOKALIKES.values(), ids=list(LOOKALIKES))
def test_lines_that_only_look_like_blocks_are_left_to_the_parse(source: bytes) -> None:
    """Where the lines indented less are not surely the blocks' headers, the parse tells: the
    kinds are the whole tree's."""
    lines = dict(import_kinds(source, None))
    oracle = _kinds_from_the_whole_tree(source)
    assert {line: lines.get(line, "runtime") for line in oracle} == oracle


def test_many_methods_under_a_checking_class_are_read_in_linear_time() -> None:
    """20,000 methods, each with an import, below an `if TYPE_CHECKING:` in their class: each
    indentation's lines are searched once, not once for each import."""
    methods = b"".join(b"    def m%d(self):\n        import m%d\n" % (i, i) for i in range(20_000))
    source = b"class A:\n    if TYPE_CHECKING:\n        import t\n" + methods
    lines = dict(import_kinds(source, None))
    assert lines[3] == "type_checking"
    assert len(lines) == 20_001 and {lines[5], lines[40_003]} == {"function"}


@pytest.mark.parametrize("source", [SOURCE, METHODS, BLOCKS, MODEL], ids=["source", "methods", "blocks", "model"])
def test_each_line_asked_alone_has_the_kind_of_the_whole_file(source: bytes) -> None:
    """A check asks for the lines its violations show, one by one and in any order: each has
    the kind the whole file's reading gives it."""
    from archgraph.scan.import_blocks import FileKinds  # noqa: PLC0415

    whole = dict(import_kinds(source, None))
    file = FileKinds(source)
    for line in reversed(range(1, source.count(b"\n") + 2)):
        assert file.kind(line).value == whole.get(line, "runtime"), line


def test_a_line_at_module_level_is_told_without_looking_at_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A module-level import's kind needs neither the parse that an import in a one-line
    block elsewhere in the file needs, nor any reading of that block."""
    from archgraph.scan.import_blocks import FileKinds  # noqa: PLC0415

    source = b"import os\n\nif TYPE_CHECKING: import one_line\n\nlazy import later\n"
    parses = _parses(monkeypatch)
    file = FileKinds(source)
    assert (file.kind(1), file.kind(5)) == (ImportKind.RUNTIME, ImportKind.LAZY)
    assert parses == []
    assert file.kind(3) is ImportKind.TYPE_CHECKING and parses


@pytest.mark.parametrize(
    ("text", "one"),
    [
        (b'def run[T](\n    value: T = "(",  # ) not a bracket\n) -> T:', True),
        (b"class Model(\n    Base,\n):  # a comment", True),
        (b"def f(self):\n        x = (\n    ):", False),  # the statement ended on line 1
        (b"def f(\n    a,\n)  # not the colon:", False),
        (b"def f(\n    a,\n):", True),
        (b"def f(a)):", False),
    ],
)
def test_a_def_over_several_lines_is_one_header_only_when_its_brackets_say_so(
    text: bytes, one: bool
) -> None:
    from archgraph.scan.import_blocks import _one_header  # noqa: PLC0415

    assert _one_header(text) is one
