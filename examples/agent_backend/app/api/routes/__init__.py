"""Route table of the public HTTP API."""

from app.api.routes import agents, chat, health, tools

ROUTES = [
    ("GET", "/health", health.health),
    ("GET", "/agents", agents.list_agents),
    ("GET", "/agents/{name}", agents.get_agent),
    ("POST", "/chat", chat.post_chat),
    ("GET", "/tools", tools.list_tools),
    ("POST", "/tools/{name}", tools.call_tool),
]
