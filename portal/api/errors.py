"""One error body everywhere: {"error": {"code", "message": {"vi", "en"}, "fields": [...]}}."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kernel.i18n import N_, localized
from portal.db.session import database_unreachable
from portal.services.errors import PortalError

log = logging.getLogger("portal")


def error_body(
    code: str, message: dict[str, str], fields: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or []}}


_HTTP_MESSAGES = {
    404: N_("Nothing here. Please check the address."),
    405: N_("This method is not allowed here."),
    413: N_("The request is too large."),
}


def install(app: FastAPI) -> None:
    @app.exception_handler(PortalError)
    async def _portal_error(_: Request, exc: PortalError) -> JSONResponse:
        headers = {"Retry-After": "60"} if exc.status_code == 429 else None
        return JSONResponse(
            error_body(exc.code, exc.message, exc.fields), exc.status_code, headers=headers
        )

    @app.exception_handler(StaleDataError)
    async def _stale(_: Request, exc: StaleDataError) -> JSONResponse:
        # Optimistic locking (SQLite takes no row locks): another request changed the
        # application between our read and our write; ours was rolled back.
        log.info("optimistic-lock conflict: %s", exc)
        return JSONResponse(
            error_body(
                "stale",
                localized(
                    N_(
                        "Someone else changed this application at the same moment. "
                        "Nothing was saved; please reload it and try again."
                    )
                ),
            ),
            409,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [
            {
                "field": ".".join(str(p) for p in err.get("loc", ()) if p != "body"),
                "code": str(err.get("type", "invalid")),
                "message": {"vi": str(err.get("msg", "")), "en": str(err.get("msg", ""))},
            }
            for err in exc.errors()
        ]
        return JSONResponse(
            error_body("invalid_request", localized(N_("The request is malformed.")), fields), 422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = _HTTP_MESSAGES.get(exc.status_code, N_("The request could not be handled."))
        return JSONResponse(
            error_body(f"http_{exc.status_code}", localized(message)),
            exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        if not database_unreachable(exc):
            return await _unexpected(request, exc)
        # A restart of PostgreSQL: the transaction was rolled back; a moment later
        # the same request succeeds (the pool reconnects), so say "retry".
        log.warning("database unreachable: %s", exc.orig)
        return JSONResponse(
            error_body(
                "unavailable",
                localized(
                    N_(
                        "The ward's system is restarting. Nothing was saved; "
                        "please try again in a moment."
                    )
                ),
            ),
            503,
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(
            error_body(
                "internal_error",
                localized(
                    N_("Something went wrong on our side. Nothing was saved; please try again.")
                ),
            ),
            500,
        )
