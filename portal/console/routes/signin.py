"""Sign-in and sign-out."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from kernel.i18n import N_
from portal.api.deps import Ctx, Db
from portal.api.text import PlainText
from portal.console import web
from portal.services import console_sessions, passwords

router = APIRouter()


@router.get("/staff")
@router.get("/staff/")
def home() -> Response:
    return web.see_other("/staff/queue")


def _form(
    request: Request,
    ctx: Ctx,
    *,
    next_url: str,
    error: str | None,
    status_code: int,
    user: str = "",
) -> Response:
    csrf = web.new_signin_csrf()
    response = web.page(
        request,
        "signin.html",
        {"csrf": csrf, "next": next_url, "error": error, "username": user},
        status_code=status_code,
    )
    web.set_cookie(response, request, ctx, web.SIGNIN_CSRF_COOKIE, csrf)
    return response


@router.get("/staff/login")
def signin_page(request: Request, ctx: Ctx, next: str | None = None) -> Response:
    return _form(request, ctx, next_url=web.safe_next(next), error=None, status_code=200)


@router.post("/staff/login")
def signin(
    request: Request,
    ctx: Ctx,
    db: Db,
    username: Annotated[PlainText, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    csrf: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    next_url = web.safe_next(next)
    expected = request.cookies.get(web.SIGNIN_CSRF_COOKIE, "")
    if not csrf or not expected or not hmac.compare_digest(csrf.encode(), expected.encode()):
        raise web.CsrfRefused()
    result = passwords.sign_in(db, ctx, username.strip(), password)
    if result.staff is None:
        db.commit()  # the failure counts, and may lock the account
        if result.locked_until is not None:
            error = web.tr(
                N_(
                    "Too many wrong passwords: this account is locked until {time}. "
                    "Ask the head of the office if you need it sooner."
                ),
                time=web.local_time(result.locked_until, ctx),
            )
        else:
            error = web.tr(N_("The user name or the password is wrong."))
        return _form(
            request, ctx, next_url=next_url, error=error, status_code=401, user=username.strip()
        )
    opened = console_sessions.open_session(db, ctx, result.staff)
    db.commit()
    response = web.see_other(next_url)
    web.set_cookie(response, request, ctx, web.SESSION_COOKIE, opened.token)
    response.delete_cookie(web.SIGNIN_CSRF_COOKIE, path="/staff")
    return response


@router.post("/staff/logout")
def signout(request: Request, db: Db, _clerk: web.PostingClerk) -> Response:
    token = request.cookies.get(web.SESSION_COOKIE)
    if token:
        console_sessions.close(db, token)
        db.commit()
    response = web.see_other("/staff/login")
    response.delete_cookie(web.SESSION_COOKIE, path="/staff")
    return response
