"""Every scan cache shares one reader and writer: anything off is a miss, never a failure."""

from __future__ import annotations

import marshal
from pathlib import Path

from archgraph.scan import cache_file


def test_what_was_stored_comes_back_under_its_version_only(tmp_path: Path) -> None:
    file = tmp_path / "c.marshal"
    cache_file.store(file, 3, {"a": (1, 2)}, ["x"])
    assert cache_file.load(file, 3) == ({"a": (1, 2)}, ["x"])
    assert cache_file.load(file, 4) is None  # another format version is a miss


def test_missing_corrupt_and_foreign_files_are_misses(tmp_path: Path) -> None:
    assert cache_file.load(tmp_path / "absent.marshal", 1) is None
    (tmp_path / "corrupt.marshal").write_bytes(b"\x00garbage")
    assert cache_file.load(tmp_path / "corrupt.marshal", 1) is None
    (tmp_path / "foreign.marshal").write_bytes(marshal.dumps({"not": "a tuple"}))
    assert cache_file.load(tmp_path / "foreign.marshal", 1) is None


def test_a_cache_that_cannot_be_written_only_costs_speed(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("")
    cache_file.store(blocked / "c.marshal", 1, {"a": 1})  # the folder cannot exist: no error
    cache_file.store(tmp_path / "c.marshal", 1, object())  # not plain data: no error
    assert not (tmp_path / "c.marshal").exists()
