from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from portal.db.base import Base
from portal.db.migrate import downgrade, upgrade
from portal.db.session import make_engine


def test_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert tables == set(Base.metadata.tables)
    for table in Base.metadata.sorted_tables:
        columns = {c["name"] for c in inspect(engine).get_columns(table.name)}
        assert columns == set(table.columns.keys()), table.name
    engine.dispose()
    downgrade(url)
    engine = make_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_migrations_on_the_test_database(db_url: str) -> None:
    # db_url is migrated by the fixture (SQLite copy, or the PostgreSQL test database)
    engine = make_engine(db_url)
    assert "events" in inspect(engine).get_table_names()
    engine.dispose()
