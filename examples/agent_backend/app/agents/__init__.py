"""Agents: conversational workers that call tools, coordinated by the supervisor."""
