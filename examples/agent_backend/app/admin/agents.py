"""Admin endpoints for inspecting and controlling agents."""

from typing import Any

from app.services.agent_service import AgentService


def registry_snapshot(registry: Any) -> dict[str, Any]:
    """GET /admin/agents: every registered agent and its type."""
    from app.agents.supervisor.agent_registry import AgentRegistry

    if not isinstance(registry, AgentRegistry):
        raise TypeError(f"expected AgentRegistry, got {type(registry).__name__}")
    agents = {name: type(registry.get(name)).__name__ for name in registry.list()}
    return {"status": 200, "count": len(agents), "agents": agents}


def disable_agent(service: AgentService, name: str) -> dict[str, Any]:
    """POST /admin/agents/{name}/disable."""
    try:
        service.disable(name)
    except KeyError:
        return {"status": 404, "error": f"unknown agent {name!r}"}
    return {"status": 200, "disabled": name}
