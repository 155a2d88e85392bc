"""An answer's own UPDATE (no flush) and the documents and steps read for a response in
one statement behave as the ORM did."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from portal.api import schemas
from portal.db.models import Application, Document, Payment, Transition
from portal.services import applications
from portal.services.context import PortalContext
from portal.services.identity import Actor

OWNER = Actor("citizen", "telegram:5101")
CLERK = Actor("staff", "staff:lan", role="clerk")


def _draft(ctx: PortalContext) -> str:
    with ctx.sessions() as db:
        app = applications.create_draft(db, ctx, OWNER, procedure="certified_copy")
        db.commit()
        return app.id


def test_an_answer_is_written_with_its_version_moved_on(ctx: PortalContext) -> None:
    app_id = _draft(ctx)
    with ctx.sessions() as db:
        app = applications.get_for(db, OWNER, app_id, lock=True)
        applications.set_answers(db, ctx, app, {"pages": "3", "document_title": "Sổ đỏ"})
        assert not db.dirty  # nothing left for a flush
        db.commit()
        assert app.version == 2 and app.answers == {"pages": 3, "document_title": "Sổ đỏ"}
    with ctx.sessions() as db:
        row = db.get_one(Application, app_id)
        assert row.version == 2 and row.answers == {"pages": 3, "document_title": "Sổ đỏ"}
        assert row.updated_at == ctx.now()


def test_an_answer_to_a_row_changed_since_it_was_read_is_refused(ctx: PortalContext) -> None:
    """SQLite takes no row lock: the version is what keeps a concurrent change."""
    app_id = _draft(ctx)
    with ctx.sessions() as db:
        app = applications.get_for(db, OWNER, app_id)  # read, not locked
        with ctx.sessions() as other:
            theirs = applications.get_for(other, OWNER, app_id)
            applications.set_answers(other, ctx, theirs, {"pages": "5"})
            other.commit()
        with pytest.raises(StaleDataError):
            applications.set_answers(db, ctx, app, {"pages": "3"})
    with ctx.sessions() as db:
        assert db.get_one(Application, app_id).answers == {"pages": 5}


def test_an_answer_after_another_change_in_the_session_is_flushed(ctx: PortalContext) -> None:
    """A pending change of the same row is written with the answer (one UPDATE by the
    flush), not left to fail under the version the answer moved on."""
    app_id = _draft(ctx)
    with ctx.sessions() as db:
        app = applications.get_for(db, OWNER, app_id, lock=True)
        app.result_note = "ghi chú"
        applications.set_answers(db, ctx, app, {"pages": "3"})
        db.commit()
    with ctx.sessions() as db:
        row = db.get_one(Application, app_id)
        assert (row.result_note, row.answers, row.version) == ("ghi chú", {"pages": 3}, 2)


def test_shown_is_the_orm_collections_in_order(ctx: PortalContext) -> None:
    """Several documents, steps and payments (a product of rows had they been joined):
    each once, in order, with the same values the ORM reads (sealed file names opened,
    datetimes in UTC)."""
    app_id = _draft(ctx)
    with ctx.sessions() as db:
        app = db.get_one(Application, app_id)
        now = ctx.now()
        for i in range(3):
            app.documents.append(
                Document(
                    code="original_document",
                    filename=f"trang {i}.jpg",
                    format="jpeg",
                    mime="image/jpeg",
                    size=100 + i,
                    sha256=f"{i}" * 64,
                    width=800,
                    height=600,
                    storage_path=f"/nowhere/{i}.jpg",
                    uploaded_by=OWNER.id,
                    uploaded_at=now + timedelta(seconds=i),
                )
            )
        app.transitions.append(
            Transition(
                from_status="draft",
                to_status="submitted",
                actor_kind="citizen",
                actor=OWNER.id,
                note="lần 1",
                at=now + timedelta(minutes=1),
            )
        )
        for i in range(2):
            app.payments.append(
                Payment(
                    reference=f"MCREF{i}",
                    amount=4000 + i,
                    payload=f"000201...{i}",
                    status="paid" if i else "pending",
                    method="bank" if i else None,
                    created_at=now,
                    paid_at=now + timedelta(hours=1) if i else None,
                )
            )
        db.commit()
    with ctx.sessions() as db:
        app = db.get_one(Application, app_id)
        shown = applications.shown(db, app)
        pay = [
            (p.id, p.reference, p.amount, p.payload, p.status, p.method, p.paid_at)
            for p in app.payments
        ]
        assert [
            (p.id, p.reference, p.amount, p.payload, p.status, p.method, p.paid_at)
            for p in shown.payments
        ] == pay
        docs = [schemas.DocumentOut.model_validate(d) for d in app.documents]
        steps = [schemas.TransitionOut.model_validate(t) for t in app.transitions]
        assert [schemas.DocumentOut.model_validate(d) for d in shown.documents] == docs
        assert [schemas.TransitionOut.model_validate(t) for t in shown.transitions] == steps
        assert [d.filename for d in shown.documents] == [
            "trang 0.jpg",
            "trang 1.jpg",
            "trang 2.jpg",
        ]
        assert [t.to_status for t in shown.transitions] == ["draft", "submitted"]
        assert all(d.uploaded_at.utcoffset() == timedelta(0) for d in shown.documents)
        assert applications.document_rules(ctx, app, shown.documents) == (
            applications.document_rules(ctx, app)
        )
        ids = db.scalars(select(Document.id).where(Document.application_id == app_id))
        assert [d.id for d in shown.documents] == sorted(ids)


def test_shown_of_an_application_of_nothing_yet(ctx: PortalContext) -> None:
    app_id = _draft(ctx)
    with ctx.sessions() as db:
        shown = applications.shown(db, db.get_one(Application, app_id))
        assert shown.documents == [] and shown.payments == []
        assert [t.to_status for t in shown.transitions] == ["draft"]
