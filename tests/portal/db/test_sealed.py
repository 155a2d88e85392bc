"""Answers and phone numbers are sealed at rest; keys rotate; the migration seals the
rows written before it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from backend_client import PortalClient
from portal.db import sealed
from portal.db.migrate import downgrade, upgrade
from portal.db.models import Application, Lookup
from portal.db.session import make_engine, make_sessionmaker
from portal.services import lookups
from portal.services.context import PortalContext
from portal.settings import PortalSettings

CITIZEN_ID = "046150123456"


@pytest.fixture
def restore_keys() -> Iterator[None]:
    yield
    sealed.configure(PortalSettings())


async def test_the_database_holds_no_answer_or_phone_in_clear(
    portal: PortalClient, ctx: PortalContext
) -> None:
    app = await portal.create_application(
        "telegram:4001", "marital_status_certificate", phone="0905 123 456"
    )
    saved = await portal.set_answers(
        "telegram:4001", app.id, {"applicant_id": "046 1 50 123456", "applicant_name": "Lê Thị Hoa"}
    )
    assert saved.answers["applicant_id"] == CITIZEN_ID and saved.phone == "0905123456"
    with ctx.engine.connect() as conn:
        raw = conn.execute(
            text("SELECT answers, phone FROM applications WHERE id = :i"), {"i": app.id}
        ).one()
    stored = f"{raw.answers} {raw.phone}"
    for clear in (CITIZEN_ID, "0905123456", "Hoa"):
        assert clear not in stored
    # Staff find it by the number, typed as people type it, through its keyed hash.
    with ctx.sessions() as db:
        found = list(db.scalars(lookups.matching("citizen_id", "046.150.123.456")))
        by_phone = list(db.scalars(lookups.matching("phone", "+84 905 123 456")))
        digests = set(db.scalars(select(Lookup.digest)))
    assert found == [app.id] and by_phone == [app.id]
    assert not any(CITIZEN_ID in d for d in digests)


def test_a_rotated_key_still_opens_old_rows(restore_keys: None, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    sealed.configure(PortalSettings(data_key="old-key-" + "x" * 32))
    with sessions() as db:
        db.add(
            Application(
                id="a1",
                procedure="certified_copy",
                citizen="telegram:1",
                status="draft",
                answers={"applicant_id": CITIZEN_ID},
            )
        )
        db.commit()
    with engine.connect() as conn:
        before = conn.execute(text("SELECT answers FROM applications")).scalar_one()
    sealed.configure(
        PortalSettings(data_key="new-key-" + "y" * 32, data_old_keys="old-key-" + "x" * 32)
    )
    with sessions() as db:
        assert db.get(Application, "a1").answers == {"applicant_id": CITIZEN_ID}  # type: ignore[union-attr]
    sealed.configure(PortalSettings(data_key="new-key-" + "y" * 32))
    with sessions() as db, pytest.raises(sealed.InvalidToken):
        db.get(Application, "a1")
    assert sealed.Sealer("new-key-" + "y" * 32, ["old-key-" + "x" * 32]).reseal(before) != before
    engine.dispose()


def test_the_migration_seals_existing_rows_and_the_downgrade_opens_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    upgrade(url, "0001")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO applications (id, procedure, citizen, phone, lang, channel, status,"
                " answers, created_at, updated_at, version) VALUES ('a1', 'certified_copy',"
                " 'telegram:1', '0905123456', 'vi', 'online', 'draft', :answers,"
                " '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)"
            ),
            {"answers": json.dumps({"applicant_id": CITIZEN_ID, "applicant_name": "Lê Hoa"})},
        )
        conn.execute(
            text(
                "INSERT INTO documents (application_id, code, filename, format, mime, size,"
                " sha256, storage_path, uploaded_by, uploaded_at) VALUES ('a1', 'x',"
                " :name, 'jpeg', 'image/jpeg', 1, 'ab', '/x.jpg', 'telegram:1',"
                " '2026-01-01 00:00:00')"
            ),
            {"name": f"CCCD {CITIZEN_ID}.jpg"},
        )
    upgrade(url)
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT answers, phone FROM applications")).one()
        kinds = sorted(conn.execute(text("SELECT kind FROM lookups")).scalars())
        name = conn.execute(text("SELECT filename FROM documents")).scalar_one()
    assert CITIZEN_ID not in raw.answers and "0905123456" not in raw.phone
    assert CITIZEN_ID not in name
    assert kinds == ["citizen_id", "phone"]
    with make_sessionmaker(engine)() as db:
        app = db.get(Application, "a1")
        assert app is not None and app.answers["applicant_id"] == CITIZEN_ID
        assert app.phone == "0905123456"
        assert app.documents[0].filename == f"CCCD {CITIZEN_ID}.jpg"
    downgrade(url, "0001")
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT answers, phone FROM applications")).one()
        name = conn.execute(text("SELECT filename FROM documents")).scalar_one()
    assert json.loads(raw.answers)["applicant_id"] == CITIZEN_ID and raw.phone == "0905123456"
    assert name == f"CCCD {CITIZEN_ID}.jpg"
    engine.dispose()
