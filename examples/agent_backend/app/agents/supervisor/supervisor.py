"""The supervisor picks an agent for each message and runs it."""

from app.agents.base import AgentReply, RequestContext
from app.agents.supervisor.agent_registry import AgentRegistry
from app.agents.supervisor.hooks import on_agent_failed, on_agent_started
from app.agents.supervisor.tool_dispatcher import SupervisorToolDispatcher


class Supervisor:
    """Routes messages to registered agents."""

    def __init__(self, registry: AgentRegistry, tools: SupervisorToolDispatcher) -> None:
        self._registry = registry
        self._tools = tools

    def route(self, message: str) -> str:
        """Choose an agent name for ``message`` using simple prefix rules."""
        if message.startswith("/plan") and "planner" in self._registry:
            return "planner"
        if message.startswith("/search") and "researcher" in self._registry:
            return "researcher"
        return "echo"

    def handle(self, message: str, context: RequestContext) -> AgentReply:
        """Route ``message`` and return the chosen agent's reply."""
        agent_name = self.route(message)
        agent = self._registry.get(agent_name)
        on_agent_started(agent_name)
        try:
            return agent.handle(message, context)
        except Exception as exc:
            on_agent_failed(agent_name, exc)
            raise
