"""The canonical tool dispatcher used by agents and the HTTP API."""

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.core.tools.base import BaseToolDispatcher, ToolHandler, ToolNotFoundError, ToolResult

logger = logging.getLogger(__name__)


@dataclass
class _RegisteredTool:
    handler: ToolHandler
    description: str
    calls: int = 0


class UnifiedToolDispatcher(BaseToolDispatcher):
    """One registry of tools and one execution path for every caller."""

    def __init__(self, *, default_timeout: float = 30.0) -> None:
        self._tools: dict[str, _RegisteredTool] = {}
        self._default_timeout = default_timeout
        self._closed = False

    def register_tool(self, name: str, handler: ToolHandler, *, description: str = "") -> None:
        """Register ``handler`` under ``name``; names must be unique."""
        if self._closed:
            raise RuntimeError("dispatcher has been shut down")
        if name in self._tools:
            raise ValueError(f"tool {name!r} is already registered")
        self._tools[name] = _RegisteredTool(handler, description)

    def dispatch(self, name: str, arguments: Mapping[str, Any] | None = None) -> ToolResult:
        """Execute a tool and wrap its output (or failure) in a ``ToolResult``."""
        tool = self._tools.get(name)
        if tool is None:
            raise ToolNotFoundError(name)
        started = time.monotonic()
        try:
            output = tool.handler(**dict(arguments or {}))
        except Exception as exc:
            logger.warning("tool %s failed: %s", name, exc)
            return ToolResult(name, ok=False, error=str(exc))
        finally:
            tool.calls += 1
        elapsed = time.monotonic() - started
        if elapsed > self._default_timeout:
            logger.warning("tool %s took %.1fs (budget %.1fs)", name, elapsed, self._default_timeout)
        return ToolResult(name, ok=True, output=output)

    def list_tools(self) -> list[str]:
        """Return the registered tool names, sorted."""
        return sorted(self._tools)

    def describe(self, name: str) -> str:
        """Return the human-readable description of a tool."""
        return self._tools[name].description

    def shutdown(self) -> None:
        """Drop every tool and refuse further registrations."""
        self._tools.clear()
        self._closed = True
