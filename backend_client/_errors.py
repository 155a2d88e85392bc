from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: dict[str, str]


@dataclass
class BackendError(Exception):
    """Base of every error the client raises. ``message`` is {"vi", "en"}."""

    status: int
    code: str
    message: dict[str, str] = field(default_factory=dict)
    fields: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message.get('en', '')}"

    @classmethod
    def from_body(cls, status: int, body: Any) -> BackendError:
        err = body.get("error", {}) if isinstance(body, dict) else {}
        fields = [
            FieldError(
                field=str(f.get("field", "")),
                code=str(f.get("code", "")),
                message=dict(f.get("message") or {}),
            )
            for f in err.get("fields", [])
            if isinstance(f, dict)
        ]
        kind = _BY_STATUS.get(status, UnavailableError if status >= 500 else BackendError)
        return kind(
            status=status,
            code=str(err.get("code", f"http_{status}")),
            message=dict(err.get("message") or {}),
            fields=fields,
        )


class NotFoundError(BackendError):
    """The thing does not exist (or is not visible to this citizen)."""


class ValidationFailedError(BackendError):
    """The request was understood but refused; ``fields`` holds every field error."""


class ConflictError(BackendError):
    """Not possible in the current state (already submitted, already paid...)."""


class AuthError(BackendError):
    """Missing or wrong token, or not allowed for this caller."""


class RateLimitedError(BackendError):
    """Too many requests; retry later."""


class UnavailableError(BackendError):
    """The portal could not be reached or failed (5xx), even after retries."""


_BY_STATUS: dict[int, type[BackendError]] = {
    400: ValidationFailedError,
    401: AuthError,
    403: AuthError,
    404: NotFoundError,
    409: ConflictError,
    413: ValidationFailedError,
    422: ValidationFailedError,
    429: RateLimitedError,
}
