"""POST /chat: talk to an agent."""

from typing import Any

from app.agents.supervisor.agent_registry import AgentRegistry
from app.api.responses import JsonResponse
from app.core.errors import NotFoundError, ValidationError, to_error_response
from app.services.chat_service import ChatService


def post_chat(
    body: dict[str, Any], registry: AgentRegistry, service: ChatService | None = None
) -> JsonResponse:
    """Send ``body["message"]`` to ``body["agent"]`` and return the reply."""
    message = body.get("message")
    agent_name = body.get("agent", "echo")
    if not isinstance(message, str) or not message:
        return to_error_response(ValidationError("'message' must be a non-empty string")).to_json()
    if agent_name not in registry:
        return to_error_response(NotFoundError(f"unknown agent {agent_name!r}")).to_json()
    turn = (service or ChatService()).reply(agent_name, message, user_id=body.get("user_id"))
    return JsonResponse({"request_id": turn.request_id, "reply": turn.reply})
