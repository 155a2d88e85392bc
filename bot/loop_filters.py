"""aiogram filters evaluated on the event loop (here, outside bot/telegram/, so that the
handoff's router can use them without an import cycle).

aiogram runs every callable it is given that is not a coroutine function, magic
filters (``F.photo``, ``F.chat.type == ...``) included, in a worker thread
(``asyncio.to_thread``): a thread hand-off, a future and a switch of the GIL to
read one attribute, for every filter of every update (measured with py-spy in
benchmarks/dialogs.py, a tenth of a bot turn's CPU together with the store's
threads). A magic filter only reads the event, so it is run in place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.utils.magic_filter import MagicFilter


def on_loop(magic: MagicFilter) -> Callable[[Any], Awaitable[Any]]:
    """``magic`` as a coroutine filter: aiogram awaits it instead of using a thread."""
    resolve = magic.resolve

    async def check(event: Any, /) -> Any:
        return resolve(event)

    return check
