"""Every file archgraph writes: whole or not at all, and only where the user sent it.

Readers (CI, concurrent runs) never see half a file, and a failed write (a full disk, a
read-only folder) leaves the old file as it was. Files beside the outputs may be hostile (a
pull request can commit `docs/architecture.svg -> ~/.bashrc`), so where a path leads is
decided before anything is written:
- a special file (a device such as `/dev/null`, a named pipe, `/dev/stdout` and the
  `/proc/self/fd` links) is written to, as a shell redirection would, and never replaced;
- any other path gets its data in a temporary file beside its resolved target, renamed over
  that target: a link stays a link and its target gets the new content;
- a link that lies in the analysed tree or in the working directory (where a checkout puts the
  untrusted files) is followed only to a place inside them and outside hidden folders (see
  `archgraph.links`); otherwise the write is refused, an `OutputRefused`.
Every failure is an OSError; `reason` words it for a message that names the file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from archgraph.links import follow, is_inside, leads_within

_IN_PLACE_FOLDERS = ("/dev", "/proc")  # links there (/dev/stdout, /proc/self/fd/1) name open files


class OutputRefused(PermissionError):
    """A link in the analysed tree or the working directory leads the output outside them."""

    def __str__(self) -> str:
        return str(self.strerror)


def write_atomically(path: Path, data: str | bytes, *, tree: Path | None = None) -> None:
    """Write `data` to `path` (see the module's docstring); `tree`: the analysed project's root,
    whose links are not trusted (nor are the working directory's)."""
    content = data.encode("utf-8") if isinstance(data, str) else data
    target, links = follow(os.fspath(path))
    _refuse_links_out_of_the_tree(path, target, links, tree)
    if _is_special(path, links):
        _write_in_place(path, content)
    else:
        _replace(Path(target), content)


def reason(error: OSError) -> str:
    """Why a write failed, in words (no errno number, no temporary file's name)."""
    return str(error.strerror or error)


def _refuse_links_out_of_the_tree(
    path: Path, target: str, links: tuple[str, ...], tree: Path | None
) -> None:
    folders = [os.path.realpath(folder) for folder in (tree, Path.cwd()) if folder is not None]
    # The file system's root as "the tree" would let every link anywhere: it protects nothing.
    folders = [folder for folder in folders if folder != os.sep]
    untrusted = [link for link in links if any(is_inside(link, f) for f in folders)]
    if untrusted and not leads_within(target, folders):
        if any(is_inside(target, folder) for folder in folders):
            where = "into a hidden folder"
        else:
            where = f"outside {' and '.join(dict.fromkeys(folders))}"
        raise OutputRefused(
            errno.EPERM,
            f"the symbolic link {untrusted[0]} leads {where}; a link in the analysed tree is not"
            " written through: remove the link, or choose another output path",
            str(path),
        )


def _is_special(path: Path, links: tuple[str, ...]) -> bool:
    """A device, a named pipe or a socket, or a file reached through /dev or /proc's links."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return False
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "it is a directory", str(path))
    if not stat.S_ISREG(mode):
        return True
    return any(is_inside(link, folder) for link in links for folder in _IN_PLACE_FOLDERS)


def _write_in_place(path: Path, content: bytes) -> None:
    """Append to the open file a special path names, as `>` on /dev/stdout or a pipe does
    (no creation, no truncation; a named pipe with no reader is an error, not a hang)."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ENXIO:
            raise OSError(error.errno, "a named pipe with no reader", str(path)) from None
        raise
    try:
        os.set_blocking(descriptor, True)
        remaining = memoryview(content)
        while remaining:
            remaining = remaining[os.write(descriptor, remaining) :]
    finally:
        os.close(descriptor)


def _replace(target: Path, content: bytes) -> None:
    """Write to a temporary file beside `target`, then rename it over `target`."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise NotADirectoryError(
            errno.ENOTDIR, f"{target.parent} is a file, not a folder", str(target)
        ) from None
    handle, temporary = _new_temporary(target)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        # mkstemp creates 0600; reports and baselines are shared (CI artifacts, other users),
        # so give the file the mode a plain open() would have given it.
        os.chmod(temporary, _plain_file_mode(target))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _new_temporary(target: Path) -> tuple[int, str]:
    """A new file beside `target`, as tempfile.mkstemp makes one (created, never opened if
    there: a link planted at the name is not followed; mode 0600; a name no one can guess),
    without importing tempfile, shutil and random (5 ms of every cold check)."""
    for _attempt in range(100):
        name = os.path.join(target.parent, f".{target.name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(name, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary name", str(target.parent))


def _plain_file_mode(path: Path) -> int:
    """The existing file's permissions, or 0666 less the umask for a new file."""
    with contextlib.suppress(OSError):
        return path.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
