"""The cache folder inside the checkout belongs to whoever wrote the tree: a pull request can
commit one. Whatever it holds, a run gives what a run without a cache gives, reads nothing
through links, writes nothing outside, and never fails with an internal error."""

from __future__ import annotations

import marshal
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archgraph.cli import main
from archgraph.scan import cache_file
from tests.helpers import write_tree

TREE = {
    "pkg/__init__.py": "",
    "pkg/registry.py": "class AgentRegistry:\n    pass\n",
    "pkg/user.py": "from pkg.registry import AgentRegistry\nimport pkg.missing\n",
    "pkg/lazy.py": "import importlib\nimportlib.import_module('pkg.user')\n",
    "pkg/broken.py": "def broken(:\n",
    "pkg/tools/__init__.py": "",
    "pkg/tools/a.py": "class ToolDispatcher:\n    def dispatch(self): ...\n    def shutdown(self): ...\n",
    "pkg/tools/b.py": "class AdminToolDispatcher:\n    def dispatch(self): ...\n    def shutdown(self): ...\n",
    "contracts/c.toml": """\
[archgraph]
root_packages = ["pkg"]

[[contracts]]
id = "registry"
name = "Only the registry imports AgentRegistry"
type = "protected"
symbols = ["pkg.registry.AgentRegistry"]
allowed_importers = ["pkg.registry"]

[[contracts]]
id = "tools"
name = "Tools do not import the user"
type = "forbidden"
source_modules = ["pkg.tools"]
forbidden_modules = ["pkg.user"]
""",
}


def run(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, str(root)])
    assert "please report" not in result.output, result.output
    return result.exit_code, result.output


def outputs(root: Path, *cache: str) -> list[tuple[int, str]]:
    """What check (json) and families (json) say about the tree."""
    return [
        run(root, "check", "--format", "json", *cache),
        run(root, "families", "--format", "json", *cache),
    ]


def poisoned(value: Any) -> Any:
    """The same shape with every leaf of another type: strings become ints, numbers strings,
    booleans None, bytes floats. A type-confused payload under the right header."""
    if isinstance(value, dict):
        return {poisoned(k) if isinstance(k, tuple) else k: poisoned(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, frozenset)):
        return type(value)(poisoned(item) for item in value)
    if isinstance(value, bool) or value is None:
        return 7 if value is None else None
    if isinstance(value, str):
        return 42
    if isinstance(value, (int, float)):
        return "x"
    if isinstance(value, bytes):
        return 1.5
    return value


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "project", TREE)


def test_every_cache_file_with_a_type_confused_payload_is_a_miss(tree: Path) -> None:
    clean = outputs(tree, "--no-cache")
    assert outputs(tree) == clean  # cold: writes the caches
    caches = tree / ".archgraph_cache"
    files = sorted(p for p in caches.iterdir() if p.is_file())
    assert len(files) >= 6, files  # imports, facts, audit, unparsable, memo, mentions, classes
    for file in files:
        header, *payload = marshal.loads(file.read_bytes())
        assert header[0] == cache_file.STORE_VERSION
        file.write_bytes(marshal.dumps((header, *poisoned(tuple(payload)))))
        assert outputs(tree) == clean, file.name  # read, refused, rebuilt: the same answers


def test_a_cache_file_linked_to_a_device_or_a_secret_is_not_read(tree: Path, tmp_path: Path) -> None:
    clean = outputs(tree, "--no-cache")
    outputs(tree)
    secret = tmp_path / "secret"
    content = marshal.dumps(((cache_file.STORE_VERSION, 1), {}))
    secret.write_bytes(content)
    for file in (tree / ".archgraph_cache").iterdir():
        file.unlink()
        os.symlink("/dev/zero" if file.name.startswith("imports") else secret, file)
    assert outputs(tree) == clean  # /dev/zero would never end; the secret is not read
    assert secret.read_bytes() == content
    assert all(p.is_symlink() for p in (tree / ".archgraph_cache").iterdir())  # not written through


def test_a_linked_cache_folder_is_neither_read_nor_written(tree: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, tree / ".archgraph_cache")
    clean = outputs(tree, "--no-cache")
    assert outputs(tree) == clean
    assert list(outside.iterdir()) == []  # nothing written outside the tree


def test_an_oversized_cache_file_is_not_read(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clean = outputs(tree, "--no-cache")
    outputs(tree)
    monkeypatch.setattr(cache_file, "MAX_BYTES", 16)  # every real cache file is larger
    assert outputs(tree) == clean
    assert cache_file.load(next((tree / ".archgraph_cache").glob("imports*")), object()) is None


def test_every_cache_file_archgraph_writes_is_read_back(tree: Path) -> None:
    """The shape checks accept what archgraph itself writes: a warm run is warm. (A check
    that refused its own files would only cost speed, silently: nothing else would fail.)"""
    outputs(tree)
    from archgraph.families.class_cache import CACHE_NAME as CLASSES  # noqa: PLC0415
    from archgraph.families.class_cache import _valid as classes_valid  # noqa: PLC0415
    from archgraph.families.report_cache import CACHE_NAME as REPORTS  # noqa: PLC0415
    from archgraph.families.report_cache import _valid as reports_valid  # noqa: PLC0415
    from archgraph.scan import audit, facts, facts_cache, import_cache, unparsable  # noqa: PLC0415

    checks = {
        import_cache.CACHE_NAME: import_cache._valid,
        facts_cache.CACHE_NAME: facts_cache._valid,
        audit.AUDIT_CACHE_NAME: audit.valid_scans,
        unparsable.BAD_FILES_NAME: unparsable._valid,
        facts.MEMO_NAME: facts._valid_memo,
        facts.MENTIONS_NAME: facts._valid_mentions,
        CLASSES: classes_valid,
        REPORTS: reports_valid,
    }
    written = {p.name for p in (tree / ".archgraph_cache").iterdir()}
    assert written == set(checks), written
    for name, valid in checks.items():
        header, *payload = marshal.loads((tree / ".archgraph_cache" / name).read_bytes())
        assert cache_file.load(tree / ".archgraph_cache" / name, header[1], valid) is not None, name


def test_a_kept_families_report_with_type_confused_rows_is_a_miss(tree: Path) -> None:
    """The families reports are kept marshalled inside their file, each checked as it is read."""
    from archgraph.families.report_cache import CACHE_NAME  # noqa: PLC0415

    clean = outputs(tree, "--no-cache")
    assert outputs(tree) == clean
    file = tree / ".archgraph_cache" / CACHE_NAME
    header, reports = marshal.loads(file.read_bytes())
    assert reports
    for confuse in (poisoned, lines_as_text):
        confused = {key: marshal.dumps(confuse(marshal.loads(data))) for key, data in reports.items()}
        file.write_bytes(marshal.dumps((header, confused)))
        assert outputs(tree) == clean, confuse.__name__
    truncated = {key: data[: len(data) // 2] for key, data in reports.items()}
    file.write_bytes(marshal.dumps((header, truncated)))
    assert outputs(tree) == clean


def lines_as_text(rows: tuple[Any, ...]) -> tuple[Any, ...]:
    """A report's rows whose classes (the first rows) have their line numbers written as text:
    only a check of each field's type tells them from the real thing (the JSON would show "2")."""
    classes, *rest = rows
    assert classes and all(type(row[4]) is int for row in classes)
    return (tuple((*row[:4], str(row[4]), *row[5:]) for row in classes), *rest)
