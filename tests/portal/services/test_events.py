"""The event feed's write path: events are written when their transaction commits, and
on PostgreSQL appends commit in id order."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from portal.db.models import Application, Event
from portal.services import applications, events
from portal.services.context import PortalContext
from portal.services.identity import Actor
from portal.settings import PortalSettings
from tests.support.clock import FrozenClock
from tests.support.databases import PostgresDatabase


def _draft(ctx: PortalContext, citizen: str) -> str:
    with ctx.sessions() as db:
        actor = Actor("citizen", citizen)
        app = applications.create_draft(db, ctx, actor, procedure="death_registration")
        db.commit()
        return app.id


def _count(ctx: PortalContext) -> int:
    with ctx.sessions() as db:
        return int(db.scalar(select(func.count()).select_from(Event)) or 0)


def test_an_event_is_written_with_its_commit_and_not_after_a_rollback(ctx: PortalContext) -> None:
    app_id = _draft(ctx, "telegram:1")
    before = _count(ctx)
    with ctx.sessions() as db:
        events.append(db, ctx, "application.test", db.get_one(Application, app_id))
        db.flush()
        assert _count(ctx) == before  # not even flushed yet
        db.rollback()
        db.commit()
    assert _count(ctx) == before
    with ctx.sessions() as db:
        events.append(db, ctx, "application.test", db.get_one(Application, app_id))
        db.commit()
    assert _count(ctx) == before + 1


@pytest.fixture
def pg_ctx(
    _postgres: PostgresDatabase | None, tmp_path: Path, clock: FrozenClock
) -> Iterator[PortalContext]:
    if _postgres is None:
        pytest.skip("no PostgreSQL server reachable at TEST_POSTGRES_URL / 127.0.0.1:5432")
    _postgres.truncate()
    settings = PortalSettings(database_url=_postgres.url, upload_dir=tmp_path / "uploads")
    context = PortalContext.from_settings(settings, clock=clock)
    yield context
    context.engine.dispose()


def test_on_postgresql_appends_commit_in_id_order(pg_ctx: PortalContext) -> None:
    """The first transaction has inserted its event and is paused before COMMIT; a
    second one must wait for it, or a reader could see id 2 and later miss id 1."""
    ctx = pg_ctx
    first_app, second_app = _draft(ctx, "telegram:1"), _draft(ctx, "telegram:2")
    inserted, release = threading.Event(), threading.Event()
    second_done = threading.Event()

    def first() -> None:
        with ctx.sessions() as db:
            events.append(db, ctx, "application.first", db.get_one(Application, first_app))

            @sa_event.listens_for(db.connection(), "after_cursor_execute")
            def pause(_conn: object, _cursor: object, statement: str, *_: object) -> None:
                if statement.startswith("INSERT INTO events"):
                    inserted.set()
                    release.wait(10)

            db.commit()

    def second() -> None:
        with ctx.sessions() as db:
            events.append(db, ctx, "application.second", db.get_one(Application, second_app))
            db.commit()
        second_done.set()

    one = threading.Thread(target=first)
    one.start()
    assert inserted.wait(10)
    two = threading.Thread(target=second)
    two.start()
    time.sleep(0.5)
    # The second append waits for the first transaction's commit.
    assert not second_done.is_set()
    release.set()
    one.join(10)
    two.join(10)
    with ctx.sessions() as db:
        feed = [(e.id, e.type) for e in events.after(db, 0, 10)]
    ids = [i for i, _ in feed]
    assert ids == sorted(ids)
    assert [t for _, t in feed][-2:] == ["application.first", "application.second"]
