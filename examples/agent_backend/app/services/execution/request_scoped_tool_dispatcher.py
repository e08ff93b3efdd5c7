"""A tool dispatcher that lives for exactly one request."""

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.core.tools.base import ToolResult


@dataclass
class RequestContext:
    """State carried through a single API request."""

    request_id: str
    user_id: str | None = None
    tool_calls: list[str] = field(default_factory=list)
    started_at: float = field(default_factory=time.monotonic)

    @classmethod
    def new(cls, user_id: str | None = None) -> "RequestContext":
        """Create a context with a fresh random request id."""
        return cls(uuid.uuid4().hex, user_id)

    def record_tool_call(self, name: str) -> None:
        """Remember that ``name`` was called during this request."""
        self.tool_calls.append(name)


class RequestScopedToolDispatcher:
    """Dispatches tools for one request and enforces a per-request call budget."""

    def __init__(self, context: RequestContext, *, max_calls: int = 16) -> None:
        self._context = context
        self._handlers: dict[str, Callable[..., Any]] = {}
        self._max_calls = max_calls

    def register_tool(self, name: str, handler: Callable[..., Any]) -> None:
        """Make ``handler`` available for the rest of this request."""
        self._handlers[name] = handler

    def dispatch(self, name: str, arguments: Mapping[str, Any] | None = None) -> ToolResult:
        """Run ``name`` unless the request has used up its budget."""
        if len(self._context.tool_calls) >= self._max_calls:
            return ToolResult(name, ok=False, error="tool call budget exhausted")
        handler = self._handlers.get(name)
        if handler is None:
            return ToolResult(name, ok=False, error=f"unknown tool {name!r}")
        self._context.record_tool_call(name)
        try:
            return ToolResult(name, ok=True, output=handler(**dict(arguments or {})))
        except Exception as exc:
            return ToolResult(name, ok=False, error=str(exc))

    def list_tools(self) -> list[str]:
        """Return the tools registered for this request, sorted."""
        return sorted(self._handlers)

    def close(self) -> None:
        """Forget every handler at the end of the request."""
        self._handlers.clear()
