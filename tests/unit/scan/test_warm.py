"""WarmScan: texts (an editor's buffers) stand for their files in the import graph, and a scan
that only texts changed since gives what a fresh scan of the tree holding those texts gives."""

from __future__ import annotations

from pathlib import Path

from archgraph.scan import ScanOptions, ScanOutcome, scan
from archgraph.scan.warm import WarmScan
from tests.helpers import write_tree

TREE = {
    "pkg/__init__.py": "",
    "pkg/a.py": "from pkg import b\n",
    "pkg/b.py": "",
    "pkg/c.py": "import pkg.b\n",
}
OPTIONS = ScanOptions(("pkg",))


def imports(outcome: ScanOutcome) -> list[tuple[str, str, tuple[int, ...]]]:
    model = outcome.model
    return sorted((a, b, model.graph.import_lines(a, b)) for a, b in model.iter_imports())


def test_a_text_stands_for_its_file_as_if_it_were_written(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "edited", TREE).resolve()
    warm = WarmScan()
    assert warm.scan(root, OPTIONS).model.imports_of("pkg.a") == {"pkg.b"}
    text = b"import os\nfrom pkg import c\n"

    with_text = warm.scan(root, OPTIONS, {root / "pkg/a.py": text})

    written = write_tree(tmp_path / "written", {**TREE, "pkg/a.py": text.decode()}).resolve()
    assert imports(with_text) == imports(scan(written, OPTIONS))
    assert with_text.summary.imports == 2
    assert (root / "pkg/a.py").read_text() == TREE["pkg/a.py"]


def test_unchanged_texts_give_the_last_outcome_and_a_dropped_text_gives_the_file_again(
    tmp_path: Path,
) -> None:
    root = write_tree(tmp_path, TREE).resolve()
    warm = WarmScan()
    text = {root / "pkg/b.py": b"from pkg import c\n"}
    first = warm.scan(root, OPTIONS, text)
    assert warm.scan(root, OPTIONS, dict(text)) is first
    assert first.model.imports_of("pkg.b") == {"pkg.c"}
    assert warm.scan(root, OPTIONS).model.imports_of("pkg.b") == frozenset()


def test_a_text_that_does_not_parse_keeps_its_last_imports_that_did(tmp_path: Path) -> None:
    root = write_tree(tmp_path, TREE).resolve()
    warm = WarmScan()
    a = root / "pkg/a.py"
    assert warm.scan(root, OPTIONS, {a: b"from pkg import c\n"}).model.imports_of("pkg.a") == {"pkg.c"}
    half_typed = warm.scan(root, OPTIONS, {a: b"from pkg import c\nfrom pkg import (\n"})
    assert half_typed.model.imports_of("pkg.a") == {"pkg.c"}
    # Never parsed: the file's own imports stand.
    assert WarmScan().scan(root, OPTIONS, {a: b"def (\n"}).model.imports_of("pkg.a") == {"pkg.b"}


def test_a_file_edited_on_disk_is_read_again_under_a_text_of_another(tmp_path: Path) -> None:
    root = write_tree(tmp_path, TREE).resolve()
    warm = WarmScan()
    texts = {root / "pkg/a.py": b"from pkg import c\n"}
    warm.scan(root, OPTIONS, texts)
    write_tree(root, {"pkg/c.py": "import os\n"})
    warm.edited([root / "pkg/c.py"])
    after = warm.scan(root, OPTIONS, texts)
    assert after.model.imports_of("pkg.c") == frozenset()
    assert after.model.imports_of("pkg.a") == {"pkg.c"}
