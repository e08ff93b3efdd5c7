"""Response envelopes returned by the HTTP layer."""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class JsonResponse:
    """A JSON body with a status code and headers."""

    body: dict[str, Any]
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)

    def with_header(self, name: str, value: str) -> "JsonResponse":
        """Return a copy with one more header."""
        return JsonResponse(self.body, self.status, {**self.headers, name: value})


@dataclass(frozen=True)
class ErrorResponse:
    """The error envelope: a machine-readable code and a human message."""

    code: str
    message: str
    status: int = 400
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> JsonResponse:
        """Render as ``{"error": {...}}``."""
        error = {"code": self.code, "message": self.message, "details": self.details}
        return JsonResponse({"error": error}, status=self.status)
