"""Core building blocks shared by every layer: configuration, errors and tools."""
