"""Application services: the use cases behind the HTTP and admin endpoints."""
