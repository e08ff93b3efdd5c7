"""Tool dispatch for chat sessions."""

import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)


class ToolDispatcher:
    """Dispatches tool calls for chat sessions; tools are plain callables keyed by name."""

    def __init__(self) -> None:
        self._tools: dict[str, Callable[..., Any]] = {}
        self._history: list[tuple[str, bool]] = []

    def register_tool(self, name: str, func: Callable[..., Any]) -> None:
        """Register ``func`` as the tool ``name``."""
        if not callable(func):
            raise TypeError(f"tool {name!r} must be callable")
        self._tools[name] = func

    def dispatch(self, name: str, **kwargs: Any) -> Any:
        """Call the tool and return its raw output; failures are re-raised."""
        if name not in self._tools:
            raise KeyError(f"unknown tool: {name}")
        try:
            result = self._tools[name](**kwargs)
        except Exception:
            self._history.append((name, False))
            logger.exception("chat tool %s failed", name)
            raise
        self._history.append((name, True))
        return result

    def list_tools(self) -> list[str]:
        """Return the registered tool names, sorted."""
        return sorted(self._tools)

    def history(self) -> list[tuple[str, bool]]:
        """Return ``(tool, succeeded)`` for every call so far."""
        return list(self._history)

    def shutdown(self) -> None:
        """Forget all tools and call history."""
        self._tools.clear()
        self._history.clear()
