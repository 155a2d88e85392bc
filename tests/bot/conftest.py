"""Fixtures of the bot tests: a migrated bot store on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest

from bot.store import Store, upgrade
from bot.store.models import Base
from tests.support.databases import PG_ADMIN_URL, postgres_reachable


class BotPostgres:
    """A PostgreSQL database of our own for the run, migrated once, emptied per test."""

    def __init__(self) -> None:
        self.name = f"motcua_bot_test_{uuid.uuid4().hex[:10]}"
        self.url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{self.name}"

    def create(self) -> None:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        upgrade(self.url)

    def truncate(self) -> None:
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")

    def drop(self) -> None:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _bot_postgres() -> Iterator[BotPostgres | None]:
    if not postgres_reachable():
        yield None
        return
    db = BotPostgres()
    db.create()
    try:
        yield db
    finally:
        db.drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def bot_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Store tests run on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
        upgrade(url)
        return url
    pg: BotPostgres | None = request.getfixturevalue("_bot_postgres")
    if pg is None:
        pytest.skip(f"no PostgreSQL server reachable at {PG_ADMIN_URL}")
    pg.truncate()
    return pg.url


@pytest.fixture
async def store(bot_db_url: str) -> AsyncIterator[Store]:
    s = Store(bot_db_url)
    yield s
    s.close()


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[Store]:
    """A store for tests about something else than the database."""
    s = Store.migrated(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    yield s
    s.close()
