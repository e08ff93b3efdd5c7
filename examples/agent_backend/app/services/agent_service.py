"""Agent management use cases: enable, disable and describe agents."""

from typing import Any

from ..agents.base import BaseAgent
from ..agents.supervisor.agent_registry import AgentRegistry
from .notifications import notify


class AgentService:
    """Enables and disables agents at runtime."""

    def __init__(self, registry: AgentRegistry | None = None) -> None:
        self._registry = registry or AgentRegistry()

    def enable(self, agent: BaseAgent) -> None:
        """Register ``agent``, replacing any agent with the same name."""
        self._registry.register(agent, replace=True)
        notify("agent.enabled", agent=agent.name)

    def disable(self, name: str) -> None:
        """Remove the agent called ``name``."""
        self._registry.unregister(name)
        notify("agent.disabled", agent=name)

    def describe(self) -> list[dict[str, Any]]:
        """Summaries of the enabled agents, for listings."""
        return [
            {"name": name, "type": type(self._registry.get(name)).__name__}
            for name in self._registry.list()
        ]
