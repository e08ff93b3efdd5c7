"""Ctrl-C and SIGTERM end a run with a one-line message and exit codes 130 and 143.

SIGTERM is raised as an exception, like Ctrl-C's KeyboardInterrupt, so that `finally` blocks
run and temporary files are removed; caches, reports and baselines are replaced atomically, so
an interrupted run leaves the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

INTERRUPTED_EXIT = 130  # 128 + SIGINT, as shells report a Ctrl-C
TERMINATED_EXIT = 143  # 128 + SIGTERM


class Terminated(BaseException):
    """SIGTERM arrived (a BaseException, like KeyboardInterrupt: no `except Exception` eats it)."""


def _raise_terminated(_signal: int, _frame: object) -> None:
    raise Terminated


@contextlib.contextmanager
def terminate_cleanly() -> Iterator[None]:
    """While the block runs, SIGTERM raises Terminated instead of killing the process."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def exit_code_of(interruption: BaseException) -> tuple[int, str] | None:
    """(exit code, message) for an interruption; None for any other exception."""
    if isinstance(interruption, KeyboardInterrupt):
        return INTERRUPTED_EXIT, "archgraph: interrupted"
    if isinstance(interruption, Terminated):
        return TERMINATED_EXIT, "archgraph: terminated"
    return None
