"""The holiday table: days the government swapped. Everyone sees it; the head edits it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from kernel.i18n import N_
from portal.api.deps import Ctx, Db
from portal.api.text import PlainText
from portal.console import web
from portal.db.models import HolidayOverride
from portal.services import staff as staff_service

router = APIRouter()


def _render(
    request: Request,
    db: Db,
    clerk: web.Clerk,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    rows = list(db.scalars(select(HolidayOverride).order_by(HolidayOverride.day)))
    return web.page(
        request,
        "holidays.html",
        {"rows": rows, "error": error},
        clerk=clerk,
        status_code=status_code,
    )


def _head_only(request: Request, db: Db, clerk: web.Clerk) -> Response | None:
    if clerk.is_head:
        return None
    message = web.tr(N_("Only the head of the office may do this."))
    return _render(request, db, clerk, error=message, status_code=403)


@router.get("/staff/holidays")
def holidays_page(request: Request, db: Db, clerk: web.ClerkDep) -> Response:
    return _render(request, db, clerk)


@router.post("/staff/holidays")
def add_holiday(
    request: Request,
    ctx: Ctx,
    db: Db,
    clerk: web.PostingClerk,
    day: Annotated[str, Form(max_length=10)] = "",
    kind: Annotated[str, Form(max_length=8)] = "off",
    note: Annotated[PlainText, Form(max_length=200)] = "",
) -> Response:
    refused = _head_only(request, db, clerk)
    if refused is not None:
        return refused
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        message = web.tr(N_("Please give the day as a date."))
        return _render(request, db, clerk, error=message, status_code=422)
    staff_service.set_holiday(db, parsed, kind == "working", note.strip() or None)
    db.commit()
    return web.see_other("/staff/holidays")


@router.post("/staff/holidays/{day}/delete")
def remove_holiday(request: Request, db: Db, clerk: web.PostingClerk, day: date) -> Response:
    refused = _head_only(request, db, clerk)
    if refused is not None:
        return refused
    staff_service.remove_holiday(db, day)
    db.commit()
    return web.see_other("/staff/holidays")
