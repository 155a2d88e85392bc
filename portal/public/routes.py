"""``/t/{code}``: the public status page, its payment card and receipt downloads.

The same rules as the API's ``/v1/track``: one limiter (per client address), the
tracking code normalised and its check character verified. Anything wrong is a kind
page with the code form again, never an error body."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Header, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from kernel.i18n import gettext_
from portal.api.clients import rate_limit_key
from portal.api.deps import Ctx
from portal.api.ratelimit import Limiter
from portal.db.models import Application
from portal.domain.tracking import is_valid_code, normalize_code
from portal.papers import card, receipt
from portal.public.texts import NOT_FOUND
from portal.public.view import PublicStatus, choose_language, page_texts, public_status
from portal.services import payments
from portal.services.context import PortalContext

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)

# No script, no third party: the page needs nothing else. The URL holds the code, so
# it is never sent on as a referrer, and the answer is never cached by a proxy.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

Lang = Annotated[str | None, Query(max_length=8)]
AcceptLanguage = Annotated[str | None, Header(max_length=512)]


class Refused(Exception):
    """A lookup that shows the kind page: ``reason`` is a key of NOT_FOUND."""

    def __init__(self, reason: str, status_code: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status_code = status_code


def _find(ctx: PortalContext, request: Request, code: str) -> str:
    """The canonical code of a public application, after the rate limit."""
    limiter: Limiter = request.app.state.track_limiter
    if not limiter.hit(rate_limit_key(request, ctx.settings, request.app.state.trusted_proxies)):
        raise Refused("too_many", 429)
    canonical = normalize_code(code, default_prefix=ctx.settings.ward_code)
    if canonical is None:
        raise Refused("not_a_code", 404)
    if not is_valid_code(canonical):
        raise Refused("code_mistyped", 404)
    return canonical


def _load(ctx: PortalContext, canonical: str, lang: str) -> tuple[Application, PublicStatus]:
    with ctx.sessions() as db:
        app = db.scalar(select(Application).where(Application.tracking_code == canonical))
        shown = public_status(ctx, app, lang) if app is not None else None
        if app is None or shown is None:
            raise Refused("unknown_code", 404)
        return app, shown


def _page(
    request: Request, name: str, lang: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    other = "en" if lang == "vi" else "vi"
    response = templates.TemplateResponse(
        request,
        name,
        {
            "lang": lang,
            "t": page_texts(lang),
            "other_lang": other,
            "other_lang_name": "English" if other == "en" else "Tiếng Việt",
            **context,
        },
        status_code=status_code,
    )
    response.headers.update(HEADERS)
    return response


def _kind_page(request: Request, lang: str, typed: str, refused: Refused) -> HTMLResponse:
    headers = {"Retry-After": "60"} if refused.status_code == 429 else {}
    response = _page(
        request,
        "lookup.html",
        lang,
        {"typed": typed, "problem": gettext_(NOT_FOUND[refused.reason], lang)},
        status_code=refused.status_code,
    )
    response.headers.update(headers)
    return response


@router.get("/t", response_class=HTMLResponse)
def lookup_form(
    request: Request,
    code: Annotated[str | None, Query(max_length=64)] = None,
    lang: Lang = None,
    accept_language: AcceptLanguage = None,
) -> Response:
    """The code form; sent, it goes to the code's page."""
    chosen = choose_language(lang, accept_language)
    if code and code.strip():
        return RedirectResponse(f"/t/{quote(code.strip(), safe='')}?lang={chosen}", status_code=303)
    return _page(request, "lookup.html", chosen, {"typed": "", "problem": None})


@router.get("/t/{code}", response_class=HTMLResponse)
def status_page(
    ctx: Ctx,
    request: Request,
    code: str,
    lang: Lang = None,
    accept_language: AcceptLanguage = None,
) -> Response:
    chosen = choose_language(lang, accept_language)
    try:
        _, shown = _load(ctx, _find(ctx, request, code), chosen)
    except Refused as refused:
        return _kind_page(request, chosen, code[:64], refused)
    telegram = (
        f"{ctx.settings.telegram_bot_url.rstrip('/')}?start=trk_{shown.code}"
        if ctx.settings.telegram_bot_url
        else None
    )
    return _page(
        request,
        "status.html",
        chosen,
        {"s": shown, "telegram_url": telegram, "zalo_url": ctx.settings.zalo_url},
    )


def _image(
    ctx: PortalContext, request: Request, code: str, lang: str | None, kind: str
) -> Response:
    chosen = choose_language(lang, None)
    try:
        canonical = _find(ctx, request, code)
        with ctx.sessions() as db:
            app = db.scalar(select(Application).where(Application.tracking_code == canonical))
            shown = public_status(ctx, app, chosen) if app is not None else None
            if app is None or shown is None:
                raise Refused("unknown_code", 404)
            if kind == "payment.png":
                pay = payments.current(app)
                if pay is None or pay.status == "paid" or not shown.fee_due:
                    raise Refused("unknown_code", 404)
                body, media = card.payment_card_png(ctx, app, pay, chosen), "image/png"
            elif kind == "receipt.pdf":
                body, media = receipt.receipt_pdf(ctx, app, chosen), "application/pdf"
            else:
                body, media = receipt.receipt_png(ctx, app, chosen), "image/png"
    except Refused as refused:
        return _kind_page(request, chosen, code[:64], refused)
    name = f"{canonical}-{kind}"
    return Response(
        body,
        media_type=media,
        headers={**HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/t/{code}/payment.png")
def payment_card(ctx: Ctx, request: Request, code: str, lang: Lang = None) -> Response:
    """The payment card while a fee is due (nothing personal on it)."""
    return _image(ctx, request, code, lang, "payment.png")


@router.get("/t/{code}/receipt.pdf")
def receipt_pdf(ctx: Ctx, request: Request, code: str, lang: Lang = None) -> Response:
    return _image(ctx, request, code, lang, "receipt.pdf")


@router.get("/t/{code}/receipt.png")
def receipt_png(ctx: Ctx, request: Request, code: str, lang: Lang = None) -> Response:
    return _image(ctx, request, code, lang, "receipt.png")


def install(app: FastAPI) -> None:
    app.mount("/t-static", StaticFiles(directory=HERE / "static"), name="public-static")
    app.include_router(router)
