"""Dispatcher factories for chat and batch workloads."""

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from app.core.config import Settings
from app.services.tool_dispatcher import ToolDispatcher


def _summarize(text: str, max_words: int = 30) -> str:
    words = text.split()
    return " ".join(words[:max_words]) + (" ..." if len(words) > max_words else "")


def _count_words(text: str) -> int:
    return len(text.split())


class BaseDispatcherFactory(ABC):
    """Builds a configured ``ToolDispatcher`` for one kind of workload."""

    workload: str = "generic"

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @abstractmethod
    def tools(self) -> dict[str, Callable[..., Any]]:
        """The tools this workload needs, by name."""

    def create(self) -> ToolDispatcher:
        """Return a dispatcher holding every enabled tool of the workload."""
        dispatcher = ToolDispatcher()
        for name, handler in self.tools().items():
            if name not in self._settings.disabled_tools:
                dispatcher.register_tool(name, handler)
        return dispatcher


class ChatDispatcherFactory(BaseDispatcherFactory):
    """Tools for interactive chat."""

    workload = "chat"

    def tools(self) -> dict[str, Callable[..., Any]]:
        return {"echo": lambda text: text, "summarize": _summarize}


class BatchDispatcherFactory(BaseDispatcherFactory):
    """Tools for offline batch jobs."""

    workload = "batch"

    def tools(self) -> dict[str, Callable[..., Any]]:
        return {"summarize": _summarize, "count_words": _count_words}
