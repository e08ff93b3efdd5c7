"""Compatibility shims for callers of the pre-1.0 service API."""
