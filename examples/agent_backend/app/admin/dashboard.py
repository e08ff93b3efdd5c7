"""Admin dashboard: one page summarising agents and tools."""

from typing import Any

from app.admin.tools.admin_tool_dispatcher import AdminToolDispatcher
from app.agents.registry import AgentRegistry, get_registry
from app.core.tools import unified_tool_dispatcher


def build_dashboard(
    tools: unified_tool_dispatcher.UnifiedToolDispatcher,
    admin_tools: AdminToolDispatcher,
    registry: AgentRegistry | None = None,
) -> dict[str, Any]:
    """Collect the numbers shown on the dashboard's front page."""
    registry = registry or get_registry()
    return {
        "agents": registry.list(),
        "tools": tools.list_tools(),
        "admin_tools": admin_tools.list_tools(),
        "recent_admin_actions": [entry.tool for entry in admin_tools.audit_log()[-10:]],
    }
