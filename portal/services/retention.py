"""The retention command (``motcua portal purge --older-than 90d``): drafts nobody
touched for a while and applications cancelled before they were ever submitted are
deleted with their files, and so are files in UPLOAD_DIR that no document names (left
by a crash between a deletion's commit and its clean-up). Submitted applications are
records the ward keeps (see PortalSettings.retention_years); this never touches them."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from portal.db.models import Application, Document
from portal.domain.workflow import Status
from portal.papers import cache as papers_cache
from portal.services.context import PortalContext
from portal.services.erasure import (
    delete_applications,
    empty_sqlite_log,
    lock_and_reload,
    remove_files,
)

# An upload writes its file just after its row is flushed, before the commit: a file
# this young may belong to a row not committed yet.
ORPHAN_GRACE = timedelta(hours=1)

_AGE = re.compile(r"\s*(\d+)\s*([dwh])\s*")
_UNIT = {"d": timedelta(days=1), "w": timedelta(weeks=1), "h": timedelta(hours=1)}


@dataclass(frozen=True)
class Purged:
    applications: int
    documents: int
    files: int
    orphans: int


def parse_age(text: str) -> timedelta:
    """``90d``, ``12w``, ``36h``."""
    found = _AGE.fullmatch(text)
    if not found or int(found.group(1)) == 0:
        raise ValueError(f"{text!r} is not an age such as 90d, 12w or 36h")
    return int(found.group(1)) * _UNIT[found.group(2)]


def purge(ctx: PortalContext, *, older_than: timedelta) -> Purged:
    cutoff = ctx.now() - older_than
    with ctx.sessions() as db:
        stale = (Application.status == Status.DRAFT.value) | (
            (Application.status == Status.CANCELLED.value) & Application.tracking_code.is_(None)
        )
        ids = list(db.scalars(select(Application.id).where(stale, Application.updated_at < cutoff)))
        gone = [a for a in lock_and_reload(db, ids) if a.updated_at < cutoff]
        deleted = delete_applications(db, ctx, gone)
        db.commit()
    files = remove_files(deleted.paths)
    orphans = remove_orphans(ctx)
    empty_sqlite_log(ctx.engine)
    return Purged(deleted.applications, deleted.documents, files, orphans)


def remove_orphans(ctx: PortalContext) -> int:
    """Files under UPLOAD_DIR no document names, older than ORPHAN_GRACE; then the
    folders left empty."""
    root = ctx.settings.upload_dir
    if not root.is_dir():
        return 0
    with ctx.sessions() as db:
        named = {str(Path(p).resolve()) for p in db.scalars(select(Document.storage_path))}
    oldest = time.time() - ORPHAN_GRACE.total_seconds()
    removed = 0
    for path in sorted(root.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.parent.name == papers_cache.FOLDER:
            continue  # rendered papers (portal.papers.cache): go with their application
        if path.is_file() and str(path.resolve()) not in named and path.stat().st_mtime < oldest:
            path.unlink(missing_ok=True)
            removed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return removed
