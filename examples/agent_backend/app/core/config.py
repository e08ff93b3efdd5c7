"""Runtime configuration loaded from environment variables."""

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """Immutable application settings."""

    environment: str = "development"
    tool_timeout_seconds: float = 30.0
    max_agents: int = 8
    disabled_tools: frozenset[str] = frozenset()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Build settings from ``APP_*`` environment variables."""
        env = os.environ if environ is None else environ
        disabled = frozenset(
            name.strip() for name in env.get("APP_DISABLED_TOOLS", "").split(",") if name.strip()
        )
        return cls(
            environment=env.get("APP_ENV", "development"),
            tool_timeout_seconds=float(env.get("APP_TOOL_TIMEOUT", "30")),
            max_agents=int(env.get("APP_MAX_AGENTS", "8")),
            disabled_tools=disabled,
        )

    @property
    def is_production(self) -> bool:
        """True when running with ``APP_ENV=production``."""
        return self.environment == "production"
