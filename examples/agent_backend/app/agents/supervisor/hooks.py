"""Lifecycle hooks run by the supervisor when agents start, stop or fail."""

import logging
from collections.abc import Callable
from typing import Any

import app.services.notifications as notifications

logger = logging.getLogger(__name__)

Hook = Callable[[str, dict[str, Any]], None]
_HOOKS: dict[str, list[Hook]] = {}


def register_hook(topic: str, hook: Hook) -> None:
    """Run ``hook`` every time ``topic`` is published."""
    _HOOKS.setdefault(topic, []).append(hook)


def run_hooks(topic: str, payload: dict[str, Any]) -> int:
    """Call the hooks registered for ``topic``; return how many succeeded."""
    succeeded = 0
    for hook in _HOOKS.get(topic, []):
        try:
            hook(topic, payload)
            succeeded += 1
        except Exception:
            logger.exception("hook for %s failed", topic)
    return succeeded


def on_agent_started(agent_name: str) -> None:
    """Announce that the supervisor handed a message to ``agent_name``."""
    notifications.notify("agent.started", agent=agent_name)


def on_agent_failed(agent_name: str, error: Exception) -> None:
    """Announce that ``agent_name`` raised while handling a message."""
    notifications.notify("agent.failed", agent=agent_name, error=str(error))
