"""Agent backend: public HTTP API, admin console, services, agents and core utilities."""

__version__ = "0.4.2"
