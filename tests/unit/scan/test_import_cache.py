"""The import cache: a warm scan reads no file it does not have to, and sees every change."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from helpers import imports_of, modules_of, scan_tree, write_tree

from archgraph.scan import ScanOptions, ScanOutcome, ScanStore, grimp_api, scan
from archgraph.scan.import_cache import CACHE_NAME

TREE = {
    "pkg/__init__.py": "b = 1\n",
    "pkg/a.py": "from pkg import b\nimport pkg.c\n",
    "pkg/c.py": "import os\n",
}


@pytest.fixture
def scanned(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The modules grimp's scanner was asked to scan, one set per call."""
    calls: list[set[str]] = []
    real = grimp_api.scan_for_imports

    def spy(**kwargs: Any) -> object:
        calls.append({module for module, _mtime in kwargs["module_files"]})
        return real(**kwargs)

    monkeypatch.setattr(grimp_api, "scan_for_imports", spy)
    return calls


def details(outcome: ScanOutcome) -> set[tuple[str, str, tuple[int, ...]]]:
    model = outcome.model
    return {(a, b, model.step(a, b).lines) for a, b in imports_of(outcome)}


def touch(path: Path, text: str) -> None:
    """Rewrite a file and move its mtime on, as an edit a second later would."""
    stat = path.stat()
    path.write_text(text)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_a_warm_scan_scans_nothing_and_gives_the_same_graph(
    tmp_path: Path, scanned: list[set[str]]
) -> None:
    root = write_tree(tmp_path / "project", TREE)
    cache = tmp_path / "cache"
    cold = scan_tree(root, cache_dir=cache)
    assert scanned == [{"pkg", "pkg.a", "pkg.c"}]
    assert (cache / CACHE_NAME).is_file()
    scanned.clear()
    warm = scan_tree(root, cache_dir=cache)
    assert scanned == []
    assert details(warm) == details(cold) == {("pkg.a", "pkg", (1,)), ("pkg.a", "pkg.c", (2,))}
    assert modules_of(warm) == modules_of(cold)
    assert warm.summary == cold.summary


def test_a_store_of_one_scan_keeps_no_rows_once_written_and_still_serves_a_second_scan(
    tmp_path: Path, scanned: list[set[str]]
) -> None:
    """The rows are in the graph and in the cache file: the store lets go of them (they were
    held twice for the rest of a check), and a scan handed the same store reads the file."""
    root = write_tree(tmp_path / "project", TREE)
    store = ScanStore.in_folder(tmp_path / "cache")
    options = ScanOptions(root_packages=("pkg",))
    cold = scan(root, options, store)
    assert entries(store) == 0
    warm = scan(root, options, store)
    assert scanned == [{"pkg", "pkg.a", "pkg.c"}]  # the second scan read the rows back
    assert details(warm) == details(cold)
    memory = ScanStore.in_memory()  # one that outlives its scans keeps them
    scan(root, options, memory)
    assert entries(memory) == 3
    keeping = ScanStore.in_folder(tmp_path / "cache", keeps_imports=True)  # --affected's record
    scan(root, options, keeping)
    assert entries(keeping) == 3


def entries(store: ScanStore) -> int:
    """How many files' rows the store holds in memory (without loading the cache file)."""
    held = store._imports
    return 0 if held is None else len(held.entries)


def test_an_edited_file_alone_is_scanned_again(tmp_path: Path, scanned: list[set[str]]) -> None:
    root = write_tree(tmp_path / "project", TREE)
    cache = tmp_path / "cache"
    scan_tree(root, cache_dir=cache)
    scanned.clear()
    touch(root / "pkg/c.py", "import os\nimport pkg.a\n")
    warm = scan_tree(root, cache_dir=cache)
    assert scanned == [{"pkg.c"}]
    assert ("pkg.c", "pkg.a", (2,)) in details(warm)


def test_a_new_module_rescans_the_files_that_may_name_it(
    tmp_path: Path, scanned: list[set[str]]
) -> None:
    """`from pkg import b` names the attribute `pkg.b` until a module pkg/b.py appears."""
    root = write_tree(tmp_path / "project", TREE)
    cache = tmp_path / "cache"
    scan_tree(root, cache_dir=cache)
    scanned.clear()
    write_tree(root, {"pkg/b.py": "x = 1\n"})
    warm = scan_tree(root, cache_dir=cache)
    assert scanned == [{"pkg", "pkg.a", "pkg.b"}]  # pkg.c never mentions `b`
    assert ("pkg.a", "pkg.b", (1,)) in details(warm)
    assert details(warm) == details(scan_tree(root))


def test_a_removed_module_rescans_the_files_that_named_it(
    tmp_path: Path, scanned: list[set[str]]
) -> None:
    root = write_tree(tmp_path / "project", {**TREE, "pkg/b.py": "x = 1\n"})
    cache = tmp_path / "cache"
    assert ("pkg.a", "pkg.b", (1,)) in details(scan_tree(root, cache_dir=cache))
    scanned.clear()
    (root / "pkg/b.py").unlink()
    warm = scan_tree(root, cache_dir=cache)
    assert scanned == [{"pkg", "pkg.a"}]
    assert details(warm) == details(scan_tree(root)) == {
        ("pkg.a", "pkg", (1,)),
        ("pkg.a", "pkg.c", (2,)),
    }


def test_other_scan_options_do_not_reuse_the_cache(
    tmp_path: Path, scanned: list[set[str]]
) -> None:
    root = write_tree(tmp_path / "project", TREE)
    cache = tmp_path / "cache"
    scan_tree(root, cache_dir=cache)
    scanned.clear()
    external = scan_tree(root, cache_dir=cache, include_external_packages=True)
    assert scanned == [{"pkg", "pkg.a", "pkg.c"}]
    assert "os" in external.model.imports_of("pkg.c")


def test_a_corrupt_cache_is_a_miss(tmp_path: Path, scanned: list[set[str]]) -> None:
    root = write_tree(tmp_path / "project", TREE)
    cache = tmp_path / "cache"
    cold = scan_tree(root, cache_dir=cache)
    (cache / CACHE_NAME).write_bytes(b"not marshal")
    scanned.clear()
    assert details(scan_tree(root, cache_dir=cache)) == details(cold)
    assert scanned == [{"pkg", "pkg.a", "pkg.c"}]
