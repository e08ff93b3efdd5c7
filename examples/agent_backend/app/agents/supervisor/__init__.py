"""The supervisor routes messages to agents and owns the agent registry."""
