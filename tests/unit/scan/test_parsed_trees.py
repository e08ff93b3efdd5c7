"""ParsedTrees: a file's next version parsed incrementally gives the facts a fresh parse gives."""

from __future__ import annotations

from archgraph.scan.extract import extract_row
from archgraph.scan.syntax import COMMENT_RUN, ParsedTrees

BASE = (
    b"import os\n"
    b"from pkg.base import Base\n\n\n"
    b"class A(Base):\n"
    b"    def run(self):\n"
    b"        return os.getcwd()\n\n\n"
    b"class B:\n"
    b"    pass\n"
)

VERSIONS = [
    BASE,
    b"import sys\n" + BASE,  # at the start
    BASE.replace(b"class B:", b"class B(A):"),  # in the middle, a base added
    BASE + b"\n\nclass C(B):\n    x: int = 1\n",  # at the end
    BASE.replace(b"    def run(self):\n        return os.getcwd()\n", b""),  # a deletion
    BASE.replace(b"class B:", b"class B(:"),  # a syntax error
    BASE,  # fixed again
    b"# note\n" * (COMMENT_RUN + 5) + BASE,  # a long comment run: blanked before parsing
    BASE.replace(b"Base", "Basé".encode()),  # multi-byte characters: offsets in bytes
    b"",  # emptied
    BASE,
]


def test_each_version_gives_the_facts_of_a_fresh_parse() -> None:
    trees = ParsedTrees()
    for number, source in enumerate(VERSIONS):
        tree = trees.parse("pkg/a.py", source)
        assert extract_row("pkg.a", source, True, tree) == extract_row("pkg.a", source, True), number


def test_it_keeps_only_the_latest_files() -> None:
    trees = ParsedTrees(capacity=2)
    for path in ("a.py", "b.py", "c.py"):
        trees.parse(path, BASE)
    assert list(trees._trees) == ["b.py", "c.py"]
