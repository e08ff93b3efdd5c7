"""Tool dispatch with per-agent allow-lists, used by the supervisor."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from app.core.tools.base import ToolResult


class SupervisorToolDispatcher:
    """Runs tools for agents, but only the tools each agent is allowed to use."""

    def __init__(self, allowlist: Mapping[str, Iterable[str]] | None = None) -> None:
        self._handlers: dict[str, Callable[..., Any]] = {}
        self._allowlist = {agent: set(tools) for agent, tools in (allowlist or {}).items()}

    def register_tool(self, name: str, handler: Callable[..., Any]) -> None:
        """Register a tool; later registrations override earlier ones."""
        self._handlers[name] = handler

    def allow(self, agent_name: str, *tools: str) -> None:
        """Grant ``agent_name`` access to ``tools``."""
        self._allowlist.setdefault(agent_name, set()).update(tools)

    def allowed_tools(self, agent_name: str) -> list[str]:
        """Tools ``agent_name`` may call that are actually registered."""
        return sorted(self._allowlist.get(agent_name, set()) & self._handlers.keys())

    def dispatch(self, agent_name: str, tool: str, arguments: Mapping[str, Any]) -> ToolResult:
        """Run ``tool`` for ``agent_name`` if the allow-list permits it."""
        if tool not in self.allowed_tools(agent_name):
            return ToolResult(tool, ok=False, error=f"{agent_name} may not call {tool}")
        try:
            return ToolResult(tool, ok=True, output=self._handlers[tool](**arguments))
        except Exception as exc:
            return ToolResult(tool, ok=False, error=str(exc))

    def list_tools(self) -> list[str]:
        """Return every registered tool name, sorted."""
        return sorted(self._handlers)
