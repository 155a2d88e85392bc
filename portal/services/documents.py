"""Papers attached to an application: checked by content, stored on disk by hash.

Files live under ``UPLOAD_DIR/<application id>/<sha256>.<ext>``: two rows of one
application with the same content share a file. A file is written after its row is
flushed and deleted after the row's removal has committed, each time while the
application is locked (the row lock on PostgreSQL, the write lock on SQLite), so an
upload of the same content racing a removal never ends with a row and no file.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from sqlalchemy import event, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kernel.i18n import N_
from portal.db.models import Application, Document
from portal.domain.documents import DocumentRejected, prepare_document
from portal.domain.filenames import safe_filename
from portal.services.applications import EDITABLE, counted_documents, procedure_of
from portal.services.context import PortalContext
from portal.services.errors import Conflict, NotFound, ValidationFailed
from portal.services.identity import Actor

_EXT = {"jpeg": "jpg", "png": "png", "webp": "webp", "heic": "heic", "pdf": "pdf"}

_log = logging.getLogger(__name__)


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
        prepared = prepare_document(
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
    info = prepared.info
    folder = ctx.settings.upload_dir / app.id
    target = folder / f"{info.sha256}.{_EXT[info.format]}"
    doc = Document(
        application_id=app.id,
        code=code,
        filename=safe_filename(filename),
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
    # The flush takes SQLite's write lock; only then is the file looked for, so a
    # removal's clean-up (which takes the same lock) cannot delete it in between.
    db.flush()
    if not target.exists():
        folder.mkdir(parents=True, exist_ok=True)
        # Write then rename: a crash never leaves a half-written file under the final name.
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(prepared.content)
        os.replace(tmp, target)
    return doc


def find(app: Application, doc_id: int) -> Document:
    doc = next((d for d in app.documents if d.id == doc_id), None)
    if doc is None:
        raise NotFound(N_("No such file."), code="unknown_file")
    return doc


def remove(db: Session, ctx: PortalContext, app: Application, doc_id: int) -> None:
    """Let the citizen take a blurry photo again. The file goes when this session's
    transaction commits, if no row refers to it then (see :func:`discard_files`)."""
    if app.status not in EDITABLE:
        raise Conflict(
            N_("This application has been submitted and can no longer be changed."),
            code="not_editable",
        )
    doc = find(app, doc_id)
    app.documents.remove(doc)
    app.updated_at = ctx.now()
    db.flush()
    _discard_after_commit(db, app.id, doc.storage_path)


# db.info key: {application id: [paths]} removed in the session's open transaction.
_PENDING = "portal.documents.removed_files"


def _discard_after_commit(db: Session, app_id: str, path: str) -> None:
    """Every caller's removal (the route, a resubmission replacing old photos) has its
    file deleted once, and only once, its transaction has committed."""
    if _PENDING not in db.info:
        db.info[_PENDING] = {}
        event.listen(db, "after_commit", _after_commit)
        event.listen(db, "after_rollback", _after_rollback)
    db.info[_PENDING].setdefault(app_id, []).append(path)


def _after_commit(db: Session) -> None:
    pending: dict[str, list[str]] = db.info.get(_PENDING) or {}
    db.info[_PENDING] = {}
    if not pending:
        return
    # The committed session cannot run SQL from this hook: a session of its own does.
    with Session(db.get_bind()) as own:
        for app_id, paths in pending.items():
            discard_files(own, app_id, paths)


def _after_rollback(db: Session) -> None:
    db.info[_PENDING] = {}  # those rows are back: their files stay


def discard_files(db: Session, app_id: str, paths: list[str]) -> None:
    """Delete the files no document row refers to any more, in a short transaction
    of its own, after the one that removed the rows has committed (a failed commit
    never costs a file).

    Runs with the application locked, like uploads, and after the commit: a failure
    here is logged and leaves at most an orphan file (the purge command finds those),
    never an error after the removal succeeded.
    """
    try:
        # A no-op write: the row lock on PostgreSQL, the database write lock on SQLite.
        db.execute(
            update(Application)
            .where(Application.id == app_id)
            .values(updated_at=Application.updated_at)
            .execution_options(synchronize_session=False)
        )
        for path in dict.fromkeys(paths):
            used = db.scalar(select(Document.id).where(Document.storage_path == path).limit(1))
            if used is None:
                Path(path).unlink(missing_ok=True)
        db.commit()
    except (SQLAlchemyError, OSError):
        _log.exception("could not delete the files of removed documents of %s", app_id)
        db.rollback()
