"""A removed document's file goes once the removal has committed and no row refers to
it, and never while an upload of the same content is on its way."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import delete

from portal.db.models import Document
from portal.services import applications, documents
from portal.services.applications import procedure_of
from portal.services.context import PortalContext
from portal.services.identity import Actor
from tests.support.images import photo

OWNER = Actor("citizen", "telegram:5001")


def _draft_with_photo(ctx: PortalContext, data: bytes) -> tuple[str, str, int, Path]:
    with ctx.sessions() as db:
        app = applications.create_draft(db, ctx, OWNER, procedure="birth_registration")
        code = procedure_of(ctx, app).documents[0].code
        doc = documents.attach(db, ctx, app, OWNER, code=code, filename="a.jpg", data=data)
        db.commit()
        return app.id, code, doc.id, Path(doc.storage_path)


def test_a_removal_that_does_not_commit_keeps_the_file(ctx: PortalContext) -> None:
    app_id, _, doc_id, path = _draft_with_photo(ctx, photo())
    with ctx.sessions() as db:
        app = applications.get_for(db, OWNER, app_id, lock=True)
        documents.remove(db, ctx, app, doc_id)
        db.rollback()
        db.commit()  # a later commit of the same session does not act on the rolled-back removal
    assert path.exists()
    with ctx.sessions() as db:
        assert [d.id for d in applications.get_for(db, OWNER, app_id).documents] == [doc_id]


def test_a_committed_removal_deletes_the_file_nothing_else_refers_to(ctx: PortalContext) -> None:
    data = photo()
    app_id, code, first_id, path = _draft_with_photo(ctx, data)
    with ctx.sessions() as db:
        app = applications.get_for(db, OWNER, app_id, lock=True)
        second = documents.attach(db, ctx, app, OWNER, code=code, filename="b.jpg", data=data)
        db.commit()
        assert second.storage_path == str(path)
        documents.remove(db, ctx, app, first_id)
        db.flush()
        assert path.exists()  # not before the commit
        db.commit()
        assert path.exists()  # the second row still refers to it
        documents.remove(db, ctx, app, second.id)
        db.commit()
    assert not path.exists()


def test_a_file_another_row_refers_to_is_kept(ctx: PortalContext) -> None:
    app_id, _, _, path = _draft_with_photo(ctx, photo())
    with ctx.sessions() as db:
        documents.discard_files(db, app_id, [str(path)])
    assert path.exists()


def test_an_upload_of_the_same_content_during_the_clean_up_keeps_its_file(
    ctx: PortalContext,
) -> None:
    data = photo()
    app_id, code, doc_id, path = _draft_with_photo(ctx, data)
    removed = str(path)
    with ctx.sessions() as db:
        # Where a removal stands once committed, before its clean-up has run.
        db.execute(delete(Document).where(Document.id == doc_id))
        db.commit()
    assert path.exists()

    # The same photo is sent again before the clean-up runs: its row is flushed (the
    # application locked) and finds the file still there.
    with ctx.sessions() as uploading:
        app = applications.get_for(uploading, OWNER, app_id, lock=True)
        again = documents.attach(uploading, ctx, app, OWNER, code=code, filename="b.jpg", data=data)
        assert again.storage_path == removed

        def clean_up() -> None:
            with ctx.sessions() as db:
                documents.discard_files(db, app_id, [removed])

        cleaner = threading.Thread(target=clean_up)
        cleaner.start()
        cleaner.join(timeout=0.5)
        assert cleaner.is_alive()  # waits for the upload's lock
        uploading.commit()
    cleaner.join(timeout=30)
    assert not cleaner.is_alive()
    assert path.exists()
