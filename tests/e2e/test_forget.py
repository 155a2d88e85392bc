""" "Delete my data" end to end: a grandmother types her ID into a birth registration,
sends a photo, then deletes her data. Afterwards neither the portal's database nor its
upload folder nor the bot store's files hold the ID (SQLite; on PostgreSQL the portal's
rows are gone), and she is told what was deleted."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from backend_client import PortalClient
from bot.store import Store
from portal.services.context import PortalContext
from tests.e2e.conftest import Citizen, texts
from tests.e2e.flows import birth_registration_until_papers
from tests.support.images import photo

TYPED = "046 195 123 456"  # as flows.birth_registration_until_papers types it
NEEDLES = [TYPED.encode(), TYPED.replace(" ", "").encode()]


def _sqlite_files(url: str) -> list[Path]:
    path = Path(make_url(url).database or "")
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def _holding_the_id(paths: list[Path]) -> list[Path]:
    return [p for p in paths if p.is_file() and any(n in p.read_bytes() for n in NEEDLES)]


async def test_after_delete_my_data_no_file_holds_the_citizen_id(
    citizen: Citizen,
    portal: PortalClient,
    ctx: PortalContext,
    bot_store: Store,
    bot_db: str,
) -> None:
    await birth_registration_until_papers(citizen)
    sent = await citizen.sends_photo(photo(text=TYPED), caption=f"CCCD {TYPED}")
    assert "Đã nhận" in texts(sent)
    key = f"telegram:{citizen.chat_id}"
    [draft] = await portal.my_applications(key)
    uploads = ctx.settings.upload_dir
    assert any(p.is_file() for p in (uploads / draft.id).iterdir())

    asked = await citizen.says("/forget")
    assert "Xóa" in texts(asked) or "xóa" in texts(asked)
    done = await citizen.presses("Có, xóa")

    said = texts(done)
    assert "1 hồ sơ chưa nộp" in said and "rút lại sự đồng ý" in said, citizen.transcript(6)
    assert await portal.my_applications(key) == []
    assert not [p for p in uploads.rglob("*") if p.is_file()]
    assert _holding_the_id(_sqlite_files(bot_db)) == []
    if ctx.engine.dialect.name == "sqlite":
        files = _sqlite_files(ctx.settings.database_url)
        assert files and _holding_the_id(files) == []
    with ctx.engine.connect() as conn:
        for table in ("applications", "documents", "lookups", "transitions"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0, table
    state = await bot_store.load_state(key)
    assert state.answers == {} and not state.consent
