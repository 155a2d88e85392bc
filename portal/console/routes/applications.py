"""One application: its answers, papers, history, and the actions staff may take."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, Response

from kernel.i18n import N_
from portal.api.deps import AppId, Ctx, Db
from portal.api.downloads import NOSNIFF, attachment
from portal.api.presenters import is_overdue
from portal.api.text import MultilineText, PlainText
from portal.console import views, web
from portal.console.actions import ACTIONS, available_actions
from portal.db.models import Application
from portal.domain.workflow import Status, TransitionError
from portal.services import applications, payments
from portal.services import staff as staff_service
from portal.services.errors import PortalError

router = APIRouter()

# Refused (422) before anything is read, as in the API: no NUL, no lone surrogates.
Note = Annotated[MultilineText, Form(max_length=2000)]
Names = Annotated[list[PlainText] | None, Form()]


def _load(db: Db, clerk: web.Clerk, app_id: AppId, *, lock: bool = False) -> Application:
    return applications.get_for(db, clerk.actor, app_id, lock=lock)


def _render(
    request: Request,
    ctx: Ctx,
    clerk: web.Clerk,
    app: Application,
    *,
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    proc = ctx.catalog.get(app.procedure)
    supplement = app.supplement or {}
    docs_by_code = {d.code: d.name.get(web.LANG) for d in proc.documents}
    fields_by_name = {f.name: (f.short_label or f.label).get(web.LANG) for f in proc.fields}
    fee_due = (app.fee_amount or 0) > 0 and app.paid_at is None
    return web.page(
        request,
        "application.html",
        {
            "app": app,
            "procedure": proc.name.get(web.LANG),
            "status": views.status_text(app.status),
            "overdue": is_overdue(ctx, app),
            "answers": views.answers(ctx, app),
            "documents": [
                {
                    "id": d.id,
                    "name": docs_by_code.get(d.code, d.code),
                    "image": d.mime.startswith("image/"),
                    "mime": d.mime,
                    "size": d.size,
                    "pages": d.pages,
                }
                for d in app.documents
            ],
            "transitions": [
                {
                    "at": t.at,
                    "from": views.status_text(t.from_status) if t.from_status else "—",
                    "to": views.status_text(t.to_status),
                    "actor": t.actor,
                    "note": t.note,
                }
                for t in app.transitions
            ],
            "supplement_docs": [docs_by_code.get(c, c) for c in supplement.get("documents", [])],
            "supplement_fields": [fields_by_name.get(f, f) for f in supplement.get("fields", [])],
            "supplement_note": supplement.get("note"),
            "doc_choices": list(docs_by_code.items()),
            "field_choices": list(fields_by_name.items()),
            "actions": available_actions(app, clerk.staff.role),
            "fee_due": fee_due,
            "can_take_payment": fee_due and app.status not in _CLOSED,
            "error": error,
            "notice": notice,
            "tz": ctx.settings.timezone,
            "receipts": views.receipt_links(request, app),
        },
        clerk=clerk,
        status_code=status_code,
    )


_CLOSED = {
    Status.DRAFT.value,
    Status.COMPLETED.value,
    Status.REJECTED.value,
    Status.CANCELLED.value,
}


@router.get("/staff/applications/{app_id}")
def application_page(
    request: Request, ctx: Ctx, db: Db, clerk: web.ClerkDep, app_id: AppId, done: str = ""
) -> Response:
    app = _load(db, clerk, app_id)
    notice = web.tr(N_("Done: {status}."), status=views.status_text(app.status)) if done else None
    return _render(request, ctx, clerk, app, notice=notice)


@router.post("/staff/applications/{app_id}/act/{action}")
def act(
    request: Request,
    ctx: Ctx,
    db: Db,
    clerk: web.PostingClerk,
    app_id: AppId,
    action: str,
    note: Note = "",
    documents: Names = None,
    fields: Names = None,
) -> Response:
    target = ACTIONS.get(action)
    app = _load(db, clerk, app_id, lock=True)
    if target is None:
        return _render(
            request, ctx, clerk, app, error=web.tr(N_("Unknown action.")), status_code=404
        )
    try:
        staff_service.act(
            db,
            ctx,
            app,
            clerk.actor,
            target,
            note=note.strip() or None,
            missing_documents=documents or [],
            fields=fields or [],
        )
    except (PortalError, TransitionError) as exc:
        db.rollback()
        app = _load(db, clerk, app_id)
        status_code = exc.status_code if isinstance(exc, PortalError) else 409
        return _render(
            request, ctx, clerk, app, error=exc.message[web.LANG], status_code=status_code
        )
    db.commit()
    return web.see_other(f"/staff/applications/{app.id}?done=1")


@router.post("/staff/applications/{app_id}/counter-payment")
def counter_payment(
    request: Request, ctx: Ctx, db: Db, clerk: web.PostingClerk, app_id: AppId
) -> Response:
    app = _load(db, clerk, app_id, lock=True)
    try:
        payments.confirm_at_counter(db, ctx, app, clerk.actor)
    except PortalError as exc:
        db.rollback()
        app = _load(db, clerk, app_id)
        return _render(
            request, ctx, clerk, app, error=exc.message[web.LANG], status_code=exc.status_code
        )
    db.commit()
    return web.see_other(f"/staff/applications/{app.id}?done=1")


@router.get("/staff/applications/{app_id}/documents/{doc_id}")
def document(db: Db, clerk: web.ClerkDep, app_id: AppId, doc_id: int) -> Response:
    """A paper for the clerk's eyes: a picture (re-encoded by the portal on upload)
    inline, so the page can show it; a PDF as a download, never rendered on this origin."""
    app = _load(db, clerk, app_id)
    doc = next((d for d in app.documents if d.id == doc_id), None)
    if doc is None or not Path(doc.storage_path).is_file():
        return Response(status_code=404, headers=NOSNIFF)
    if doc.mime.startswith("image/"):
        headers = {
            **NOSNIFF,
            "Content-Disposition": "inline",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        }
    else:
        headers = {**attachment(doc.filename), "Cache-Control": "private, no-store"}
    return FileResponse(doc.storage_path, media_type=doc.mime, headers=headers)
