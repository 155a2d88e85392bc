"""Real databases for the tests: a migrated SQLite template copied per test, and a
PostgreSQL database (migrated once per run, truncated per test) when reachable."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import psycopg
from sqlalchemy import text

from portal.db.base import Base
from portal.db.migrate import upgrade
from portal.db.session import make_engine

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_reachable() -> bool:
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def sqlite_template(folder: Path) -> Path:
    path = folder / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


def sqlite_copy(template: Path, folder: Path) -> str:
    target = folder / "portal.sqlite3"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


class PostgresDatabase:
    def __init__(self) -> None:
        self.name = f"motcua_test_{uuid.uuid4().hex[:10]}"
        base = PG_ADMIN_URL.rsplit("/", 1)[0]
        self.url = f"{base}/{self.name}"

    def create(self) -> None:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        upgrade(self.url)

    def truncate(self) -> None:
        engine = make_engine(self.url)
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        engine.dispose()

    def drop(self) -> None:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
