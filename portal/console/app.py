"""Mounting the console on the portal's FastAPI app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from kernel.i18n import N_
from portal.console import web
from portal.console.routes import applications, holidays, queue, signin, stats


def install(app: FastAPI) -> None:
    app.mount(
        "/staff/static",
        StaticFiles(directory=Path(__file__).parent / "static"),
        name="console-static",
    )
    for module in (signin, queue, applications, stats, holidays):
        app.include_router(module.router, include_in_schema=False)

    @app.exception_handler(web.SignInRequired)
    async def _sign_in(_: Request, exc: web.SignInRequired) -> RedirectResponse:
        return web.see_other(web.signin_url(exc.next_url))

    @app.exception_handler(web.CsrfRefused)
    async def _csrf(request: Request, _: web.CsrfRefused) -> HTMLResponse:
        return web.page(
            request,
            "error.html",
            {
                "title": web.tr(N_("The form has expired")),
                "message": web.tr(
                    N_(
                        "This form was not sent from the console page you opened (or the "
                        "page is too old). Nothing was done. Please go back, reload the "
                        "page and try again."
                    )
                ),
            },
            status_code=403,
        )
