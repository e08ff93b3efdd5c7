"""Factories that build admin tool dispatchers for each kind of workload."""
