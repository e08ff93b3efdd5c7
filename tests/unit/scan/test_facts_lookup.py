"""Facts found by searching the bytes first: every statement form, and nothing from text."""

from __future__ import annotations

from archgraph.scan.extract import extract_facts


def test_imports_and_classes_are_found_wherever_a_statement_can_start() -> None:
    source = b'''import first
"""A docstring: data comes from the API; import nothing; class notes."""
x = 1; import after_semicolon
if TYPE_CHECKING: from typing import Protocol
def f(): import in_function
class A: pass
try:
\timport tabbed
except ImportError:  # from here on, nothing
    from . import relative
@decorator
class B(A):
    class Inner: ...
text = "import fake"
\x0cimport after_form_feed
'''
    facts = extract_facts("pkg.m", source)
    assert [(i.line, i.module or ".", i.level) for i in facts.imports] == [
        (1, "first", 0),
        (3, "after_semicolon", 0),
        (4, "typing", 0),
        (5, "in_function", 0),
        (8, "tabbed", 0),
        (10, ".", 1),
        (15, "after_form_feed", 0),
    ]
    assert facts.imports[2].type_checking and facts.imports[3].in_function and facts.imports[4].in_try
    assert [c.qualname for c in facts.classes] == ["A", "B", "B.Inner"]


def test_statements_inside_a_syntax_error_region_are_not_facts() -> None:
    facts = extract_facts("pkg.m", b"import kept\n<<<<<<< HEAD\nimport ours\n=======\n")
    assert facts.error_line is not None
    assert "kept" in [i.module for i in facts.imports]


def test_alias_uses_are_attribute_objects_only() -> None:
    source = b"import os\nimport os.path as osp\nos.getcwd()\nx.os.y\nosp.join(a)\nsomeos.z\n'os.fake'\n"
    assert extract_facts("pkg.m", source).attribute_chains == (("os.getcwd", 3), ("osp.join", 5))


def test_attribute_types_come_from_constructors_and_annotated_parameters() -> None:
    source = b'''class Wrapper:
    def __init__(self, inner: Dispatcher, size: int | None = None, *, other: pkg.Other) -> None:
        self._inner = inner
        self._size = size
        self._other = other
        self._made = Made()
        self._tools[name] = Tool()

    def run(self):
        return self._inner.run()

    def first(self):
        return self._inner[0].run()
'''
    (wrapper,) = extract_facts("pkg.m", source).classes
    assert wrapper.attribute_types == (("_inner", "Dispatcher"), ("_other", "pkg.Other"), ("_made", "Made"))
    assert [(f.method, f.attribute, f.target) for f in wrapper.forwarded] == [("run", "_inner", "run")]


SEED, ROUNDS = 7, 3000


def test_alias_uses_are_found_like_a_word_bounded_alternation() -> None:
    """`_dot_candidates` finds what `\\b(?:a|b)\\b` finds, less the uses no dot can follow."""
    import random  # noqa: PLC0415
    import re  # noqa: PLC0415

    from archgraph.scan.extract import _MAY_PRECEDE_DOT, _dot_candidates  # noqa: PLC0415

    alphabet = [b"a", b"b", b"_", b"1", b".", b" ", b"(", b"#", b"\\", b"\n", "é".encode(), b"ab"]
    names = ["a", "ab", "aa", "b1", "a_b", "éa", "aé", "_"]
    chooser = random.Random(SEED)
    for _ in range(ROUNDS):
        source = b"".join(chooser.choice(alphabet) for _ in range(chooser.randrange(0, 24)))
        aliases = set(chooser.sample(names, chooser.randrange(1, 4)))
        pattern = rb"\b(?:" + b"|".join(re.escape(a.encode()) for a in sorted(aliases)) + rb")\b"
        expected = sorted(
            m.span() for m in re.finditer(pattern, source)
            if m.end() < len(source) and source[m.end()] in _MAY_PRECEDE_DOT
        )
        assert sorted(_dot_candidates(source, aliases)) == expected, (source, aliases)
