"""Files the import scanner cannot read: a clear message for each (merge-conflict markers, NUL
bytes, a wrong coding declaration, a syntax error), and the known ones kept so warm runs skip them."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from archgraph import codes
from archgraph.scan import cache_file
from archgraph.scan.python_source import declared_encoding

# Not "=======" alone: reStructuredText underlines in docstrings look just like it.
_CONFLICT_MARKER = re.compile(rb"^(<<<<<<<|>>>>>>>|\|\|\|\|\|\|\|)(?: |\r?$)", re.MULTILINE)
BAD_FILES_NAME = "unparsable-files.marshal"
BAD_FILES_VERSION = 1


def describe_unparsable(path: Path, line: int | None, text: str | None) -> tuple[int | None, str, str]:
    """A clear message (and hint) for a file the scanner rejected."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return line, f"file cannot be read: {error.strerror}", "check the file's permissions"
    if b"\x00" in data:
        nul_line = data[: data.index(b"\x00")].count(b"\n") + 1
        return nul_line, "file contains NUL bytes", "remove the NUL bytes or exclude the file"
    marker = _CONFLICT_MARKER.search(data)
    if marker:
        marker_line = data[: marker.start()].count(b"\n") + 1
        return (
            marker_line,
            "unresolved merge-conflict markers",
            "resolve the conflict; the rest of the code is analyzed meanwhile",
        )
    declared, declaration_line = declared_encoding(data)
    try:
        data.decode(declared or "utf-8")
    except LookupError:
        return (
            declaration_line,
            f"the coding declaration names an unknown encoding '{declared}'",
            "fix the '# -*- coding: ... -*-' line, or save the file as UTF-8 without it",
        )
    except UnicodeDecodeError as error:
        bad_line = data[: error.start].count(b"\n") + 1
        if declared:
            return (
                bad_line,
                f"file is not valid {declared} although its coding declaration says so",
                "fix the '# -*- coding: ... -*-' line to name the file's real encoding",
            )
        return (
            bad_line,
            "file is not valid UTF-8 and declares no encoding",
            "save it as UTF-8 or add a '# -*- coding: ... -*-' line",
        )
    snippet = f": {text.strip()[:80]}" if text and text.strip() else ""
    return line, f"syntax error{snippet}", "fix the syntax; the rest of the code is analyzed meanwhile"


class BadFileMemory:
    """Known-unparsable files, keyed by path and stamp (see cache_file.Stamp), kept in the cache folder."""

    def __init__(self, cache_dir: Path | None) -> None:
        self._file = cache_dir / BAD_FILES_NAME if cache_dir else None
        self._entries: dict[str, dict[str, Any]] = {}
        stored = cache_file.load(self._file, BAD_FILES_VERSION, _valid)
        if stored is not None:
            self._entries = stored[0]
        self._changed = False

    @staticmethod
    def _stamp(path: str) -> cache_file.Stamp:
        return cache_file.stamp_of(os.stat(path))

    @property
    def has_entries(self) -> bool:
        return bool(self._entries)

    def known(self, path: str) -> dict[str, Any] | None:
        entry = self._entries.get(path)
        if entry is None:
            return None
        try:
            return entry if entry["stamp"] == self._stamp(path) else None
        except OSError:
            return None

    def remember(
        self,
        path: str,
        line: int | None,
        message: str,
        hint: str,
        code: str = codes.UNPARSABLE_FILE.code,
    ) -> None:
        with contextlib.suppress(OSError):
            self._entries[path] = {
                "stamp": self._stamp(path),
                "code": code,
                "line": line,
                "message": message,
                "hint": hint,
            }
            self._changed = True

    def keep_only(self, paths: Iterable[str]) -> None:
        if not self._entries:
            return
        keep = set(paths)
        if set(self._entries) - keep:
            self._entries = {k: v for k, v in self._entries.items() if k in keep}
            self._changed = True

    def save(self) -> None:
        if self._file and self._changed:
            cache_file.store(self._file, BAD_FILES_VERSION, self._entries)


def _valid(payload: tuple[Any, ...]) -> bool:
    """({path: {stamp, code, line, message, hint}},), with a code of the scan's own: what a
    cache the tree holds says must not become a finding of another kind."""
    known = {codes.UNPARSABLE_FILE.code, codes.RELATIVE_IMPORT_ABOVE_TOP.code}
    return len(payload) == 1 and type(payload[0]) is dict and all(
        type(path) is str
        and type(entry) is dict
        and set(entry) == {"stamp", "code", "line", "message", "hint"}
        and cache_file.is_stamp(entry["stamp"])
        and entry["code"] in known
        and (entry["line"] is None or type(entry["line"]) is int)
        and type(entry["message"]) is str
        and type(entry["hint"]) is str
        for path, entry in payload[0].items()
    )
