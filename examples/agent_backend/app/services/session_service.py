"""Chat sessions: a user talking to one agent over many requests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.services.execution.request_scoped_tool_dispatcher import RequestContext

if TYPE_CHECKING:
    from app.agents.supervisor.agent_registry import AgentRegistry


@dataclass
class Session:
    """A conversation between a user and an agent."""

    session_id: str
    user_id: str
    agent_name: str
    requests: list[RequestContext] = field(default_factory=list)


class SessionService:
    """Opens, tracks and closes chat sessions."""

    def __init__(self, registry: AgentRegistry) -> None:
        self._registry = registry
        self._sessions: dict[str, Session] = {}

    def open(self, user_id: str, agent_name: str) -> Session:
        """Start a session with ``agent_name``, which must be registered."""
        if agent_name not in self._registry:
            raise LookupError(f"no agent named {agent_name!r}")
        session = Session(uuid.uuid4().hex, user_id, agent_name)
        self._sessions[session.session_id] = session
        return session

    def new_request(self, session_id: str) -> RequestContext:
        """Create the context for the next request in a session."""
        session = self._sessions[session_id]
        context = RequestContext.new(session.user_id)
        session.requests.append(context)
        return context

    def close(self, session_id: str) -> Session:
        """End a session and return it."""
        return self._sessions.pop(session_id)
