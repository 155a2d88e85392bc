"""A citizen's "delete my data": their drafts and never-submitted applications go with
their answers, documents and files; submitted applications are public records the ward
must keep (``PortalSettings.retention_years`` after they are finished).

Rows are deleted in the caller's transaction; files only after it commits
(``remove_files``), so a failed commit never leaves rows pointing at missing files. A
file left behind by a crash between the two is an orphan that ``motcua portal purge``
removes.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from portal.db.models import Application, Document, Event
from portal.domain.workflow import Status
from portal.services.applications import list_for_citizen
from portal.services.context import PortalContext

log = logging.getLogger(__name__)


@dataclass
class Deleted:
    """What a deletion took out of the database, and the files to remove once committed."""

    applications: int = 0
    documents: int = 0
    paths: set[Path] = field(default_factory=set)


@dataclass
class Erasure:
    deleted: Deleted
    kept: list[Application]


def never_submitted(app: Application) -> bool:
    """A draft, or an application cancelled before it was ever submitted (it has no
    tracking code): nobody at the ward has seen it, nothing obliges keeping it."""
    return app.status == Status.DRAFT.value or (
        app.status == Status.CANCELLED.value and app.tracking_code is None
    )


def delete_applications(db: Session, ctx: PortalContext, apps: Iterable[Application]) -> Deleted:
    deleted = Deleted()
    for app in apps:
        deleted.applications += 1
        deleted.documents += len(app.documents)
        deleted.paths.update(Path(d.storage_path) for d in app.documents)
        # The application's own folder also holds any half-written upload.
        deleted.paths.add(ctx.settings.upload_dir / app.id)
        db.execute(delete(Event).where(Event.application_id == app.id))
        db.delete(app)  # answers, documents, transitions, payments and lookups with it
    db.flush()
    # A file another row still names (same content stored once) stays.
    still = set(
        db.scalars(
            select(Document.storage_path).where(
                Document.storage_path.in_([str(p) for p in deleted.paths])
            )
        )
    )
    deleted.paths = {p for p in deleted.paths if str(p) not in still}
    return deleted


def erase_citizen(db: Session, ctx: PortalContext, citizen: str) -> Erasure:
    """Everything of ``citizen`` that was never submitted, including drafts they started
    for someone else as a volunteer; what was submitted is listed as kept."""
    ids = [a.id for a in list_for_citizen(db, citizen) if never_submitted(a)]
    gone = lock_and_reload(db, ids)
    kept = [a for a in list_for_citizen(db, citizen) if a not in gone]
    return Erasure(deleted=delete_applications(db, ctx, gone), kept=kept)


def lock_and_reload(db: Session, ids: list[str]) -> list[Application]:
    """The applications locked as an upload or a submit locks them (row locks on
    PostgreSQL, the write lock on SQLite), then read again: a photo sent or a submit
    made just before is seen, and a draft submitted meanwhile is no longer deleted."""
    if not ids:
        return []
    db.execute(
        update(Application)
        .where(Application.id.in_(ids))
        .values(updated_at=Application.updated_at)
        .execution_options(synchronize_session=False)
    )
    db.expire_all()
    fresh = db.scalars(select(Application).where(Application.id.in_(ids)))
    return [a for a in fresh if never_submitted(a)]


def remove_files(paths: Iterable[Path]) -> int:
    """Remove files and application folders (after the commit); returns how many files
    were removed. A missing one is not an error: a retry may have taken it."""
    removed = 0
    for path in sorted(paths, key=lambda p: len(p.parts), reverse=True):
        if path.is_dir():
            removed += sum(1 for p in path.rglob("*") if p.is_file())
            shutil.rmtree(path, ignore_errors=True)
        elif path.is_file():
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def empty_sqlite_log(engine: Engine) -> bool:
    """After an erasure on SQLite: write the log into the file and empty it, so the
    deleted rows' old pages are gone from it too (secure_delete already zeroes them in
    the file). A reader at that moment can keep the log from being emptied: reported,
    not raised. PostgreSQL needs nothing: deleted rows are never served again."""
    if engine.dialect.name != "sqlite":
        return True
    try:
        with engine.connect() as conn:
            busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").scalar()
    except OperationalError as exc:
        log.warning("portal log not emptied after an erasure: %s", exc)
        return False
    return not busy


def keep_until(ctx: PortalContext, app: Application) -> date | None:
    """The day the ward may delete a submitted application: ``retention_years`` after
    it was finished; None while it is still in progress."""
    if app.finished_at is None:
        return None
    finished = app.finished_at.astimezone(ZoneInfo(ctx.settings.timezone)).date()
    years = ctx.settings.retention_years
    try:
        return finished.replace(year=finished.year + years)
    except ValueError:  # 29 February
        return finished.replace(year=finished.year + years, day=28)
