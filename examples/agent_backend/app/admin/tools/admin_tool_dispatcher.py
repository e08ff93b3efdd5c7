"""Audited tool dispatch for operator actions."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class AuditEntry:
    """Who ran which admin tool, when, and whether it worked."""

    operator: str
    tool: str
    ok: bool
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


class AdminToolDispatcher:
    """Runs operator tools and keeps an audit log; dangerous tools need confirmation."""

    def __init__(self, operator: str) -> None:
        self._operator = operator
        self._tools: dict[str, tuple[Callable[..., Any], bool]] = {}
        self._audit: list[AuditEntry] = []

    def register_tool(self, name: str, handler: Callable[..., Any], *, dangerous: bool = False) -> None:
        """Register an operator tool; ``dangerous`` tools require ``confirm=True``."""
        self._tools[name] = (handler, dangerous)

    def dispatch(
        self, name: str, arguments: Mapping[str, Any] | None = None, *, confirm: bool = False
    ) -> Any:
        """Run ``name`` and record the outcome in the audit log."""
        handler, dangerous = self._tools[name]
        if dangerous and not confirm:
            raise PermissionError(f"{name} is dangerous; pass confirm=True")
        try:
            output = handler(**dict(arguments or {}))
        except Exception:
            self._audit.append(AuditEntry(self._operator, name, ok=False))
            raise
        self._audit.append(AuditEntry(self._operator, name, ok=True))
        return output

    def list_tools(self) -> list[str]:
        """Return the operator tool names, sorted."""
        return sorted(self._tools)

    def audit_log(self) -> list[AuditEntry]:
        """Return every recorded admin action, oldest first."""
        return list(self._audit)
