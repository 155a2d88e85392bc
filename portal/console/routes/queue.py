"""The queue: open applications, soonest due first, with filters and one search box."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from portal.api.deps import Ctx, Db
from portal.api.presenters import is_overdue
from portal.api.text import PlainText
from portal.console import views, web
from portal.domain.workflow import Status
from portal.services import queue_search

router = APIRouter()


@router.get("/staff/queue")
def queue_page(
    request: Request,
    ctx: Ctx,
    db: Db,
    clerk: web.ClerkDep,
    q: Annotated[PlainText, Query(max_length=100)] = "",
    status: Annotated[str, Query(max_length=32)] = "",
    procedure: Annotated[str, Query(max_length=64)] = "",
    overdue: Annotated[str, Query(max_length=8)] = "",
    finished: Annotated[str, Query(max_length=8)] = "",
) -> Response:
    known_status = status if status in {s.value for s in Status} else None
    known_procedure = procedure if procedure in {p.slug for p in ctx.catalog} else None
    filters = queue_search.Filters(
        text=q,
        status=known_status,
        procedure=known_procedure,
        overdue=overdue == "1",
        include_finished=finished == "1",
    )
    rows = queue_search.find(db, ctx, filters)
    # One code typed in full and found: straight to its page.
    if q.strip() and len(rows) == 1 and rows[0].tracking_code and views.is_code(ctx, q):
        return web.see_other(f"/staff/applications/{rows[0].id}")
    items = [
        {
            "id": a.id,
            "code": a.tracking_code or "—",
            "procedure": views.procedure_name(ctx, a.procedure),
            "applicant": views.applicant(ctx, a),
            "status": views.status_text(a.status),
            "submitted": a.submitted_at,
            "due": a.due_date,
            "overdue": is_overdue(ctx, a),
            "paid": a.paid_at is not None,
            "fee": a.fee_amount or 0,
        }
        for a in rows
    ]
    return web.page(
        request,
        "queue.html",
        {
            "items": items,
            "capped": len(rows) >= queue_search.LIMIT,
            "filters": filters,
            "q": q,
            "statuses": views.status_options(),
            "procedures": views.procedure_options(ctx),
            "tz": ctx.settings.timezone,
        },
        clerk=clerk,
    )
