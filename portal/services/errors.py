"""Errors the services raise; the API turns each into one consistent 4xx body."""

from __future__ import annotations

from typing import Any

from kernel.i18n import N_, localized


class PortalError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        /,
        *,
        code: str | None = None,
        fields: list[dict[str, Any]] | None = None,
        **params: object,
    ) -> None:
        self.message = localized(message, **params)
        if code:
            self.code = code
        self.fields = fields or []
        super().__init__(self.message["en"])


class NotFound(PortalError):
    status_code = 404
    code = "not_found"


class Unauthorized(PortalError):
    status_code = 401
    code = "unauthorized"


class Forbidden(PortalError):
    status_code = 403
    code = "forbidden"


class Conflict(PortalError):
    status_code = 409
    code = "conflict"


class ValidationFailed(PortalError):
    status_code = 422
    code = "validation_failed"


class TooManyRequests(PortalError):
    status_code = 429
    code = "rate_limited"


def not_found_application() -> NotFound:
    return NotFound(N_("No such application."))
