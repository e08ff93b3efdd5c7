"""Built-in tools and the factory for the default dispatcher."""

from datetime import UTC, datetime

from app.core.config import Settings

from .unified_tool_dispatcher import UnifiedToolDispatcher


def _echo(text: str) -> str:
    """Return the input unchanged."""
    return text


def _clock() -> str:
    """Return the current UTC time in ISO 8601 format."""
    return datetime.now(UTC).isoformat()


BUILTIN_TOOLS = {
    "echo": (_echo, "Return the input text."),
    "clock": (_clock, "Current UTC time."),
}


def build_default_dispatcher(settings: Settings | None = None) -> UnifiedToolDispatcher:
    """Create a dispatcher with every built-in tool that is not disabled."""
    settings = settings or Settings.from_env()
    dispatcher = UnifiedToolDispatcher(default_timeout=settings.tool_timeout_seconds)
    for name, (handler, description) in BUILTIN_TOOLS.items():
        if name not in settings.disabled_tools:
            dispatcher.register_tool(name, handler, description=description)
    return dispatcher
