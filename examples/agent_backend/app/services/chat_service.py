"""Chat use case: send a message to an agent and get its reply."""

from dataclasses import dataclass, field

from app.agents.registry import get_registry
from app.services.execution.request_scoped_tool_dispatcher import RequestContext
from app.services.notifications import notify
from app.services.tool_dispatcher import ToolDispatcher


@dataclass
class ChatTurn:
    """One exchange between a user and an agent."""

    request_id: str
    agent: str
    message: str
    reply: str
    tool_calls: list[str] = field(default_factory=list)


class ChatService:
    """Runs chat turns against the registered agents."""

    def __init__(self, tools: ToolDispatcher | None = None) -> None:
        self._tools = tools or ToolDispatcher()

    def available_tools(self) -> list[str]:
        """Tools that chat agents may call."""
        return self._tools.list_tools()

    def reply(self, agent_name: str, message: str, *, user_id: str | None = None) -> ChatTurn:
        """Hand ``message`` to ``agent_name`` and return the completed turn."""
        agent = get_registry().get(agent_name)
        context = RequestContext.new(user_id)
        answer = agent.handle(message, context)
        notify("chat.replied", agent=agent_name, request_id=context.request_id)
        return ChatTurn(context.request_id, agent_name, message, answer.text, answer.tool_calls)
