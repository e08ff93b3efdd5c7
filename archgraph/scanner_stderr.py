"""Whether a scan may hold file descriptor 2 while grimp's Rust scanner runs: only when the
command line says so, for the duration of its command.

The scanner writes panic messages straight to fd 2, bypassing Python; a panic the scan recovers
from (see scan.grimp_graph) is reported as a diagnostic, so the command line hides the
frightening backtrace by pointing fd 2 at a file meanwhile. A library call leaves the host
process's file descriptors alone: there the text of a recovered panic reaches its stderr.

A context variable rather than an argument: the command line reaches the scan only through the
use cases, and the choice must not outlive the command (nor leak into other threads).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

_HELD: ContextVar[bool] = ContextVar("archgraph_scanner_stderr_held", default=False)


def held() -> bool:
    """Whether the scans running now may hold fd 2 (see `holding`)."""
    return _HELD.get()


@contextlib.contextmanager
def holding() -> Iterator[None]:
    """While the block runs, scans hold fd 2 around grimp's scanner (the command line's choice)."""
    token = _HELD.set(True)
    try:
        yield
    finally:
        _HELD.reset(token)
