"""Migration b0004 seals the conversation states and help requests stored before it;
its downgrade opens them again."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from bot.store import Store, downgrade, upgrade
from bot.store.engine import make_engine
from tests.support.databases import PG_ADMIN_URL, postgres_reachable

TYPED = "046 1 50 123456"


async def test_existing_rows_are_sealed_and_opened_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    upgrade(url, "b0003")
    engine = make_engine(url)
    state = {"lang": "vi", "answers": {"applicant_id": TYPED}, "version": 3}
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO conversations (key, state, version, updated_at)"
                " VALUES ('telegram:1', :s, 3, '2026-03-09 00:00:00')"
            ),
            {"s": json.dumps(state)},
        )
        conn.execute(
            text(
                "INSERT INTO handoff_requests (key, reason, summary, status, created_at)"
                " VALUES ('telegram:1', 'user', :s, 'open', '2026-03-09 00:00:00')"
            ),
            {"s": json.dumps({"answers": {"applicant_id": TYPED}})},
        )
    upgrade(url)
    with engine.connect() as conn:
        raw = " ".join(conn.execute(text("SELECT state FROM conversations")).scalars()) + " ".join(
            conn.execute(text("SELECT summary FROM handoff_requests")).scalars()
        )
    assert TYPED not in raw
    store = Store(url)
    loaded = await store.load_state("telegram:1")
    assert loaded.answers == {"applicant_id": TYPED} and loaded.version == 3
    [request] = await store.open_handoffs("telegram:1")
    assert request.summary == {"answers": {"applicant_id": TYPED}}
    store.close()
    downgrade(url, "b0003")
    with engine.connect() as conn:
        back = conn.execute(text("SELECT state FROM conversations")).scalar_one()
    assert json.loads(back)["answers"] == {"applicant_id": TYPED}
    engine.dispose()


@pytest.fixture
def fresh_pg() -> Iterator[str]:
    if not postgres_reachable():
        pytest.skip(f"no PostgreSQL server reachable at {PG_ADMIN_URL}")
    name = f"motcua_bot_seal_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_bot_store_rows_sealed_and_opened_on_postgresql(fresh_pg: str) -> None:
    upgrade(fresh_pg, "b0003")
    engine = make_engine(fresh_pg)
    state = {"lang": "vi", "answers": {"applicant_id": TYPED}}
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO conversations (key, state, version, updated_at)"
                " VALUES ('telegram:1', CAST(:s AS jsonb), 1, now())"
            ),
            {"s": json.dumps(state)},
        )
    upgrade(fresh_pg)
    with engine.connect() as conn:
        assert TYPED not in conn.execute(text("SELECT state FROM conversations")).scalar_one()
    downgrade(fresh_pg, "b0003")
    with engine.connect() as conn:
        back = conn.execute(text("SELECT state FROM conversations")).scalar_one()
    assert back["answers"] == {"applicant_id": TYPED}
    engine.dispose()
