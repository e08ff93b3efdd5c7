"""Where a symbolic link found in an untrusted tree may lead, for the reads and the writes.

The tree archgraph analyses can come from anyone (a pull request): a link committed in it may
point at `~/.git-credentials`, at `/`, at `.git/config` or at `/dev/sda`. A link is followed
only when it stays within the given folders (the source roots for reading, the project and the
working directory for writing) and leads into no hidden folder or file (`.git`, `.env`...),
which the walk itself never enters.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path

_MAX_HOPS = 40  # as Linux's own limit before ELOOP
MAX_INPUT_BYTES = 64 << 20  # a contract or baseline file larger than this is refused unread


def leaves(path: Path, folder: Path) -> bool:
    """Whether `path`, resolved, leaves `folder` (or leads into a hidden place there): a file
    the tree names that way is the tree's link to somewhere else, never read."""
    return not leads_within(os.path.realpath(path), [os.path.realpath(folder)])


def read_input(path: Path, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """A configuration or baseline file's text: a regular file of at most `max_bytes`, UTF-8.

    Raises OSError (not a regular file, too large, unreadable) or UnicodeDecodeError: a
    committed `baseline.json -> /dev/zero` or a named pipe is refused, not read forever.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        if status.st_size > max_bytes:
            raise OSError(errno.EFBIG, f"larger than {max_bytes} bytes", str(path))
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            data = stream.read(max_bytes + 1)
    finally:
        os.close(descriptor)
    if len(data) > max_bytes:
        raise OSError(errno.EFBIG, f"larger than {max_bytes} bytes", str(path))
    return data.decode("utf-8")


def read_source(path: Path, max_bytes: int) -> bytes | None:
    """A source file's bytes for a second look after the scan (the audit's call sites, `fix`'s
    rewrites): a regular file, not a link (the walk already vetted the tree's files; one
    swapped for a link since is not followed), of at most `max_bytes`; else None."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or status.st_size > max_bytes:
            return None
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            return stream.read(max_bytes)
    except OSError:
        return None
    finally:
        os.close(descriptor)


def is_inside(path: str, folder: str) -> bool:
    """`path` is `folder` or lies below it (both absolute and resolved)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def leads_within(target: str, folders: Sequence[str]) -> bool:
    """`target` (resolved) lies in one of `folders` (resolved), and not in a hidden place there."""
    for folder in folders:
        if is_inside(target, folder):
            below = target[len(folder) :].strip(os.sep)
            if not any(part.startswith(".") for part in below.split(os.sep) if part):
                return True
    return False


def follow(path: str) -> tuple[str, tuple[str, ...]]:
    """Resolve `path` as the kernel would, and the symbolic links met on the way.

    Returns the resolved path and where each link met lies (resolved itself): the caller decides
    from that whose links they are. The parts of the path that do not exist yet stay as written.
    Raises OSError(ELOOP) for a loop, as open() would.
    """
    links: list[str] = []
    resolved = _follow(os.path.join(os.getcwd(), path), links, [0])
    return resolved, tuple(links)


def _follow(path: str, links: list[str], hops: list[int]) -> str:
    resolved = os.sep
    for part in path.split(os.sep):
        if part in ("", "."):
            continue
        if part == "..":
            resolved = os.path.dirname(resolved)
            continue
        candidate = os.path.join(resolved, part)
        if not os.path.islink(candidate):
            resolved = candidate
            continue
        hops[0] += 1
        if hops[0] > _MAX_HOPS:
            raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), path)
        links.append(candidate)
        resolved = _follow(os.path.join(resolved, os.readlink(candidate)), links, hops)
    return resolved
