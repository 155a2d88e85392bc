"""The sealing migration on PostgreSQL, where the column types change (json → text):
rows written before it are sealed, and opened again by the downgrade."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import text

from portal.db.migrate import downgrade, upgrade
from portal.db.models import Application
from portal.db.session import make_engine, make_sessionmaker
from tests.support.databases import PG_ADMIN_URL, postgres_reachable

CITIZEN_ID = "046150123456"


@pytest.fixture
def fresh_pg() -> Iterator[str]:
    if not postgres_reachable():
        pytest.skip(f"no PostgreSQL server reachable at {PG_ADMIN_URL}")
    name = f"motcua_seal_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_portal_rows_sealed_and_opened_on_postgresql(fresh_pg: str) -> None:
    upgrade(fresh_pg, "0001")
    engine = make_engine(fresh_pg)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO applications (id, procedure, citizen, phone, lang, channel, status,"
                " answers, created_at, updated_at, version) VALUES ('a1', 'certified_copy',"
                " 'telegram:1', '0905123456', 'vi', 'online', 'draft', CAST(:a AS json),"
                " now(), now(), 1)"
            ),
            {"a": json.dumps({"applicant_id": CITIZEN_ID})},
        )
    upgrade(fresh_pg)
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT answers, phone FROM applications")).one()
    assert CITIZEN_ID not in raw.answers and "0905123456" not in raw.phone
    with make_sessionmaker(engine)() as db:
        app = db.get(Application, "a1")
        assert app is not None and app.answers == {"applicant_id": CITIZEN_ID}
    downgrade(fresh_pg, "0001")
    with engine.connect() as conn:
        back = conn.execute(text("SELECT answers, phone FROM applications")).one()
    assert back.answers == {"applicant_id": CITIZEN_ID} and back.phone == "0905123456"
    engine.dispose()
