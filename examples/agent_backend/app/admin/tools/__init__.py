"""Operator tools: maintenance actions run from the admin console."""
