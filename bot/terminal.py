"""The terminal channel: the same engine in a console, for trying the bot and for
tests. Buttons are numbered choices; files are sent by path; QR codes are drawn
with block characters and saved as PNG files."""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import os
import shlex
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TextIO

from bot.render import qr_png, qr_terminal
from bot.runtime import Runtime
from bot.texts import crashed
from dialogs import Btn, Button, Command, Event, FileRef, Reply, Text, Upload
from kernel.i18n import N_, gettext_, normalize_language

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif", ".bmp", ".gif", ".tif"}
HINT = N_(
    "Type your answer, or the number of a button (#2 presses button 2 when the question "
    "asks for a number). Send a file by typing its path. /quit leaves."
)
SAVED = N_("(QR image saved: {path})")
NO_SUCH_FILE = N_("There is no file at {path}.")

FetchImage = Callable[[str, str], Awaitable[bytes]]

log = logging.getLogger(__name__)
MAX_PATH_BYTES = 4096  # PATH_MAX on Linux; a longer line is a message, not a path
MAX_NAME_BYTES = 255  # NAME_MAX: the longest file or folder name


class Quit:
    """The user typed /quit."""


async def stdin_lines(prompt: str = "> ") -> AsyncIterator[str]:
    """Lines typed on the console, read in a thread so the event loop stays free."""
    # Bytes decoded leniently: one stray byte (a paste, a wrong locale) must not end
    # the chat with a UnicodeDecodeError.
    raw = getattr(sys.stdin, "buffer", None)
    while True:
        sys.stdout.write(prompt)
        sys.stdout.flush()
        if raw is not None:
            data = await asyncio.to_thread(raw.readline)
            line = data.decode(sys.stdin.encoding or "utf-8", errors="replace")
        else:
            line = await asyncio.to_thread(sys.stdin.readline)
        if not line:  # end of input (Ctrl-D)
            return
        yield line.rstrip("\r\n")


def plausible_path(text: str) -> bool:
    """Whether a typed line may name a file: no control characters, within the system's
    limits, and shaped like a path (a folder separator, ~, or a file suffix). Anything
    else is a message, and asking the file system about it could only fail (a long
    Vietnamese sentence raises "File name too long")."""
    if not text or any(ord(c) < 32 or ord(c) == 127 for c in text):
        return False
    try:
        encoded = os.fsencode(text)
    except UnicodeError:  # lone surrogates
        return False
    if len(encoded) > MAX_PATH_BYTES:
        return False
    if any(len(part) > MAX_NAME_BYTES for part in encoded.split(b"/")):
        return False
    return "/" in text or text.startswith("~") or bool(Path(text).suffix)


def file_ref(path: Path) -> FileRef:
    mime = mimetypes.guess_type(path.name)[0]
    size = path.stat().st_size
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return FileRef(ref=str(path.resolve()), kind="photo", mime=mime, name=path.name, size=size)
    return FileRef(ref=str(path.resolve()), kind="document", mime=mime, name=path.name, size=size)


class Terminal:
    def __init__(
        self,
        runtime: Runtime,
        *,
        key: str = "terminal:local",
        lines: AsyncIterator[str] | None = None,
        out: TextIO | None = None,
        lang_hint: str | None = None,
        qr_dir: Path | None = None,
        fetch_image: FetchImage | None = None,
    ) -> None:
        self.runtime = runtime
        self.key = key
        self.lines = lines if lines is not None else stdin_lines()
        self.out = out or sys.stdout
        self.lang_hint = lang_hint
        self.lang = normalize_language(lang_hint)
        self.qr_dir = qr_dir
        self.fetch_image = fetch_image
        self.buttons: list[Btn] = []  # the numbered choices now showing
        self.expects: str | None = None  # what the current question wants typed
        self._images = 0
        # The prompt stdin_lines shows while waiting (None when the lines are scripted).
        self.prompt: str | None = "> " if lines is None else None
        self._in_turn = False
        self._notices: list[Reply] = []  # news that came during a turn, shown after it

    def write(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    async def run(self, *, start: bool = True) -> None:
        self.write(gettext_(HINT, self.lang))
        self.write()
        if start:
            await self.turn(Command("start"))
        async for line in self.lines:
            try:
                event = self.parse(line)
                if isinstance(event, Quit):
                    return
                if event is not None:
                    await self.turn(event)
            except Exception:
                # The shell failed around the engine (which has its own guard): say so
                # kindly and keep the chat, and the demo's portal with it, running.
                log.exception("terminal turn failed for %s", self.key)
                await self.show([crashed(self.lang)])

    def parse(self, line: str) -> Event | Quit | None:
        text = line.strip()
        if not text:
            return None
        if text.startswith("#") and text[1:].isdigit() and 1 <= int(text[1:]) <= len(self.buttons):
            return Button(self.buttons[int(text[1:]) - 1].data)
        wants_digits = self.expects in ("number", "date", "citizen_id", "phone")
        if text.isdigit() and not wants_digits and 1 <= int(text) <= len(self.buttons):
            return Button(self.buttons[int(text) - 1].data)
        if text == "/quit":
            return Quit()
        if text.startswith("/say "):
            return Text(text[5:].strip())
        if text.startswith("/file "):
            return self._upload(text[6:].strip(), explicit=True)
        upload = self._upload(text, explicit=False)  # before commands: /home/... is a path
        if upload is not None:
            return upload
        if text.startswith("/"):
            name, _, args = text[1:].partition(" ")
            if "/" in name:  # no command has a slash: a path to a file that is not there
                self.write(gettext_(NO_SUCH_FILE, self.lang, path=text))
                return None
            return Command(name.lower(), args.strip())
        return Text(text)

    def _upload(self, raw: str, *, explicit: bool) -> Upload | None:
        try:
            parts = shlex.split(raw)  # allows quoted paths with spaces
        except ValueError:
            parts = [raw]
        candidate = " ".join(parts) if parts else raw
        if plausible_path(candidate):
            try:
                path = Path(candidate).expanduser()
                if path.is_file():
                    return Upload((file_ref(path),))
            except (OSError, ValueError, RuntimeError):  # unreadable, no home for ~user
                pass
        if explicit:
            self.write(gettext_(NO_SUCH_FILE, self.lang, path=candidate))
        return None

    async def turn(self, event: Event) -> None:
        self._in_turn = True
        try:
            replies = await self.runtime.process(self.key, event, lang_hint=self.lang_hint)
            await self.show(replies)
        finally:
            self._in_turn = False
            notices, self._notices = self._notices, []
            for notice in notices:
                self._notice(notice)

    async def deliver(self, key: str, text: str, buttons: list[list[dict[str, str]]]) -> bool:
        """A notification for this chat (bot/notify's sink for the terminal): shown at
        once while the user is at the prompt, or after the turn that is running."""
        if key != self.key:
            return False
        rows = tuple(tuple(Btn(b["text"], b["data"]) for b in row) for row in buttons)
        notice = Reply(text, buttons=rows)
        if self._in_turn:
            self._notices.append(notice)
        else:
            self._notice(notice, at_prompt=True)
        return True

    def _notice(self, notice: Reply, *, at_prompt: bool = False) -> None:
        """Print a notification without breaking the input line: the waiting prompt is
        cleared first and drawn again after. Its buttons are numbered after the current
        question's, which stay pressable."""
        interactive = at_prompt and self.prompt is not None
        if interactive:
            tty = getattr(self.out, "isatty", lambda: False)()
            self.out.write("\r\x1b[K" if tty else "\n")
        self.write(notice.text)
        for button in notice.flat_buttons:
            self.buttons.append(button)
            self.write(f"  {len(self.buttons)}) {button.label}")
        self.write()
        if interactive and self.prompt is not None:
            self.out.write(self.prompt)
            self.out.flush()

    async def show(self, replies: list[Reply]) -> None:
        numbered: list[Btn] = []
        for reply in replies:
            if reply.text:
                self.write(reply.text)
            if reply.media is not None:
                await self._media(reply)
            for button in reply.flat_buttons:
                numbered.append(button)
                self.write(f"  {len(numbered)}) {button.label}")
            self.write()
        if numbered:
            self.buttons = numbered
        self.expects = next(
            (r.extra.get("expects") for r in reversed(replies) if r.kind in ("ask", "error")),
            None,
        )

    async def _media(self, reply: Reply) -> None:
        media = reply.media
        assert media is not None
        if media.kind == "qr":
            self.write(qr_terminal(media.data).rstrip("\n"))
            data = qr_png(media.data)
        elif self.fetch_image is not None:
            data = await self.fetch_image(self.key, media.data)
        else:
            return
        folder = self.qr_dir or Path(tempfile.gettempdir())
        folder.mkdir(parents=True, exist_ok=True)
        self._images += 1
        stem = Path(media.filename).stem or "image"
        path = folder / f"motcua-{stem}-{self._images}.png"
        path.write_bytes(data)
        self.write(gettext_(SAVED, self.lang, path=path))


async def scripted(lines: list[str]) -> AsyncIterator[str]:
    """A fixed sequence of typed lines (tests, demos)."""
    for line in lines:
        yield line
