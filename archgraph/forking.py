"""Whether a scan may fork a helper process: only when the command line says so, for the
duration of its command.

On a cold run the import audit reads every file; a forked child can do that on a second CPU
while grimp's scanner builds the graph (a thread cannot: the reading is Python, and holds the
GIL). Forking belongs to the process that owns itself: a library call (`archgraph.run`, the
pytest plugin) never forks its host.

A context variable rather than an argument, as `scanner_stderr`: the command line reaches the
scan only through the use cases, and the choice must not outlive the command.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

_ALLOWED: ContextVar[bool] = ContextVar("archgraph_forking_allowed", default=False)


def allowed() -> bool:
    """Whether the scans running now may fork a helper (see `allowing`)."""
    return _ALLOWED.get()


@contextlib.contextmanager
def allowing() -> Iterator[None]:
    """While the block runs, scans may fork a helper (the command line's choice)."""
    token = _ALLOWED.set(True)
    try:
        yield
    finally:
        _ALLOWED.reset(token)


@contextlib.contextmanager
def refusing() -> Iterator[None]:
    """While the block runs, scans never fork: a server's scans run on threads, and a fork
    copies a process whose other threads stop wherever they are."""
    token = _ALLOWED.set(False)
    try:
        yield
    finally:
        _ALLOWED.reset(token)
