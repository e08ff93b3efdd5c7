"""Public entry point for the agent registry.

Import the registry from here (``from app.agents.registry import get_registry``),
not from ``app.agents.supervisor.agent_registry``.
"""

from app.agents.supervisor.agent_registry import AgentRegistry

__all__ = ["AgentRegistry", "get_registry"]

_registry: AgentRegistry | None = None


def get_registry() -> AgentRegistry:
    """Return the process-wide agent registry, creating it on first use."""
    global _registry
    if _registry is None:
        _registry = AgentRegistry()
    return _registry
