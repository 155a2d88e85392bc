"""Where the bytes of a file the user sent come from: the channel (Telegram's
getFile) or the local disk (the terminal). Every source refuses files over 20 MB."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Protocol

from dialogs import FileRef

MAX_FILE_BYTES = 20 * 1024 * 1024  # Telegram's own download limit for bots


class FileTooLargeError(Exception):
    def __init__(self, size: int | None) -> None:
        super().__init__(f"file of {size} bytes is over {MAX_FILE_BYTES}")
        self.size = size


class FileUnavailableError(Exception):
    """The file could not be fetched (gone, unreadable, network)."""


class FileSource(Protocol):
    async def fetch(self, ref: FileRef) -> bytes: ...


def check_size(size: int | None, limit: int = MAX_FILE_BYTES) -> None:
    if size is not None and size > limit:
        raise FileTooLargeError(size)


class LocalFiles:
    """The terminal channel: ``ref`` is a path on this machine."""

    def __init__(self, limit: int = MAX_FILE_BYTES) -> None:
        self.limit = limit

    async def fetch(self, ref: FileRef) -> bytes:
        path = Path(ref.ref).expanduser()
        try:
            check_size(path.stat().st_size, self.limit)
            return await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            raise FileUnavailableError(str(exc)) from exc


class TelegramFiles:
    """Telegram: ``ref`` is a file_id; the bytes come through getFile + download."""

    def __init__(self, bot: object, limit: int = MAX_FILE_BYTES) -> None:
        from aiogram import Bot

        assert isinstance(bot, Bot)
        self.bot = bot
        self.limit = limit

    async def fetch(self, ref: FileRef) -> bytes:
        from aiogram.exceptions import TelegramAPIError, TelegramNetworkError

        check_size(ref.size, self.limit)
        try:
            file = await self.bot.get_file(ref.ref)
            check_size(file.file_size, self.limit)
            buf = io.BytesIO()
            await self.bot.download(file, destination=buf)
        except (TelegramAPIError, TelegramNetworkError) as exc:
            raise FileUnavailableError(str(exc)) from exc
        data = buf.getvalue()
        check_size(len(data), self.limit)
        return data
