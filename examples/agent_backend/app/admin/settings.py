"""Admin view of the effective configuration."""

from typing import Any

from app.agents.supervisor.agent_registry import DEFAULT_AGENT_TIMEOUT, default_agent_names
from app.core.config import Settings


def settings_view(settings: Settings | None = None) -> dict[str, Any]:
    """GET /admin/settings: configuration an operator may want to check."""
    settings = settings or Settings.from_env()
    return {
        "environment": settings.environment,
        "tool_timeout_seconds": settings.tool_timeout_seconds,
        "agent_timeout_seconds": DEFAULT_AGENT_TIMEOUT,
        "max_agents": settings.max_agents,
        "default_agents": default_agent_names(),
        "disabled_tools": sorted(settings.disabled_tools),
    }
