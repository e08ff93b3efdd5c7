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


def forget_caught_interrupt() -> None:
    """Undo CPython's note that a KeyboardInterrupt went unhandled, for one this process handled.

    CPython notes it whenever one leaves code run by `exec` of a string (dataclasses builds its
    methods so, while archgraph's modules load), even if a caller catches it, and then ends the
    process by SIGINT instead of with the exit code asked for (-2 instead of 130, a Ctrl-C early
    in a run). The next `exec` of a string that completes clears the note.
    """
    exec("None")  # a constant: only that it completes matters


def ignore_late_signals() -> None:
    """The run is over: its output is written, its exit code chosen. A Ctrl-C or SIGTERM from
    now on, while the interpreter shuts down (resetting their handlers to the defaults), would
    kill the process and hide that exit code (-2 for a Ctrl-C just after a check ended)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
