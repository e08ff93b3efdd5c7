"""Hostile source files: each is reported with its file and line, and nothing else is lost.

test_scan.py covers the foundation's blind spots (syntax errors, conflict markers, undecodable
and NUL files, names that are not identifiers, climbing relative imports); this file covers the
rest of the bad-input matrix. Every tree also holds good modules whose imports must survive.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from helpers import brief, imports_of, modules_of, scan_tree, write_tree

from archgraph.scan import ScanOutcome
from archgraph.scan.extract import extract_facts

GOOD = {
    "pkg/__init__.py": "",
    "pkg/b.py": "x = 1\n",
    "pkg/c.py": "import pkg.b\n",
}
GOOD_IMPORTS = {("pkg.c", "pkg.b")}


def scan_with(root: Path, files: dict[str, str | bytes], **options: object) -> ScanOutcome:
    return scan_tree(write_tree(root, {**GOOD, **files}), **options)


def test_a_byte_order_mark_is_read_like_any_utf8_file(tmp_path: Path) -> None:
    outcome = scan_with(tmp_path, {"pkg/a.py": b"\xef\xbb\xbfimport pkg.b\n\nimport pkg.c\n"})
    assert imports_of(outcome) == GOOD_IMPORTS | {("pkg.a", "pkg.b"), ("pkg.a", "pkg.c")}
    assert outcome.model.step("pkg.a", "pkg.c").lines == (3,)
    assert outcome.diagnostics == ()
    (facts,) = outcome.model.facts(["pkg.a"]).values()
    assert [(fact.line, fact.module) for fact in facts.imports] == [(1, "pkg.b"), (3, "pkg.c")]


def test_an_empty_file_is_a_module_without_imports(tmp_path: Path) -> None:
    outcome = scan_with(tmp_path, {"pkg/empty.py": "", "pkg/sub/__init__.py": ""})
    assert modules_of(outcome) == {"pkg", "pkg.b", "pkg.c", "pkg.empty", "pkg.sub"}
    assert imports_of(outcome) == GOOD_IMPORTS
    assert outcome.diagnostics == ()


def test_a_python_2_print_statement_is_a_syntax_error_at_its_line(tmp_path: Path) -> None:
    outcome = scan_with(tmp_path, {"pkg/old.py": "import pkg.b\n\nprint 'hello'\n"})
    assert "pkg.old" in modules_of(outcome)
    assert imports_of(outcome) == GOOD_IMPORTS
    assert brief(outcome.diagnostics) == [("AG201", "warning", "pkg/old.py", 3)]
    assert outcome.diagnostics[0].message == "syntax error: print 'hello'; file not analyzed"


MODERN_SYNTAX = {
    "pep695-generics": "class Box[T]:\n    pass\n\ndef first[T](items: list[T]) -> T:\n    return items[0]\n",
    "pep695-type-statement": "type Pair[T] = tuple[T, T]\n",
    "pep701-nested-f-string": 'name = "x"\ns = f"{f"{name!r}"}"\n',
    "pep758-except-without-parens": "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n",
    "pep750-t-string": "name = 'x'\ntemplate = t'hello {name}'\n",
    "match-statement": "match 1:\n    case [x, *_]:\n        pass\n    case _:\n        pass\n",
}


@pytest.mark.parametrize("source", MODERN_SYNTAX.values(), ids=MODERN_SYNTAX.keys())
def test_python_3_12_to_3_14_syntax_is_analyzed(tmp_path: Path, source: str) -> None:
    """grimp's Rust parser and tree-sitter read these whatever Python runs archgraph."""
    text = source + "import pkg.b\n"
    line = text.count("\n")
    outcome = scan_with(tmp_path, {"pkg/modern.py": text})
    assert imports_of(outcome) == GOOD_IMPORTS | {("pkg.modern", "pkg.b")}
    assert outcome.model.step("pkg.modern", "pkg.b").lines == (line,)
    assert outcome.diagnostics == ()
    facts = extract_facts("pkg.modern", text.encode())
    assert facts.error_line is None
    assert [(fact.line, fact.module) for fact in facts.imports] == [(line, "pkg.b")]


# (file bytes, the diagnostic expected or None when the file is analyzed)
ENCODINGS = {
    "latin-1-declared": (b'# -*- coding: latin-1 -*-\nimport pkg.b\ns = "caf\xe9"\n', None),
    "declared-below-a-shebang": (
        b'#!/usr/bin/env python\n# coding=cp1252\nimport pkg.b\ns = "\x93q\x94"\n',
        None,
    ),
    "crlf-line-ends": (b"import os\r\n\r\nimport pkg.b\r\n", None),
    "form-feed": (b"\x0cimport pkg.b\n", None),
    # PEP 263: a declaration on line 3 does not count, as for Python.
    "declared-too-late": (
        b'#!/usr/bin/env python\n\n# coding: latin-1\nimport pkg.b\ns = "caf\xe9"\n',
        (5, "file is not valid UTF-8 and declares no encoding"),
    ),
    "utf-8-declared-but-latin-1": (
        b'# coding: utf-8\nimport pkg.b\ns = "caf\xe9"\n',
        (3, "file is not valid utf-8 although its coding declaration says so"),
    ),
    "unknown-encoding-declared": (
        b"# -*- coding: klingon -*-\nimport pkg.b\n",
        (1, "the coding declaration names an unknown encoding 'klingon'"),
    ),
    "bom-then-latin-1": (
        b'\xef\xbb\xbfimport pkg.b\ns = "caf\xe9"\n',
        (2, "file is not valid UTF-8 and declares no encoding"),
    ),
    "utf-16": ("import pkg.b\n".encode("utf-16"), (1, "file contains NUL bytes")),
}


@pytest.mark.parametrize(("data", "expected"), ENCODINGS.values(), ids=ENCODINGS.keys())
def test_encodings(tmp_path: Path, data: bytes, expected: tuple[int, str] | None) -> None:
    outcome = scan_with(tmp_path, {"pkg/enc.py": data})
    assert "pkg.enc" in modules_of(outcome)
    if expected is None:
        assert imports_of(outcome) == GOOD_IMPORTS | {("pkg.enc", "pkg.b")}
        assert outcome.diagnostics == ()
        return
    line, message = expected
    assert imports_of(outcome) == GOOD_IMPORTS
    assert brief(outcome.diagnostics) == [("AG201", "warning", "pkg/enc.py", line)]
    assert outcome.diagnostics[0].message == f"{message}; file not analyzed"


def nested_ifs(depth: int) -> str:
    return "".join(" " * level + "if x:\n" for level in range(depth)) + " " * depth + "import pkg.c\n"


def test_deep_nesting_within_the_parsers_limits(tmp_path: Path) -> None:
    outcome = scan_with(
        tmp_path,
        {
            "pkg/parens.py": "import pkg.b\nx = " + "(" * 200 + "1" + ")" * 200 + "\n",
            "pkg/ifs.py": "import pkg.b\n" + nested_ifs(100),
        },
    )
    assert imports_of(outcome) == GOOD_IMPORTS | {
        ("pkg.parens", "pkg.b"),
        ("pkg.ifs", "pkg.b"),
        ("pkg.ifs", "pkg.c"),
    }
    assert outcome.model.step("pkg.ifs", "pkg.c").lines == (102,)
    assert outcome.diagnostics == ()
    facts = outcome.model.facts(["pkg.parens", "pkg.ifs"])
    assert [f.line for f in facts["pkg.ifs"].imports] == [1, 102]
    assert facts["pkg.ifs"].imports[1].in_function is False


def test_nesting_beyond_the_parsers_limits_is_a_syntax_error_at_its_line(tmp_path: Path) -> None:
    """CPython refuses these too ('too many nested parentheses', 'too many levels of indentation')."""
    outcome = scan_with(
        tmp_path,
        {
            "pkg/parens.py": "import pkg.b\nx = " + "(" * 1000 + "1" + ")" * 1000 + "\n",
            "pkg/ifs.py": "import pkg.b\n" + nested_ifs(1000),
        },
    )
    assert imports_of(outcome) == GOOD_IMPORTS
    assert [(code, path, line) for code, _s, path, line in brief(outcome.diagnostics)] == [
        ("AG201", "pkg/ifs.py", 205),
        ("AG201", "pkg/parens.py", 2),
    ]


def test_a_long_attribute_chain_does_not_exhaust_the_facts_extractor() -> None:
    """`_dotted` recursed once per attribute: 2,000 of them raised RecursionError."""
    source = b"import os\nvalue = os" + b".attribute" * 2000 + b"\nfrom pkg import b\n"
    facts = extract_facts("pkg.chain", source)
    assert [(fact.line, fact.module) for fact in facts.imports] == [(1, "os"), (3, "pkg")]
    ((chain, line),) = facts.attribute_chains
    assert line == 2 and chain.count(".") == 2000


def generated_module(size: int) -> str:
    """A module of about `size` bytes: imports at the top, in the middle and at the end."""
    chunks = ["import pkg.b\n"]
    total, index = 0, 0
    while total < size:
        chunk = f"def function_{index}(value: int) -> int:\n    return value * {index} + {'1' * 40}\n\n"
        chunks.append(chunk)
        total += len(chunk)
        index += 1
        if index == 50_000:
            chunks.append("from pkg import c\n")
    chunks.append("import pkg.c\n")
    return "".join(chunks)


@pytest.mark.slow  # seconds: a 10 MB file scanned and parsed
def test_a_10_mb_generated_module(tmp_path: Path, record_property: pytest.RecordProperty) -> None:
    source = generated_module(10_000_000)
    lines = source.count("\n")
    started = time.perf_counter()
    # Over the default max_file_bytes (5 MB): raised, to parse it for its facts all the same.
    outcome = scan_with(tmp_path, {"pkg/generated.py": source}, max_file_bytes=20_000_000)
    scanned = time.perf_counter() - started
    facts = outcome.model.facts(["pkg.generated"])["pkg.generated"]
    parsed = time.perf_counter() - started - scanned
    record_property("scan_seconds", round(scanned, 2))
    record_property("facts_seconds", round(parsed, 2))
    assert imports_of(outcome) == GOOD_IMPORTS | {
        ("pkg.generated", "pkg.b"),
        ("pkg.generated", "pkg.c"),
    }
    middle = source[: source.index("from pkg import c")].count("\n") + 1
    assert outcome.model.step("pkg.generated", "pkg.c").lines == (middle, lines)
    assert outcome.diagnostics == ()
    assert [fact.line for fact in facts.imports] == [1, middle, lines]
    # Measured on a 2-core machine: the scan takes about 0.3 s, tree-sitter facts about 3 s.
    assert scanned < 10 and parsed < 30, (scanned, parsed)


def test_very_long_lines(tmp_path: Path) -> None:
    long_string = "x = '" + "a" * 2_000_000 + "'\n"
    # grimp's scanner is quadratic in the names of one import: 5,000 take 0.3 s, 20,000 take 11 s.
    long_import = "from pkg.b import " + ", ".join(f"name_{i}" for i in range(5_000)) + "\n"
    outcome = scan_with(tmp_path, {"pkg/long.py": long_string + long_import + "import pkg.c\n"})
    assert imports_of(outcome) == GOOD_IMPORTS | {("pkg.long", "pkg.b"), ("pkg.long", "pkg.c")}
    assert outcome.model.step("pkg.long", "pkg.c").lines == (3,)
    assert outcome.diagnostics == ()


def test_stubs_beside_modules_are_ignored_and_lone_stubs_are_noted(tmp_path: Path) -> None:
    """Python imports `a.py`, never `a.pyi`; a stub's imports are not run-time imports."""
    outcome = scan_with(
        tmp_path,
        {
            "pkg/a.py": "import pkg.b\n",
            "pkg/a.pyi": "import pkg.c\n",
            "pkg/lonely.pyi": "import pkg.c\n",
        },
    )
    assert modules_of(outcome) == {"pkg", "pkg.a", "pkg.b", "pkg.c"}
    assert imports_of(outcome) == GOOD_IMPORTS | {("pkg.a", "pkg.b")}
    assert brief(outcome.diagnostics) == [("AG208", "info", "pkg/lonely.pyi", None)]
    assert outcome.diagnostics[0].message == (
        "stub 'lonely.pyi' has no 'lonely.py' beside it; Python cannot import a stub,"
        " so it is not analyzed"
    )


def test_directories_named_like_keywords_are_importlib_modules(tmp_path: Path) -> None:
    outcome = scan_with(
        tmp_path,
        {
            "pkg/class/__init__.py": "from pkg import b\n",
            "pkg/class/m.py": "import pkg.c\n",
            "pkg/import/x.py": "from pkg import b\n",
        },
    )
    assert modules_of(outcome) >= {"pkg.class", "pkg.class.m", "pkg.import", "pkg.import.x"}
    assert imports_of(outcome) == GOOD_IMPORTS | {
        ("pkg.class", "pkg.b"),
        ("pkg.class.m", "pkg.c"),
        ("pkg.import.x", "pkg.b"),
    }
    assert brief(outcome.diagnostics) == [
        ("AG205", "info", "pkg/class", None),
        ("AG205", "info", "pkg/import", None),
    ]
    assert outcome.model.namespace_modules == {"pkg.import"}


def test_symbolic_links_and_special_files(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "project",
        {**GOOD, "pkg/a.py": "import pkg.b\n", "outside/x.py": "import pkg.c\n"},
    )
    package = root / "pkg"
    (package / "alias.py").symlink_to(package / "a.py")  # Python imports it as its own module
    (package / "linked").symlink_to(root / "outside")  # a directory elsewhere: a namespace portion
    (package / "loop").symlink_to(package)  # leads back into the walk
    (package / "self.py").symlink_to("self.py")  # a link to itself
    (package / "gone.py").symlink_to(root / "missing.py")
    (package / "gone_dir").symlink_to(root / "missing_dir")
    os.mkfifo(package / "pipe.py")  # reading it would block forever
    outcome = scan_tree(root)
    assert modules_of(outcome) == {
        "pkg",
        "pkg.a",
        "pkg.alias",
        "pkg.b",
        "pkg.c",
        "pkg.linked",
        "pkg.linked.x",
    }
    assert imports_of(outcome) == GOOD_IMPORTS | {
        ("pkg.a", "pkg.b"),
        ("pkg.alias", "pkg.b"),
        ("pkg.linked.x", "pkg.c"),
    }
    assert [(d.code, d.location.path.name if d.location else None, d.message) for d in outcome.diagnostics] == [
        ("AG206", "gone.py", "broken symbolic link: its target does not exist"),
        ("AG206", "gone_dir", "broken symbolic link: its target does not exist"),
        ("AG207", "loop", "symbolic link loop: directory already visited"),
        ("AG206", "pipe.py", "not a regular file (a named pipe); not analyzed"),
        ("AG207", "self.py", "symbolic link loop: the link leads back to itself"),
    ]


def test_a_relative_import_in_an_init_file_names_the_package_itself(tmp_path: Path) -> None:
    outcome = scan_with(
        tmp_path,
        {"pkg/sub/__init__.py": "from . import leaf\nfrom .leaf import name\nfrom .. import b\n", "pkg/sub/leaf.py": ""},
    )
    assert imports_of(outcome) == GOOD_IMPORTS | {("pkg.sub", "pkg.sub.leaf"), ("pkg.sub", "pkg.b")}
    assert outcome.model.step("pkg.sub", "pkg.sub.leaf").lines == (1, 2)
    assert outcome.diagnostics == ()


@pytest.mark.parametrize(
    ("file", "dots", "climbs"),
    [
        ("pkg/__init__.py", 3, 2),
        ("pkg/a.py", 3, 2),
        ("pkg/a.py", 4, 3),
        ("pkg/sub/a.py", 5, 3),
    ],
)
def test_relative_imports_climbing_two_or_more_levels(
    tmp_path: Path, file: str, dots: int, climbs: int
) -> None:
    """grimp's scanner panics on these; archgraph leaves the file out and says where."""
    outcome = scan_with(
        tmp_path,
        {"pkg/sub/__init__.py": "", file: f"import pkg.b\n\nfrom {'.' * dots} import x\n"},
    )
    assert imports_of(outcome) == GOOD_IMPORTS
    assert brief(outcome.diagnostics) == [("AG202", "warning", file, 3)]
    assert outcome.diagnostics[0].message.startswith(
        f"relative import goes {climbs} levels above the top-level package"
    )


def test_a_module_named_like_the_stdlib_is_not_what_absolute_imports_reach(tmp_path: Path) -> None:
    """Python 3 imports are absolute: `import json` in pkg.a is the standard library's json."""
    root = write_tree(
        tmp_path,
        {
            **GOOD,
            "pkg/json.py": "",
            "pkg/a.py": "import json\n",
            "pkg/r.py": "from . import json\n",
            "pkg/p.py": "from pkg import json\n",
        },
    )
    outcome = scan_tree(root)
    assert imports_of(outcome) == GOOD_IMPORTS | {("pkg.r", "pkg.json"), ("pkg.p", "pkg.json")}
    with_externals = scan_tree(root, include_external_packages=True)
    assert with_externals.model.imports_of("pkg.a") == {"json"}
    assert "json" not in with_externals.model.internal_modules
    assert outcome.diagnostics == ()


def test_imports_of_modules_that_do_not_exist(tmp_path: Path) -> None:
    """grimp resolves `import pkg.nothere` to pkg and drops `from pkg.nothere import x`:
    either way Python raises ImportError, so archgraph says where (AG211)."""
    outcome = scan_with(
        tmp_path,
        {
            "pkg/a.py": """
                import pkg.nothere
                from pkg.nothere import name
                from .nothere import name
                import pkg.b.x
                from pkg import nope
                try:
                    import pkg.optional
                except ImportError:
                    pass
                from pkg._speedups.inner import fast
                from pkg.skipped import thing
                import pkg.b
            """,
            # An extension module (its submodules too) and an unreadable directory name exist
            # for Python though archgraph cannot analyze them.
            "pkg/_speedups.cpython-311-x86_64-linux-gnu.so": b"\x7fELF",
            "pkg/skipped/thing.py": "",
        },
        include_namespace_dirs=False,
    )
    assert imports_of(outcome) == GOOD_IMPORTS | {("pkg.a", "pkg"), ("pkg.a", "pkg.b")}
    assert [(code, line) for code, _s, path, line in brief(outcome.diagnostics) if code == "AG211"] == [
        ("AG211", 1),
        ("AG211", 2),
        ("AG211", 3),
        ("AG211", 4),
    ]
    messages = [d.message for d in outcome.diagnostics if d.code == "AG211"]
    assert messages[0] == "import of pkg.nothere: no such module; Python would raise ImportError"
    assert messages[3].startswith("import of pkg.b.x: no such module")


def test_a_relative_import_one_level_above_the_top_package_is_reported(tmp_path: Path) -> None:
    """grimp drops it silently (without external packages): Python raises ImportError."""
    outcome = scan_with(tmp_path, {"pkg/__init__.py": "import pkg.b\nfrom .. import x\n"})
    assert imports_of(outcome) == GOOD_IMPORTS | {("pkg", "pkg.b")}
    assert brief(outcome.diagnostics) == [("AG202", "warning", "pkg/__init__.py", 2)]
    assert outcome.diagnostics[0].message == (
        "relative import goes 1 level above the top-level package; import ignored"
    )


DYNAMIC = {
    "pkg/plugins.py": """
        import importlib
        from importlib import import_module

        first = importlib.import_module("pkg.b")
        second = import_module(
            "pkg.c"
        )
        third = __import__("pkg.b")
        name = "pkg.c"
        computed = importlib.import_module(name)
        formatted = importlib.import_module(f"pkg.{name}")
        external = importlib.import_module("json")
        missing = importlib.import_module("pkg.nothere")
        # importlib.import_module("pkg.b") in a comment, and in a string below: not calls
        text = 'import_module("pkg.c")'
        plain = importlib.import_module(f"pkg.b")
    """,
}


def test_dynamic_imports_are_noted_and_not_edges_by_default(tmp_path: Path) -> None:
    outcome = scan_with(tmp_path, DYNAMIC)
    assert imports_of(outcome) == GOOD_IMPORTS
    assert brief(outcome.diagnostics) == [
        ("AG210", "info", "pkg/plugins.py", 4),
        ("AG210", "info", "pkg/plugins.py", 6),
        ("AG210", "info", "pkg/plugins.py", 8),
        ("AG210", "info", "pkg/plugins.py", 16),
    ]
    assert outcome.diagnostics[0].message == (
        "dynamic import of pkg.b (importlib); not an import of the graph unless"
        " include_dynamic_imports = true"
    )


def test_dynamic_imports_become_edges_when_asked(tmp_path: Path) -> None:
    outcome = scan_with(tmp_path, DYNAMIC, include_dynamic_imports=True)
    assert imports_of(outcome) == GOOD_IMPORTS | {("pkg.plugins", "pkg.b"), ("pkg.plugins", "pkg.c")}
    assert outcome.model.step("pkg.plugins", "pkg.b").lines == (4, 8, 16)
    assert outcome.model.step("pkg.plugins", "pkg.c").lines == (6,)
