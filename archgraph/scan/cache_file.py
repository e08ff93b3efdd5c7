"""The store's one file format: a versioned marshal file, read as a miss when anything is off,
written atomically.

Every cache archgraph keeps (import rows, file facts, the import audit, unparsable files, the
symbol memo and mentions, the class model, trend's facts by content) goes through these two
functions, under one `STORE_VERSION`, so each treats a corrupt, foreign, read-only or hostile
cache the same way. The cache folder may be part of a tree a pull request controls, so loading:
- never follows a symbolic link (the folder's or the file's) and reads regular files only (a
  committed `imports.marshal -> /dev/zero` is not read);
- reads at most `MAX_BYTES`;
- executes nothing: marshal builds plain data (and code objects, which nothing here runs);
- checks the payload's shape with the caller's `valid` function, so that a file with the right
  header and the wrong payload is a miss, not an internal error later.
Writing never goes through a link either: a cache folder that is a link is not written to.
"""

from __future__ import annotations

import marshal
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from archgraph.atomic import write_atomically

STORE_VERSION = 4  # bump to invalidate every cache at once (2: one format, validated on load;
# 3: stamps hold ctime and inode; 4: the import audit keeps each file's import kinds)
MAX_BYTES = 1 << 30  # a cache file larger than this is not read (Home Assistant's: 12 MB)

Validator = Callable[[tuple[Any, ...]], bool]

# What the caches check a file against: (size, mtime in ns, ctime in ns, inode). Size and mtime
# alone are not enough: `cp -p`, rsync and tar put back an old mtime on new content of the same
# size. No tool can set ctime, and a file replaced by another (a rename over it) has another inode.
Stamp = tuple[int, int, int, int]


def stamp_of(status: os.stat_result) -> Stamp:
    """The stamp of a file from its status (`os.stat`, `DirEntry.stat`)."""
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)


def load(file: Path | None, version: object, valid: Validator | None = None) -> tuple[Any, ...] | None:
    """The payload stored under `version`, or None: a missing, corrupt, foreign, linked,
    oversized or malformed file is a miss."""
    if file is None:
        return None
    data = _read_regular(file)
    if data is None:
        return None
    try:
        stored = marshal.loads(data)
    except Exception:
        return None
    if not isinstance(stored, tuple) or len(stored) < 1 or stored[0] != (STORE_VERSION, version):
        return None
    payload = stored[1:]
    if valid is not None:
        try:
            if not valid(payload):
                return None
        except Exception:
            return None
    return payload


def store(file: Path | None, version: object, *payload: Any) -> None:
    """Write `(version, *payload)`; a read-only cache folder (or unmarshallable data) only
    costs speed. Never through a link: a linked folder or file is left alone."""
    if file is None or _linked(file):
        return
    try:
        record: Any = ((STORE_VERSION, version), *payload)
        data = marshal.dumps(record)
    except ValueError:
        return
    try:
        write_atomically(file, data)
    except OSError:
        return


def _linked(file: Path) -> bool:
    """The file or its folder is a symbolic link (or cannot be looked at)."""
    try:
        return file.parent.is_symlink() or file.is_symlink()
    except OSError:
        return True


def _read_regular(file: Path) -> bytes | None:
    if _linked(file):
        return None
    try:
        descriptor = os.open(file, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_BYTES:
            return None
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            data = stream.read(MAX_BYTES + 1)
        return data if len(data) <= MAX_BYTES else None
    except OSError:
        return None
    finally:
        os.close(descriptor)


# --- shape checks for the validators ---------------------------------------------------------


def is_stamp(value: object) -> bool:
    """A `Stamp`: four ints."""
    return type(value) is tuple and tuple(map(type, value)) == _STAMP_TYPES


_STAMP_TYPES = (int, int, int, int)


def is_str_tuple(value: object) -> bool:
    return type(value) is tuple and all(type(item) is str for item in value)
