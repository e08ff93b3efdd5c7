"""Admin console: operator-only endpoints, deployed separately from the public API."""
