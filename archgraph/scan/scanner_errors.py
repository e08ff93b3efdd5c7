"""What grimp's Rust scanner does when a file defeats it, and how the scan tells which file: its
panics (which may be a Ctrl-C that reached it), its text on file descriptor 2, and the relative
imports that make it panic."""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from archgraph.interrupts import Terminated
from archgraph.scan.finder import FoundTree, ModuleSource
from archgraph.scan.python_source import readable_source

# Two or more leading dots: only such relative imports can climb above the top-level package.
_CLIMBING_IMPORT = re.compile(rb"\bfrom[\s\\]*\.[\s\\]*\.")


@contextlib.contextmanager
def stderr_held(hold: list[bytes]) -> Iterator[None]:
    """Capture file descriptor 2 (Rust writes panic messages there, bypassing Python).

    The caller decides afterwards whether to replay the text: a panic archgraph recovers
    from is reported as a diagnostic, not as a frightening backtrace. Only where the command
    line allows it (see archgraph.scanner_stderr): a library call leaves fd 2 alone.
    """
    try:
        saved = os.dup(2)
    except OSError:  # no usable stderr: nothing to hold
        yield
        return
    with _sink() as sink:
        sys.stderr.flush()
        os.dup2(sink, 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            os.lseek(sink, 0, os.SEEK_SET)
            chunks = []
            while chunk := os.read(sink, 1 << 16):
                chunks.append(chunk)
            hold.append(b"".join(chunks))


@contextlib.contextmanager
def _sink() -> Iterator[int]:
    """An anonymous file to hold fd 2 in: in memory on Linux (importing tempfile, with shutil
    and random, cost 5 ms of every cold check), else a temporary file."""
    if hasattr(os, "memfd_create"):
        try:
            descriptor = os.memfd_create("archgraph-scanner-stderr")
        except OSError:
            pass
        else:
            try:
                yield descriptor
            finally:
                os.close(descriptor)
            return
    import tempfile  # noqa: PLC0415 - where there is no memfd_create

    with tempfile.TemporaryFile() as file:
        yield file.fileno()


def named_path(message: str, paths: Iterable[str]) -> str | None:
    """The longest of `paths` that `message` names (scanner errors name the file in prose)."""
    named = [path for path in paths if path in message]
    return max(named, key=len, default=None)


def interruption_inside(panic: BaseException) -> BaseException | None:
    """Ctrl-C (or SIGTERM) while the scanner calls back into Python: the scanner unwraps the
    error and panics. The panic is then the interruption, not a scanner bug to report."""
    text = str(panic)
    if "<class 'KeyboardInterrupt'>" in text:
        return KeyboardInterrupt()
    if "Terminated'>" in text:
        return Terminated()
    return None


def is_panic(error: BaseException) -> bool:
    """grimp's Rust scanner panics (pyo3's PanicException, a BaseException) on some inputs."""
    return type(error).__name__ == "PanicException"


def climbing_imports(source: ModuleSource) -> list[tuple[int, int, int]]:
    """Relative imports in the file that go above its top-level package: (line, level, allowed).

    `from .. import x` in `pkg/a.py` climbs above `pkg`; Python raises ImportError there.
    """
    try:
        data = readable_source(Path(source.path).read_bytes())
    except OSError:
        return []
    if not _CLIMBING_IMPORT.search(data):
        return []
    # The same tree-sitter facts as everywhere else: 3.11's ast cannot read 3.12+ files.
    from archgraph.scan.extract import extract_facts  # noqa: PLC0415 - only after a panic

    facts = extract_facts(source.module, data, chains=False)
    depth = source.module.count(".") + 1
    allowed = depth if source.is_package else depth - 1
    return sorted(
        (fact.line, fact.level, allowed) for fact in facts.imports if fact.level > allowed
    )


def replay(held: list[bytes]) -> None:
    """Pass on what the scanner wrote to stderr (warnings a user should still see)."""
    text = b"".join(held)
    if text:
        sys.stderr.write(text.decode("utf-8", "replace"))
        sys.stderr.flush()


def panicking_files(
    trees: Sequence[FoundTree], skipped: frozenset[str]
) -> dict[str, tuple[int, int, int]]:
    """Files with a relative import that climbs more than one level above the top package."""
    found = {}
    for source in (s for tree in trees for s in tree.sources):
        if source.path in skipped:
            continue
        climbing = [c for c in climbing_imports(source) if c[1] > c[2] + 1]
        if climbing:
            found[source.path] = climbing[0]
    return found
