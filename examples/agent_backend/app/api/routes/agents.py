"""GET /agents and GET /agents/{name}."""

from app.agents.supervisor.agent_registry import AgentRegistry as Registry
from app.api.responses import JsonResponse
from app.core.errors import NotFoundError, to_error_response
from app.services.agent_service import AgentService


def list_agents(registry: Registry | None = None) -> JsonResponse:
    """List the enabled agents."""
    service = AgentService(registry or Registry())
    return JsonResponse({"agents": service.describe()})


def get_agent(name: str, registry: Registry | None = None) -> JsonResponse:
    """Describe one agent, or 404."""
    registry = registry or Registry()
    if name not in registry:
        return to_error_response(NotFoundError(f"unknown agent {name!r}")).to_json()
    return JsonResponse({"name": name, "type": type(registry.get(name)).__name__})
