"""Base class shared by all agents."""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from app.core.tools.unified_tool_dispatcher import UnifiedToolDispatcher
from app.services.execution.request_scoped_tool_dispatcher import RequestContext


@dataclass
class AgentReply:
    """What an agent answers to one message."""

    agent: str
    text: str
    tool_calls: list[str] = field(default_factory=list)


class BaseAgent(ABC):
    """An agent answers messages, optionally by calling tools."""

    name: str = "base"

    def __init__(self, tools: UnifiedToolDispatcher) -> None:
        self._tools = tools

    @abstractmethod
    def handle(self, message: str, context: RequestContext) -> AgentReply:
        """Produce a reply to ``message`` within the given request."""

    def call_tool(self, tool: str, context: RequestContext, **arguments: Any) -> Any:
        """Run a tool through the shared dispatcher and record the call."""
        result = self._tools.dispatch(tool, arguments)
        context.record_tool_call(tool)
        if not result.ok:
            raise RuntimeError(f"tool {tool!r} failed: {result.error}")
        return result.output


class EchoAgent(BaseAgent):
    """Replies with the user's own message; useful for smoke tests."""

    name = "echo"

    def handle(self, message: str, context: RequestContext) -> AgentReply:
        text = self.call_tool("echo", context, text=message)
        return AgentReply(self.name, text, tool_calls=["echo"])
