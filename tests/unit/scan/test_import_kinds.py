"""The kind of each import statement, read from its module-level statement parsed alone where
that is sure, else from the whole file: the same answer either way."""

from __future__ import annotations

from archgraph.scan.file_scan import import_kinds

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
