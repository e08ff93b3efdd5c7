"""Version 1 of the HTTP API, kept for old clients."""
