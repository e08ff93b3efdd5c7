"""Admin dispatcher factories for chat and batch workloads."""

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from app.admin.tools.admin_tool_dispatcher import AdminToolDispatcher
from app.core.config import Settings

AdminTool = tuple[Callable[..., Any], bool]


def _purge_transcripts(older_than_days: int = 30) -> str:
    return f"purged transcripts older than {older_than_days} days"


def _replay_request(request_id: str) -> str:
    return f"replayed {request_id}"


def _reindex(collection: str = "documents") -> str:
    return f"reindexed {collection}"


class AdminDispatcherFactory(ABC):
    """Builds a configured ``AdminToolDispatcher`` for one kind of workload."""

    workload: str = "admin"

    def __init__(self, settings: Settings, operator: str) -> None:
        self._settings = settings
        self._operator = operator

    @abstractmethod
    def tools(self) -> dict[str, AdminTool]:
        """The operator tools of this workload: ``name -> (handler, dangerous)``."""

    def create(self) -> AdminToolDispatcher:
        """Return a dispatcher holding every enabled tool of the workload."""
        dispatcher = AdminToolDispatcher(self._operator)
        for name, (handler, dangerous) in self.tools().items():
            if name not in self._settings.disabled_tools:
                dispatcher.register_tool(name, handler, dangerous=dangerous)
        return dispatcher


class AdminChatDispatcherFactory(AdminDispatcherFactory):
    """Operator tools for live chat support."""

    workload = "admin-chat"

    def tools(self) -> dict[str, AdminTool]:
        return {"replay_request": (_replay_request, False)}


class AdminBatchDispatcherFactory(AdminDispatcherFactory):
    """Operator tools for batch maintenance."""

    workload = "admin-batch"

    def tools(self) -> dict[str, AdminTool]:
        return {"purge_transcripts": (_purge_transcripts, True), "reindex": (_reindex, False)}
