"""The checkout's folder on disk: files and links written and removed by relative path, never
through a link.

`entries` decides what a commit's tree may put in the checkout; this module is the second line:
whatever a tree holds, a write or a removal whose way passes something other than a folder this
checkout made (a link a commit put there, a file) does not happen, and says so.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path


class CheckoutFolder:
    """A folder archgraph owns (a temporary one), written by repository-relative posix paths."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def make_folders(self, folders: Iterable[str]) -> set[str]:
        """Make the folders ('' for the top) and those above them; the ones that cannot be
        made because something other than a folder stands on their way."""
        self.directory.mkdir(parents=True, exist_ok=True)  # the caller's folder: trusted
        made: set[str] = {""}
        blocked: set[str] = set()
        for folder in sorted(folders):  # parents first
            parts = folder.split("/")
            for count in range(1, len(parts) + 1):
                step = "/".join(parts[:count])
                if step in made:
                    continue
                if step in blocked or not _folder_made(self.directory / step):
                    blocked.update({step, folder})
                    break
                made.add(step)
        return blocked

    def write_file(self, path: str, content: bytes, mtime_ns: int | None) -> str | None:
        """Write one regular file as a new file (what was there may be a hard link to the
        user's file: never written into); its folder exists already. Why it could not be
        written, or None."""
        target = self.directory / path
        try:
            _unlink(target)
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(content)
            if mtime_ns is not None:
                os.utime(target, ns=(mtime_ns, mtime_ns), follow_symlinks=False)
        except OSError as error:
            return f"could not be written in the checkout ({error.strerror})"
        return None

    def write_link(self, path: str, target: str) -> str | None:
        """Write one link (`entries` checked where it leads); why it could not be, or None."""
        link = self.directory / path
        try:
            _unlink(link)
            os.symlink(target, link)
        except OSError as error:
            return f"could not be written in the checkout ({error.strerror})"
        return None

    def remove(self, path: str) -> None:
        """Delete the file or link and the folders it leaves empty (git has no empty folders)."""
        if not self._folders_are_real(path):
            return  # not a file this checkout wrote: nothing of ours to remove there
        target = self.directory / path
        try:
            _unlink(target)
        except OSError:
            return
        folder = target.parent
        while folder != self.directory:
            try:
                folder.rmdir()  # only an empty folder goes, and never through a link
            except OSError:
                break
            folder = folder.parent

    def _folders_are_real(self, path: str) -> bool:
        """Whether every folder from the top down to `path`'s is a folder, not a link."""
        folder = path.rpartition("/")[0]
        while folder:
            try:
                if not stat.S_ISDIR(os.lstat(self.directory / folder).st_mode):
                    return False
            except OSError:
                return False
            folder = folder.rpartition("/")[0]
        return True


def holds_blob(path: Path, object_id: str) -> bool:
    """Whether the regular file at `path` (not a link) holds the bytes of the blob `object_id`,
    hashed as git hashes a blob (SHA-1 or SHA-256 by the id's length), with no filter."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    with os.fdopen(descriptor, "rb") as stream:
        status = os.fstat(stream.fileno())
        if not stat.S_ISREG(status.st_mode):
            return False
        digest = hashlib.new("sha1" if len(object_id) == 40 else "sha256", usedforsecurity=False)
        digest.update(b"blob %d\0" % status.st_size)
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest() == object_id


def _folder_made(path: Path) -> bool:
    """Make the folder `path` (its parent is one); False when a file or a link is there."""
    try:
        os.mkdir(path)
    except FileExistsError:
        return stat.S_ISDIR(os.lstat(path).st_mode)  # lstat: a link to a folder is no folder
    except OSError:
        return False
    return True


def _unlink(path: Path) -> None:
    """Remove the file or link at `path` (not what a link points to), if there is one."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
