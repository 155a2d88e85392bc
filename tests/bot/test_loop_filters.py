"""Magic filters wrapped to run on the event loop give the magic filter's answers."""

from __future__ import annotations

import inspect
from types import SimpleNamespace

from aiogram import F
from aiogram.dispatcher.event.handler import FilterObject

from bot.loop_filters import on_loop


async def test_the_answer_is_the_magic_filters() -> None:
    private = on_loop(F.chat.type == "private")
    album = on_loop(F.photo | F.document)
    chat = SimpleNamespace(chat=SimpleNamespace(type="private"), photo=None, document="d")
    group = SimpleNamespace(chat=SimpleNamespace(type="group"), photo=None, document=None)
    assert await private(chat) and not await private(group)
    assert await album(chat) and not await album(group)


def test_aiogram_awaits_it_instead_of_using_a_thread() -> None:
    wrapped = FilterObject(on_loop(F.media_group_id))
    assert wrapped.awaitable and inspect.iscoroutinefunction(wrapped.callback)
    assert not FilterObject(F.media_group_id).awaitable  # what aiogram would do otherwise
