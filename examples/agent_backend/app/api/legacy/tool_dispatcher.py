"""Tool dispatch for the v1 HTTP API."""

from collections.abc import Callable
from typing import Any

import app.agents.supervisor.agent_registry as ar
from app.api.responses import ErrorResponse, JsonResponse


class ToolDispatcher:
    """v1 dispatcher: takes the raw JSON payload and answers with a JSON envelope."""

    def __init__(self) -> None:
        self._registry = ar.AgentRegistry()
        self._tools: dict[str, Callable[..., Any]] = {}

    def register_tool(self, name: str, func: Callable[..., Any]) -> None:
        """Register ``func`` as the v1 tool ``name``."""
        self._tools[name] = func

    def dispatch(self, payload: dict[str, Any]) -> JsonResponse:
        """Run ``payload["tool"]`` with ``payload["args"]`` for ``payload["agent"]``."""
        name = payload.get("tool", "")
        agent = payload.get("agent")
        if agent is not None and agent not in self._registry:
            return ErrorResponse("not_found", f"unknown agent {agent!r}", status=404).to_json()
        if name not in self._tools:
            return ErrorResponse("not_found", f"unknown tool {name!r}", status=404).to_json()
        output = self._tools[name](**payload.get("args", {}))
        return JsonResponse({"tool": name, "result": output})

    def list_tools(self) -> list[str]:
        """Return the v1 tool names."""
        return sorted(self._tools)
