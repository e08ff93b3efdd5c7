"""The facts the symbol rules rely on: `__all__` (literal or computed) and attribute chains."""

from __future__ import annotations

from pathlib import Path

import pytest

from archgraph.model.facts import ImportedName
from archgraph.scan import facts as facts_module
from archgraph.scan import facts_cache
from archgraph.scan.extract import extract_facts
from archgraph.scan.fact_rows import from_row, to_row
from archgraph.scan.facts import FactsProvider
from archgraph.scan.store import ScanStore
from tests.helpers import write_tree


@pytest.mark.parametrize(
    ("source", "names", "partial"),
    [
        ('__all__ = ["a", "b"]\n', ("a", "b"), False),
        ('__all__ = ("a",)\n__all__ += ["b"]\n', ("a", "b"), False),
        ('__all__ = ["a"] + ["b"]\n', ("a", "b"), False),
        ('__all__ = ["a"]\n__all__.extend(["b"])\n__all__.append("c")\n', ("a", "b", "c"), False),
        ('__all__ = other.__all__ + ["a"]\n', ("a",), True),
        ('__all__ = base_all\n__all__ += ["a"]\n', ("a",), True),
        ('__all__ = ["a", *more]\n', ("a",), True),
        ("x = 1\n", None, False),
    ],
)
def test_dunder_all(source: str, names: tuple[str, ...] | None, partial: bool) -> None:
    facts = extract_facts("m", source.encode())
    assert (facts.dunder_all, facts.dunder_all_partial) == (names, partial)


def test_attribute_chains_cover_names_bound_by_both_import_forms() -> None:
    source = b"""\
import a.b
import c.d as cd
from e import f
from g import H as Alias

a.b.X()
cd.Y
f.sub.Z
Alias.method()
unrelated.W
"""
    facts = extract_facts("m", source)
    assert facts.attribute_chains == (
        ("a.b.X", 6),
        ("cd.Y", 7),
        ("f.sub.Z", 8),
        ("Alias.method", 9),
    )


def test_rows_round_trip_the_new_fields() -> None:
    facts = extract_facts("m", b'__all__ = x + ["a"]\nimport p\np.Q\n')
    assert from_row(to_row(facts)) == facts


def test_files_without_the_names_are_skipped_until_they_change(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "src", {"pkg/__init__.py": "", "pkg/a.py": "x = 1\n", "pkg/b.py": "Target = 1\n"})
    files = {"pkg": Path("pkg/__init__.py"), "pkg.a": Path("pkg/a.py"), "pkg.b": Path("pkg/b.py")}
    cache = tmp_path / "cache"

    first = FactsProvider(root, files, ScanStore.in_folder(cache)).facts(sorted(files), [b"Target"])
    (root / "pkg/a.py").write_text("from pkg.b import Target\n")  # new size: the record is stale
    second = FactsProvider(root, files, ScanStore.in_folder(cache)).facts(sorted(files), [b"Target"])

    assert sorted(first) == ["pkg.b"]
    assert sorted(second) == ["pkg.a", "pkg.b"]
    assert [i.names for i in second["pkg.a"].imports] == [(ImportedName("Target"),)]


def test_attribute_chains_are_extracted_when_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Facts read without chains (cached, or kept in memory) are parsed again when chains are wanted."""
    # Through the cache file, however small these files are next to it.
    monkeypatch.setattr(facts_module, "PARSE_COST_PER_CACHED_BYTE", 10**9)
    root = write_tree(tmp_path / "src", {
        "pkg/__init__.py": "", "pkg/a.py": "import os\nos.getcwd()\n", "pkg/b.py": "import os\n",
    })
    files = {"pkg": Path("pkg/__init__.py"), "pkg.a": Path("pkg/a.py"), "pkg.b": Path("pkg/b.py")}
    cache = tmp_path / "cache"
    provider = FactsProvider(root, files, ScanStore.in_folder(cache))

    plain = provider.facts(sorted(files))
    same_process = provider.facts(sorted(files), [b"getcwd"], chains=True)
    from_cache = FactsProvider(root, files, ScanStore.in_folder(cache)).facts(sorted(files), chains=True)
    cached_again = FactsProvider(root, files, ScanStore.in_folder(cache)).facts(sorted(files))

    assert [plain[m].attribute_chains for m in sorted(files)] == [None, None, None]
    assert {m: f.attribute_chains for m, f in same_process.items()} == {"pkg.a": (("os.getcwd", 2),)}
    assert [from_cache[m].attribute_chains for m in sorted(files)] == [(), (("os.getcwd", 2),), ()]
    assert [cached_again[m].attribute_chains for m in sorted(files)] == [(), (("os.getcwd", 2),), ()]
    assert {m: f.imports for m, f in from_cache.items()} == {m: f.imports for m, f in plain.items()}


def test_parallel_parsing_gives_every_file_once_as_one_process_would(tmp_path: Path) -> None:
    """Workers and this process share the batches: nothing lost, nothing twice, same rows."""
    from archgraph.scan.facts import PARALLEL_THRESHOLD, _parse_batch, parse_in_parallel  # noqa: PLC0415

    count = PARALLEL_THRESHOLD + 37
    root = write_tree(tmp_path, {
        f"pkg/m{i}.py": f"import os\nfrom pkg import m{i + 1} as nxt\n\nclass C{i}(nxt.Base):\n    x = os.sep\n"
        for i in range(count)
    })
    files = [(f"pkg.m{i}", str(root / f"pkg/m{i}.py")) for i in range(count)]
    files.append(("pkg.gone", str(root / "pkg/gone.py")))  # unreadable: None

    for chains in (False, True):
        parallel = list(parse_in_parallel(files, chains))
        assert sorted(parallel) == sorted(_parse_batch(files, chains))
        assert len(parallel) == count + 1
        assert dict(parallel)[str(root / "pkg/gone.py")] is None


def test_a_few_files_next_to_a_big_cache_are_parsed_without_loading_it(tmp_path: Path) -> None:
    """After an edit, asking for one module's facts parses it rather than loading every
    file's cached facts; the answer is the same and the cache file is left as it was."""
    many = {f"pkg/m{i:03}.py": f"import os\n\nclass C{i}:\n    pass\n" for i in range(200)}
    root = write_tree(tmp_path / "src", {"pkg/__init__.py": "", **many})
    files = {f"pkg.m{i:03}": Path(f"pkg/m{i:03}.py") for i in range(200)} | {"pkg": Path("pkg/__init__.py")}
    cache = tmp_path / "cache"
    FactsProvider(root, files, ScanStore.in_folder(cache)).facts(sorted(files))
    cache_file = cache / facts_cache.CACHE_NAME
    written = cache_file.stat().st_mtime_ns
    (root / "pkg/m007.py").write_text("import os\n\nclass Edited(os.PathLike):\n    pass\n")

    provider = FactsProvider(root, files, ScanStore.in_folder(cache))
    one = provider.facts(["pkg.m007"])
    assert [c.name for c in one["pkg.m007"].classes] == ["Edited"]
    assert cache_file.stat().st_mtime_ns == written
    everything = provider.facts(sorted(files))  # many files: through the cache, as before
    assert [c.name for c in everything["pkg.m008"].classes] == ["C8"]
    assert everything["pkg.m007"] is one["pkg.m007"]


def test_a_long_run_of_comment_lines_parses_in_linear_time_and_changes_no_fact() -> None:
    """tree-sitter's parser is quadratic over a run of comment lines (20,000 lines: 25 s);
    archgraph blanks such runs first. Lines, names and chains must come out the same."""
    import time  # noqa: PLC0415

    def source(filler: bytes) -> bytes:
        return (
            b"import os\nfrom pkg import base\n"
            + filler
            + b"class Late(base.Base):\n    def run(self):\n        return os.getcwd()\n"
            + b"def f():\n"
            + filler.replace(b"\n", b"\n    ").rstrip(b" ")
            + b"    from pkg.inner import Thing  # noqa\n"
            + b"    return Thing\n"
        )

    lines = 30_000
    commented = source(b"# commented out: import nothing\n\n" * (lines // 2))
    coded = source(b"x = 1  # c\n\n" * (lines // 2))  # as many lines, as many bytes of code
    started = time.perf_counter()
    facts = extract_facts("pkg.mod", commented)
    with_comments = time.perf_counter() - started
    started = time.perf_counter()
    baseline = extract_facts("pkg.mod", coded)
    with_code = time.perf_counter() - started

    assert [(c.name, c.line, c.bases) for c in facts.classes] == [
        (c.name, c.line, c.bases) for c in baseline.classes
    ] == [("Late", lines + 3, ("base.Base",))]
    assert [(i.line, i.module) for i in facts.imports] == [(i.line, i.module) for i in baseline.imports]
    assert facts.attribute_chains == baseline.attribute_chains
    assert facts.error_line is None
    # Linear: about the cost of as many lines of code (it was a thousand times more).
    assert with_comments < 10 * with_code + 0.5
