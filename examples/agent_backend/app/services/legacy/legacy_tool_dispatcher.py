"""Backwards-compatible dispatcher kept for callers of the pre-1.0 API."""

from collections.abc import Mapping
from typing import Any

from ...core.tools.base import ToolHandler, ToolResult
from ...core.tools.unified_tool_dispatcher import UnifiedToolDispatcher


class LegacyToolDispatcher:
    """Old dispatcher interface, now backed by ``UnifiedToolDispatcher``."""

    def __init__(self) -> None:
        self._inner = UnifiedToolDispatcher()

    def register_tool(self, name: str, handler: ToolHandler, *, description: str = "") -> None:
        """Register a tool."""
        return self._inner.register_tool(name, handler, description=description)

    def dispatch(self, name: str, arguments: Mapping[str, Any] | None = None) -> ToolResult:
        """Run a tool."""
        return self._inner.dispatch(name, arguments)

    def list_tools(self) -> list[str]:
        """Return the registered tool names."""
        return self._inner.list_tools()

    def shutdown(self) -> None:
        """Shut the dispatcher down."""
        return self._inner.shutdown()
