"""Papers attached to an application: checked by content, stored on disk by hash."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from motcua.i18n import N_
from portal.db.models import Application, Document
from portal.domain.documents import DocumentRejected, inspect_document
from portal.services.applications import EDITABLE, counted_documents, procedure_of
from portal.services.context import PortalContext
from portal.services.errors import Conflict, NotFound, ValidationFailed
from portal.services.identity import Actor

_EXT = {"jpeg": "jpg", "png": "png", "webp": "webp", "heic": "heic", "pdf": "pdf"}


def _safe_name(filename: str | None) -> str:
    name = Path(filename or "file").name.strip() or "file"
    return name[:255]


def attach(
    db: Session,
    ctx: PortalContext,
    app: Application,
    actor: Actor,
    *,
    code: str,
    filename: str | None,
    data: bytes,
) -> Document:
    if app.status not in EDITABLE:
        raise Conflict(
            N_("This application has been submitted and can no longer be changed."),
            code="not_editable",
        )
    spec = next((d for d in procedure_of(ctx, app).documents if d.code == code), None)
    if spec is None:
        raise NotFound(N_("This procedure does not ask for that paper."), code="unknown_document")
    # Photos a supplement request replaces do not count (applications.counted_documents).
    already = counted_documents(app).get(code, 0)
    if already >= spec.max_files:
        raise Conflict(
            N_("Enough photos of this paper were received. Remove one to send another."),
            code="too_many_files",
        )
    try:
        info = inspect_document(
            data,
            accepted=spec.accepted,
            max_bytes=ctx.settings.max_upload_bytes,
            min_side=ctx.settings.min_image_side,
        )
    except DocumentRejected as exc:
        raise ValidationFailed(
            N_("This file cannot be used."),
            code=exc.code,
            fields=[{"field": f"documents.{code}", "code": exc.code, "message": exc.message}],
        ) from exc
    folder = ctx.settings.upload_dir / app.id
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{info.sha256}.{_EXT[info.format]}"
    if not target.exists():
        # Write then rename: a crash never leaves a half-written file under the final name.
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    doc = Document(
        application_id=app.id,
        code=code,
        filename=_safe_name(filename),
        format=info.format,
        mime=info.mime,
        size=info.size,
        sha256=info.sha256,
        width=info.width,
        height=info.height,
        pages=info.pages,
        storage_path=str(target),
        uploaded_by=actor.id,
        uploaded_at=ctx.now(),
    )
    app.documents.append(doc)
    app.updated_at = ctx.now()
    db.flush()
    return doc


def find(app: Application, doc_id: int) -> Document:
    doc = next((d for d in app.documents if d.id == doc_id), None)
    if doc is None:
        raise NotFound(N_("No such file."), code="unknown_file")
    return doc


def remove(db: Session, ctx: PortalContext, app: Application, doc_id: int) -> None:
    """Let the citizen take a blurry photo again. The file stays on disk while another
    row (same content) may still point at it."""
    if app.status not in EDITABLE:
        raise Conflict(
            N_("This application has been submitted and can no longer be changed."),
            code="not_editable",
        )
    doc = find(app, doc_id)
    app.documents.remove(doc)
    app.updated_at = ctx.now()
    db.flush()
