"""GET /tools and POST /tools/{name}."""

from typing import Any

from app.agents.registry import get_registry
from app.api.responses import ErrorResponse, JsonResponse
from app.core.tools.registry import build_default_dispatcher
from app.core.tools.unified_tool_dispatcher import UnifiedToolDispatcher

_dispatcher: UnifiedToolDispatcher | None = None


def get_dispatcher() -> UnifiedToolDispatcher:
    """Return the dispatcher shared by the tool endpoints."""
    global _dispatcher
    if _dispatcher is None:
        _dispatcher = build_default_dispatcher()
    return _dispatcher


def list_tools() -> JsonResponse:
    """List the tools and how many agents could use them."""
    return JsonResponse({"tools": get_dispatcher().list_tools(), "agents": len(get_registry())})


def call_tool(name: str, body: dict[str, Any]) -> JsonResponse:
    """Run one tool directly with the JSON body as keyword arguments."""
    dispatcher = get_dispatcher()
    if not dispatcher.has_tool(name):
        return ErrorResponse("not_found", f"unknown tool {name!r}", status=404).to_json()
    result = dispatcher.dispatch(name, body)
    return JsonResponse({"ok": result.ok, "output": result.output, "error": result.error})
