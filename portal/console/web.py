"""What every console page needs: templates and their texts, the signed-in clerk, the
CSRF check and the cookies."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from kernel.i18n import gettext_
from portal.api.deps import Ctx, Db
from portal.db.models import ConsoleSession, Staff
from portal.services import console_sessions
from portal.services.context import PortalContext
from portal.services.identity import Actor
from portal.services.staff import as_actor

SESSION_COOKIE = "motcua_staff"
# Before sign-in there is no session: the sign-in form's CSRF token is a random value
# in its own cookie and in the form (double submit).
SIGNIN_CSRF_COOKIE = "motcua_staff_csrf"
LANG = "vi"  # the ward's staff work in Vietnamese

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def tr(message: str, /, **params: object) -> str:
    return gettext_(message, LANG, **params)


def _local(value: datetime | None, tz: str = "Asia/Ho_Chi_Minh") -> str:
    if value is None:
        return "—"
    return value.astimezone(ZoneInfo(tz)).strftime("%d/%m/%Y %H:%M")


def local_time(value: datetime, ctx: PortalContext) -> str:
    return value.astimezone(ZoneInfo(ctx.settings.timezone)).strftime("%H:%M %d/%m/%Y")


templates.env.globals["_"] = tr
templates.env.globals["lang"] = LANG
templates.env.filters["local"] = _local
templates.env.filters["vnd"] = lambda amount: f"{amount:,}".replace(",", ".") + " đ"


class SignInRequired(Exception):
    """Raised by :func:`get_clerk` when no live session: the page redirects to sign-in."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


@dataclass(frozen=True)
class Clerk:
    """The signed-in staff member of a console request."""

    staff: Staff
    session: ConsoleSession
    actor: Actor

    @property
    def is_head(self) -> bool:
        return self.staff.role == "head"

    @property
    def csrf(self) -> str:
        return self.session.csrf


def get_clerk(request: Request, ctx: Ctx, db: Db) -> Clerk:
    token = request.cookies.get(SESSION_COOKIE)
    found = console_sessions.current(db, ctx, token) if token else None
    if found is None:
        db.commit()  # an expired session's row is deleted
        path = request.url.path
        if request.url.query:
            path += "?" + request.url.query
        raise SignInRequired(path if request.method == "GET" else "/staff/")
    session, staff = found
    db.commit()
    return Clerk(staff=staff, session=session, actor=as_actor(staff))


ClerkDep = Annotated[Clerk, Depends(get_clerk)]


class CsrfRefused(Exception):
    """A form posted without the page's CSRF token (or with another one)."""


def check_csrf(clerk: ClerkDep, csrf: Annotated[str, Form()] = "") -> Clerk:
    if not csrf or not hmac.compare_digest(csrf.encode(), clerk.csrf.encode()):
        raise CsrfRefused()
    return clerk


# A clerk whose form carried the session's CSRF token: every POST but sign-in.
PostingClerk = Annotated[Clerk, Depends(check_csrf)]


def new_signin_csrf() -> str:
    return secrets.token_urlsafe(32)


def secure_cookies(request: Request, ctx: PortalContext) -> bool:
    """Secure cookies when the console is reached over HTTPS (directly or as the
    public address says)."""
    public = str(getattr(ctx.settings, "public_base_url", None) or "")
    return request.url.scheme == "https" or public.startswith("https://")


def set_cookie(
    response: Response, request: Request, ctx: PortalContext, name: str, value: str
) -> None:
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request, ctx),
        path="/staff",
    )


def page(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    clerk: Clerk | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    values = {"clerk": clerk, "csrf": clerk.csrf if clerk else context.get("csrf", "")}
    values.update(context)
    response = templates.TemplateResponse(request, name, values, status_code=status_code)
    # The console's pages hold personal data: never cached, never framed.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def signin_url(next_url: str) -> str:
    return "/staff/login?next=" + quote(next_url, safe="")


def safe_next(value: str | None) -> str:
    """Only a path inside the console (no scheme, no //host): no open redirect."""
    if value and value.startswith("/staff/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/staff/queue"
