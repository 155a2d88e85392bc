"""The terminal channel takes any typed line without crashing: long messages, junk,
paths that are not files, and failures around the engine."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.effects import EffectRunner
from bot.files import LocalFiles
from bot.runtime import Runtime
from bot.store import Store
from bot.terminal import Terminal, plausible_path, scripted
from bot.texts import CRASHED
from dialogs import Command, Context, Event, Reply, State, Step, Text, Upload
from kernel.i18n import gettext_
from nlu import get_default_nlu

LONG = (
    "Thưa cháu, bác năm nay đã ngoài bảy mươi tuổi, mắt kém và tay run, bác muốn làm "
    "giấy khai sinh cho đứa cháu nội mới sinh ở Bệnh viện Trung ương Huế tháng trước. "
) * 4


class FixedContext:
    async def get(self) -> Context:
        return Context(procedures={}, nlu=get_default_nlu(), now=datetime(2026, 3, 9, tzinfo=UTC))


@dataclass
class Echo:
    """An engine that echoes, and fails on the text "boom"."""

    events: list[Event] = field(default_factory=list)

    def handle(self, state: State, event: Event, ctx: Context) -> Step:
        self.events.append(event)
        if isinstance(event, Text) and event.text == "boom":
            raise RuntimeError("engine bug")
        step = Step(state.model_copy(deep=True))
        step.replies.append(Reply(f"ok {type(event).__name__}"))
        return step


def runtime(engine: Echo, store: Store) -> Runtime:
    return Runtime(
        store=store,
        runner=EffectRunner(None, LocalFiles()),  # type: ignore[arg-type]
        context_provider=FixedContext(),
        engine_handle=engine.handle,
    )


async def test_any_line_is_a_message_or_a_file_never_a_crash(
    sqlite_store: Store, tmp_path: Path
) -> None:
    assert len(LONG) >= 600
    folder = tmp_path / "giay to"
    folder.mkdir()
    junk = "\x00\x01\x1b[31m\ufffd\ufffd rác \x7f"
    missing = str(tmp_path / "khong-co" / "anh.jpg")
    lines = [LONG, junk, "", "   ", missing, str(folder), f"/file {folder}", "giay to", "/quit"]
    engine = Echo()
    out = io.StringIO()
    await Terminal(runtime(engine, sqlite_store), lines=scripted(lines), out=out).run()
    assert engine.events == [
        Command("start"),
        Text(LONG.strip()),
        Text(junk.strip()),
        Text("giay to"),
    ]
    assert not any(isinstance(e, Upload) for e in engine.events)
    told = [line for line in out.getvalue().splitlines() if "khong-co" in line or "giay to" in line]
    assert len(told) == 3  # the missing file, the folder, /file on the folder: "no file at"


async def test_a_failing_turn_gets_a_kind_reply_and_the_chat_goes_on(
    sqlite_store: Store, tmp_path: Path
) -> None:
    engine = Echo()
    out = io.StringIO()
    terminal = Terminal(runtime(engine, sqlite_store), lines=scripted(["boom", "hello"]), out=out)
    await terminal.run()
    text = out.getvalue()
    assert gettext_(CRASHED, "vi") in text
    assert engine.events[-1] == Text("hello")
    assert text.rstrip().endswith("ok Text")


class BrokenStore:
    """The bot store failing under the runtime (e.g. the database file removed)."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.fail = False

    async def load_state(self, key: str) -> State:
        if self.fail:
            raise OSError("disk I/O error")
        return await self.inner.load_state(key)

    async def save_state(self, key: str, state: State, expected_version: int) -> int:
        return await self.inner.save_state(key, state, expected_version)


async def test_a_failure_outside_the_engine_is_a_kind_reply_too(
    sqlite_store: Store, tmp_path: Path
) -> None:
    engine = Echo()
    store = BrokenStore(sqlite_store)

    async def lines() -> AsyncIterator[str]:
        store.fail = True
        yield "xin chào"
        store.fail = False
        yield "hello"

    out = io.StringIO()
    rt = Runtime(
        store=store,
        runner=EffectRunner(None, LocalFiles()),  # type: ignore[arg-type]
        context_provider=FixedContext(),
        engine_handle=engine.handle,
    )
    await Terminal(rt, lines=lines(), out=out).run(start=False)
    text = out.getvalue()
    assert gettext_(CRASHED, "vi") in text
    assert engine.events == [Text("hello")]


def test_only_path_shaped_lines_are_tried_as_files() -> None:
    assert plausible_path("/home/bac/anh.jpg")
    assert plausible_path("~/anh cccd.jpg")
    assert plausible_path("anh.jpg")
    assert not plausible_path("Bé gái")
    assert not plausible_path(LONG)
    assert not plausible_path("/tmp/" + "a" * 300)
    assert not plausible_path("a\x00b.jpg")
    assert not plausible_path("\ud800.jpg")
