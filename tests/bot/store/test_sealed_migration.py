"""Migration b0004 seals the conversation states and help requests stored before it;
its downgrade opens them again."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from bot.store import Store, downgrade, upgrade
from bot.store.engine import make_engine

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
