"""GET /health: liveness and configuration summary."""

from app.agents.supervisor.agent_registry import default_agent_names
from app.api.responses import JsonResponse
from app.core.config import Settings


def health(settings: Settings | None = None) -> JsonResponse:
    """Report that the service is up and which agents it ships with."""
    settings = settings or Settings.from_env()
    body = {
        "status": "ok",
        "environment": settings.environment,
        "default_agents": default_agent_names(),
    }
    return JsonResponse(body).with_header("Cache-Control", "no-store")
