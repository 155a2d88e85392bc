"""The terminal channel driven by scripted lines."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from backend_client import PortalClient
from bot.context import ContextProvider
from bot.effects import EffectRunner
from bot.files import LocalFiles
from bot.runtime import Runtime
from bot.store import Store
from bot.terminal import Terminal, scripted
from dialogs import (
    Btn,
    Button,
    Command,
    Context,
    Event,
    FileRef,
    Media,
    Reply,
    State,
    Step,
    Text,
    Upload,
)
from nlu import get_default_nlu


class FixedContext:
    async def get(self) -> Context:
        return Context(procedures={}, nlu=get_default_nlu(), now=datetime(2026, 3, 9, tzinfo=UTC))


@dataclass
class Recorder:
    events: list[Event] = field(default_factory=list)

    def handle(self, state: State, event: Event, ctx: Context) -> Step:
        self.events.append(event)
        step = Step(state.model_copy(deep=True))
        menu = (
            (Btn("Nộp hồ sơ mới", "g:new"), Btn("Tra cứu", "g:track")),
            (Btn("Menu", "g:menu"),),
        )
        if isinstance(event, Command):
            step.replies.append(Reply("Chào Bác!"))
            step.replies.append(Reply("Bác cần gì?", buttons=menu))
        elif isinstance(event, Text) and event.text == "qr":
            step.replies.append(Reply("Mã hồ sơ", media=Media(kind="qr", data="HT-2603-00012")))
        else:
            step.replies.append(Reply(f"nhận {event}"))
        return step


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


async def run_lines(lines: list[str], recorder: Recorder, store: Store, tmp_path: Path) -> str:
    runtime = Runtime(
        store=store,
        runner=EffectRunner(None, LocalFiles()),  # type: ignore[arg-type]
        context_provider=FixedContext(),
        engine_handle=recorder.handle,
    )
    out = io.StringIO()
    await Terminal(runtime, lines=scripted(lines), out=out, qr_dir=tmp_path / "qr").run()
    return out.getvalue()


async def test_buttons_are_numbered_and_pressed_by_number(
    recorder: Recorder, sqlite_store: Store, tmp_path: Path
) -> None:
    output = await run_lines(
        ["2", "9", "/say 3", "/quit", "never read"], recorder, sqlite_store, tmp_path
    )
    assert "Chào Bác!\n" in output
    assert "  1) Nộp hồ sơ mới\n  2) Tra cứu\n  3) Menu\n" in output
    assert recorder.events == [Command("start"), Button("g:track"), Text("9"), Text("3")]


async def test_files_by_path_and_commands(
    recorder: Recorder, sqlite_store: Store, tmp_path: Path
) -> None:
    picture = tmp_path / "giay chung sinh.jpg"
    picture.write_bytes(b"\xff\xd8 jpeg")
    pdf = tmp_path / "cccd.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    lines = [str(picture), f'/file "{pdf}"', "/file /no/such/file.jpg", "/start trk_HT1", "/quit"]
    output = await run_lines(lines, recorder, sqlite_store, tmp_path)
    uploads = [e for e in recorder.events if isinstance(e, Upload)]
    assert uploads == [
        Upload((FileRef(str(picture), "photo", "image/jpeg", picture.name, 7),)),
        Upload((FileRef(str(pdf), "document", "application/pdf", "cccd.pdf", 8),)),
    ]
    assert "/no/such/file.jpg" in output  # told there is no such file
    assert recorder.events[-1] == Command("start", "trk_HT1")


async def test_qr_is_drawn_and_saved(
    recorder: Recorder, sqlite_store: Store, tmp_path: Path
) -> None:
    output = await run_lines(["qr"], recorder, sqlite_store, tmp_path)
    assert "█" in output or "▀" in output
    [saved] = list((tmp_path / "qr").glob("*.png"))
    assert str(saved) in output
    [code] = zxingcpp.read_barcodes(Image.open(saved))
    assert code.text == "HT-2603-00012"


async def test_the_real_engine_against_the_portal(
    portal: PortalClient, sqlite_store: Store, tmp_path: Path
) -> None:
    """Greeting, menu, a procedure found by words: the engine and portal as they are."""
    runtime = Runtime(
        store=sqlite_store,
        runner=EffectRunner(portal, LocalFiles(), handoffs=sqlite_store),
        context_provider=ContextProvider(portal),
    )
    out = io.StringIO()
    terminal = Terminal(runtime, lines=scripted(["khai sinh cho con"]), out=out, qr_dir=tmp_path)
    await terminal.run()
    text = out.getvalue()
    assert "Nộp hồ sơ mới" in text
    assert "khai sinh" in text.split("Nộp hồ sơ mới", 1)[1].lower()
    state = await sqlite_store.load_state("terminal:local")
    assert state.greeted and state.version >= 2
    assert terminal.buttons  # the last reply offered a way forward
