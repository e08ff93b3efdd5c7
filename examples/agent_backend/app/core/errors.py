"""Application exceptions and their conversion to HTTP error responses."""

from typing import Any

from app.api.responses import ErrorResponse


class AppError(Exception):
    """Base class for errors that should be reported to the client."""

    code = "internal_error"
    status = 500

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class NotFoundError(AppError):
    """A requested resource (agent, tool, session) does not exist."""

    code = "not_found"
    status = 404


class ValidationError(AppError):
    """The request body is malformed or incomplete."""

    code = "invalid_request"
    status = 422


def to_error_response(exc: Exception) -> ErrorResponse:
    """Map any exception to the error envelope returned by the API."""
    if isinstance(exc, AppError):
        return ErrorResponse(exc.code, exc.message, status=exc.status, details=exc.details)
    return ErrorResponse("internal_error", "An unexpected error occurred.", status=500)
