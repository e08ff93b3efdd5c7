"""Retry helpers for legacy tool calls."""

import time
from collections.abc import Callable
from typing import TypeVar

from app.services.legacy.legacy_tool_dispatcher import LegacyToolDispatcher

T = TypeVar("T")


<<<<<<< HEAD
def call_with_retry(func: Callable[[], T], *, attempts: int = 3, backoff: float = 0.5) -> T:
    """Call ``func`` up to ``attempts`` times with exponential backoff."""
    for attempt in range(attempts):
        try:
            return func()
        except ConnectionError:
            if attempt == attempts - 1:
                raise
            time.sleep(backoff * 2**attempt)
    raise AssertionError("unreachable")
=======
def call_with_retry(func: Callable[[], T], *, attempts: int = 5) -> T:
    """Call ``func`` until it succeeds or ``attempts`` is exhausted."""
    last_error: Exception | None = None
    for _ in range(attempts):
        try:
            return func()
        except (ConnectionError, TimeoutError) as exc:
            last_error = exc
    assert last_error is not None
    raise last_error
>>>>>>> feature/x


def dispatch_with_retry(dispatcher: LegacyToolDispatcher, name: str, **arguments: object) -> object:
    """Dispatch a legacy tool call, retrying transient connection errors."""
    return call_with_retry(lambda: dispatcher.dispatch(name, arguments))
