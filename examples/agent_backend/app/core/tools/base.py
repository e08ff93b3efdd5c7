"""Abstract interface every tool dispatcher implements."""

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

ToolHandler = Callable[..., Any]


class ToolNotFoundError(LookupError):
    """Raised when a tool name is not registered with a dispatcher."""


@dataclass(frozen=True)
class ToolResult:
    """Outcome of a single tool invocation."""

    tool: str
    ok: bool
    output: Any = None
    error: str | None = None


class BaseToolDispatcher(ABC):
    """Registers named tools and executes them on behalf of agents."""

    @abstractmethod
    def register_tool(self, name: str, handler: ToolHandler, *, description: str = "") -> None:
        """Make ``handler`` callable under ``name``."""

    @abstractmethod
    def dispatch(self, name: str, arguments: Mapping[str, Any] | None = None) -> ToolResult:
        """Run the tool ``name`` with keyword ``arguments``."""

    @abstractmethod
    def list_tools(self) -> list[str]:
        """Return the registered tool names, sorted."""

    @abstractmethod
    def shutdown(self) -> None:
        """Release resources; the dispatcher is unusable afterwards."""

    def has_tool(self, name: str) -> bool:
        """True if ``name`` is registered."""
        return name in self.list_tools()
