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
from collections.abc import Sequence

_MAX_HOPS = 40  # as Linux's own limit before ELOOP


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
