""" "Delete my data" through the bot: the portal deletes the person's drafts with their
answers and files, the bot store erases the chat's records, and afterwards neither
database file, its write-ahead log nor the upload folder holds the citizen ID."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from backend_client import NotFoundError, PortalClient, UnavailableError
from bot.context import ContextProvider
from bot.effects import EffectRunner
from bot.files import LocalFiles
from bot.runtime import Runtime
from bot.store import Store
from dialogs import Button, Command, Effect, Reply, State
from portal.services.context import PortalContext
from tests.support.images import photo

CITIZEN_ID = "046150123456"
TYPED = "046 1 50 123456"  # as the citizen typed it
ANA = "telegram:71"


async def test_forget_me_deletes_only_the_persons_drafts(portal: PortalClient) -> None:
    mine = await portal.create_application(ANA, "death_registration")
    other = await portal.create_application("telegram:72", "death_registration")
    runner = EffectRunner(portal, LocalFiles())
    result = await runner.run(Effect("forget_me"), ANA)
    assert result.ok and result.value is not None
    assert result.value["deleted_applications"] == 1 and result.value["kept"] == []
    with pytest.raises(NotFoundError):
        await portal.get_application(ANA, mine.id)
    assert (await portal.get_application("telegram:72", other.id)).status == "draft"


async def _seed_chat(store: Store, key: str) -> None:
    """What a chat in the middle of a form holds: answers and recent messages in the
    state, a help request and its case log, a followed application, a queued message."""
    state = State(
        consent=True,
        flow="form",
        answers={"applicant_id": TYPED},
        recent=[f"Số định danh: {TYPED}"],
        pending="forget_me",
        seq=7,
    )
    await store.save_state(key, state, 0)
    await store.add_handoff(key, "user", {"answers": {"applicant_id": TYPED}})
    now = datetime(2026, 3, 9, tzinfo=UTC)
    with store.engine.begin() as conn:
        case = conn.execute(
            text(
                "INSERT INTO handoff_cases (key, status, citizen_name, lang, created_at)"
                " VALUES (:k, 'closed', 'An', 'vi', :now) RETURNING id"
            ),
            {"k": key, "now": now},
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO handoff_log (case_id, actor, action, detail, at)"
                " VALUES (:c, 'staff:1:Lan', 'set', :d, :now)"
            ),
            {"c": case, "d": f'{{"applicant_id": "{TYPED}"}}', "now": now},
        )
        conn.execute(
            text(
                "INSERT INTO assist_requests (volunteer_id, volunteer_name, procedure, status,"
                " created_at) VALUES (:v, 'An', 'birth_registration', 'created', :now)"
            ),
            {"v": int(key.split(":")[1]), "now": now},
        )
        conn.execute(
            text(
                "INSERT INTO subscriptions (tracking_code, key, lang, role, created_at)"
                " VALUES ('PX-2603-00001', :k, 'vi', 'owner', :now)"
            ),
            {"k": key, "now": now},
        )
        conn.execute(
            text(
                "INSERT INTO outbox (event_id, key, kind, payload, status, attempts, resent,"
                " not_before, created_at) VALUES (1, :k, 'status', :p, 'pending', 0, 0,"
                " :now, :now)"
            ),
            {"k": key, "p": f'{{"text": "CCCD {CITIZEN_ID}"}}', "now": now},
        )


async def test_the_chats_records_are_erased(store: Store) -> None:
    await _seed_chat(store, ANA)
    await _seed_chat(store, "telegram:72")
    erased = await store.erase_chat(ANA)
    assert erased.conversation and erased.help_records == 4
    assert erased.follows == 1 and erased.messages == 1 and erased.compacted
    state = await store.load_state(ANA)
    # Only the language and the pending question stay, at the same version.
    assert state.answers == {} and state.recent == [] and not state.consent
    assert state.pending == "forget_me" and state.seq == 7 and state.version == 1
    with store.engine.connect() as conn:
        for table, column in (
            ("handoff_requests", "key"),
            ("handoff_cases", "key"),
            ("subscriptions", "key"),
            ("outbox", "key"),
            ("chats", "key"),
        ):
            rows = conn.execute(
                text(f"SELECT {column} FROM {table} WHERE {column} LIKE 'telegram:7%'")
            ).scalars()
            assert set(rows) == {"telegram:72"}, table
        assert conn.execute(text("SELECT count(*) FROM handoff_log")).scalar_one() == 1
        volunteers = conn.execute(text("SELECT volunteer_id FROM assist_requests")).scalars()
        assert list(volunteers) == [72]
    assert (await store.load_state("telegram:72")).answers == {"applicant_id": TYPED}


async def test_nothing_is_erased_in_the_chat_when_the_portal_cannot_be_reached(
    sqlite_store: Store,
) -> None:
    class Down:
        async def erase_me(self, citizen: str) -> None:
            raise UnavailableError(503, "unavailable")

    await _seed_chat(sqlite_store, ANA)
    runner = EffectRunner(Down(), LocalFiles(), erasure=sqlite_store)  # type: ignore[arg-type]
    result = await runner.run(Effect("forget_me"), ANA)
    assert not result.ok and result.error and result.error["code"] == "unavailable"
    assert (await sqlite_store.load_state(ANA)).answers == {"applicant_id": TYPED}


def _files_of(url: str) -> list[Path]:
    path = Path(make_url(url).database or "")
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def _holding_the_id(paths: list[Path]) -> list[Path]:
    needles = [v.encode() for v in (CITIZEN_ID, TYPED, "046.150.123.456")]
    return [p for p in paths if any(n in p.read_bytes() for n in needles)]


def _button(replies: list[Reply], action: str) -> str:
    for reply in replies:
        for row in reply.buttons:
            for btn in row:
                if btn.data.endswith(action):
                    return btn.data
    raise AssertionError(f"no {action} button in {[r.text for r in replies]}")


async def test_after_delete_my_data_no_file_holds_the_citizen_id(
    portal: PortalClient, ctx: PortalContext, sqlite_store: Store
) -> None:
    draft = await portal.create_application(ANA, "marital_status_certificate", phone="0905123456")
    await portal.set_answers(ANA, draft.id, {"applicant_id": TYPED})
    proc = await portal.get_procedure("marital_status_certificate")
    await portal.upload_document(
        ANA, draft.id, proc.documents[0].code, photo(text=CITIZEN_ID), filename=f"{CITIZEN_ID}.jpg"
    )
    await _seed_chat(sqlite_store, ANA)
    state = await sqlite_store.load_state(ANA)
    state.app_id, state.procedure, state.pending = draft.id, "marital_status_certificate", None
    await sqlite_store.save_state(ANA, state, state.version)
    bot_files = _files_of(str(sqlite_store.engine.url))
    assert _holding_the_id(bot_files), "the seeded chat should hold the ID somewhere"
    uploads = ctx.settings.upload_dir
    assert any(uploads.rglob("*.jpg"))

    runtime = Runtime(
        store=sqlite_store,
        runner=EffectRunner(portal, LocalFiles(), handoffs=sqlite_store, erasure=sqlite_store),
        context_provider=ContextProvider(portal),
    )
    asked = await runtime.process(ANA, Command("forget"))
    done = await runtime.process(ANA, Button(_button(asked, "forget:yes")))

    said = "\n".join(r.text for r in done)
    assert "1" in said and "đồng ý" in said  # what was deleted, consent withdrawn
    with pytest.raises(NotFoundError):
        await portal.get_application(ANA, draft.id)
    assert not [p for p in uploads.rglob("*") if p.is_file()]
    assert _holding_the_id(_files_of(str(sqlite_store.engine.url))) == []
    if ctx.engine.dialect.name == "sqlite":
        portal_files = _files_of(ctx.settings.database_url)
        assert portal_files and _holding_the_id(portal_files) == []
    with ctx.engine.connect() as conn:
        left = conn.execute(
            text("SELECT count(*) FROM applications WHERE citizen = :c"), {"c": ANA}
        ).scalar_one()
        assert left == 0
    state = await sqlite_store.load_state(ANA)
    assert state.answers == {} and state.recent and TYPED not in " ".join(state.recent)
