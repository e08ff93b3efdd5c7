"""Per-request execution state and request-scoped tool dispatch."""
