"""Small helpers that turn rows into what the templates show (Vietnamese texts)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.routing import NoMatchFound

from kernel.i18n import N_
from portal.console.web import LANG, tr
from portal.db.models import Application
from portal.domain import tracking
from portal.domain.workflow import Status, status_label
from portal.services.context import PortalContext

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def is_code(ctx: PortalContext, text: str) -> bool:
    code = tracking.normalize_code(text, default_prefix=ctx.settings.ward_code)
    return code is not None and tracking.is_valid_code(code)


def procedure_name(ctx: PortalContext, slug: str) -> str:
    proc = ctx.catalog.get(slug)
    return (proc.short_name or proc.name).get(LANG)


def status_text(status: str) -> str:
    return status_label(Status(status))[LANG]


def status_options() -> list[tuple[str, str]]:
    return [(s.value, status_text(s.value)) for s in Status if s is not Status.DRAFT]


def procedure_options(ctx: PortalContext) -> list[tuple[str, str]]:
    return sorted(((p.slug, procedure_name(ctx, p.slug)) for p in ctx.catalog), key=lambda x: x[1])


def applicant(ctx: PortalContext, app: Application) -> str:
    """Who the application is from, or else the first person it names (a child's
    birth registration names the child first)."""
    names = ["applicant_name", "full_name", "name"]
    names += [f.name for f in ctx.catalog.get(app.procedure).fields if f.name.endswith("_name")]
    for key in names:
        value = app.answers.get(key)
        if isinstance(value, str):
            return value
    return "—"


def answers(ctx: PortalContext, app: Application) -> list[tuple[str, str]]:
    """The answers under the catalog's short labels, in the form's order."""
    proc = ctx.catalog.get(app.procedure)
    rows: list[tuple[str, str]] = []
    for field in proc.fields:
        if field.name not in app.answers:
            continue
        label = (field.short_label or field.label).get(LANG)
        rows.append((label, _value(field.choices, app.answers[field.name])))
    return rows


def _value(choices: list[Any], value: object) -> str:
    for choice in choices:
        if choice.value == value:
            return str(choice.label.get(LANG))
    if isinstance(value, bool):
        return tr(N_("Yes")) if value else tr(N_("No"))
    if isinstance(value, str) and _ISO_DATE.match(value):
        return date.fromisoformat(value).strftime("%d/%m/%Y")  # as the ward writes dates
    return str(value)


def receipt_links(request: Request, app: Application) -> list[tuple[str, str]]:
    """The receipt's downloads (the public page's ``receipt_pdf`` and ``receipt_png``
    routes) as (format, path); none when the portal serves no receipt."""
    if not app.tracking_code:
        return []
    links = []
    for kind in ("pdf", "png"):
        try:
            path = request.app.url_path_for(f"receipt_{kind}", code=app.tracking_code)
        except NoMatchFound:
            continue
        links.append((kind.upper(), str(path)))
    return links
