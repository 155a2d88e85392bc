"""Bot API error replies, shaped as Telegram sends them."""

from __future__ import annotations

from typing import Any

DEFAULT_DESCRIPTIONS: dict[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Request Entity Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class ApiError(Exception):
    """Raised by a method handler; becomes `{"ok": false, ...}` with that HTTP status."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def injected(error_code: int, retry_after: int | None, description: str | None) -> ApiError:
    """The error a `fail_next` rule produces."""
    if error_code == 429:
        wait = 1 if retry_after is None else retry_after
        error = too_many_requests(wait)
        if description:
            error.description = description
        return error
    text = description or DEFAULT_DESCRIPTIONS.get(error_code, "Error")
    return ApiError(error_code, text, retry_after=retry_after)
