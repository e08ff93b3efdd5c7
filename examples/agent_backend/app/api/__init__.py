"""Public HTTP API."""
