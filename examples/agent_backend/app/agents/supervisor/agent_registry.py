"""In-memory registry of the agents available to the supervisor."""

from __future__ import annotations

from app.agents.base import BaseAgent

DEFAULT_AGENT_TIMEOUT = 45.0
_DEFAULT_AGENTS = ("echo", "planner", "researcher")


def default_agent_names() -> list[str]:
    """Names of the agents enabled in a fresh deployment."""
    return list(_DEFAULT_AGENTS)


class AgentRegistry:
    """Maps agent names to agent instances."""

    def __init__(self) -> None:
        self._agents: dict[str, BaseAgent] = {}

    def register(self, agent: BaseAgent, *, replace: bool = False) -> None:
        """Add ``agent`` under its ``name``; refuse duplicates unless ``replace``."""
        if agent.name in self._agents and not replace:
            raise ValueError(f"agent {agent.name!r} is already registered")
        self._agents[agent.name] = agent

    def unregister(self, name: str) -> BaseAgent:
        """Remove and return the agent called ``name``."""
        return self._agents.pop(name)

    def get(self, name: str) -> BaseAgent:
        """Return the agent called ``name``."""
        try:
            return self._agents[name]
        except KeyError:
            raise LookupError(f"no agent named {name!r}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._agents

    def __len__(self) -> int:
        return len(self._agents)

    def list(self) -> list[str]:
        """Return the registered agent names, sorted."""
        return sorted(self._agents)
