"""Factories that build tool dispatchers for each kind of workload."""
