"""An aiogram session that keeps its parsed-response classes alive.

aiogram parses every Bot API answer as `Response[method.__returning__]`. pydantic
keeps parametrized generics only in a weak-value cache, so once the garbage collector
has dropped one, the next answer rebuilds the class: ~20 ms of CPU each, several
times a minute under load (measured in benchmarks/dialogs.py). Holding a strong
reference to each class the first time it is used costs one dict lookup per answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods.base import Response, TelegramMethod, TelegramType

if TYPE_CHECKING:
    from aiogram import Bot

# Keyed by the returning type; shared by every session of the process.
_PINNED: dict[Any, type[Any]] = {}


def pinned_response(returning: Any) -> type[Any]:
    cls = _PINNED.get(returning)
    if cls is None:
        cls = _PINNED[returning] = Response[returning]
    return cls


class PinnedAiohttpSession(AiohttpSession):
    def check_response(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        status_code: int,
        content: str,
    ) -> Response[TelegramType]:
        pinned_response(method.__returning__)  # the base class then hits pydantic's cache
        return super().check_response(bot, method, status_code, content)
