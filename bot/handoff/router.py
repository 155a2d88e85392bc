"""The handoff's aiogram Router, included before the assistant's: it takes the support
group's messages, the messages of citizens in an open case, the volunteers' commands
and the handoff's buttons; everything else falls through to the assistant."""

from __future__ import annotations

import contextlib
from typing import Any

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message

from bot.handoff.service import HandoffService
from bot.loop_filters import on_loop


def handoff_router(service: HandoffService) -> Router:
    router = Router(name="handoff")
    # Magic filters on the event loop, not in aiogram's threads (bot/loop_filters.py).
    private = on_loop(F.chat.type == ChatType.PRIVATE)

    async def in_case(message: Message) -> bool | dict[str, Any]:
        user = message.from_user
        case = await service.open_case_for_chat(message.chat.id, user.first_name if user else None)
        return {"case": case} if case is not None else False

    async def volunteer_assist(message: Message) -> bool:
        user = message.from_user
        if user is None or user.id not in service.volunteers:
            return False
        if message.text and message.text.split(" ", 1)[0].split("@")[0] == "/assist":
            return True
        return message.contact is not None and await service.waiting_contact(user.id)

    async def on_group(message: Message) -> None:
        await service.on_group_message(message)

    async def on_volunteer(message: Message) -> None:
        if message.text:
            await service.assist(message, message.text.partition(" ")[2])
        else:
            await service.assist_by_contact(message)

    async def on_citizen(message: Message, case: Any) -> None:
        await service.relay_from_citizen(message, case)

    async def on_button(query: CallbackQuery) -> None:
        with contextlib.suppress(Exception):  # the spinner is cosmetic
            await query.answer()
        if query.message is None or query.data is None:
            return
        parts = query.data.split(":")
        chat_id = query.message.chat.id
        if parts[1] == "end":
            case = await service.open_case_for_chat(chat_id, query.from_user.first_name)
            if case is not None:
                await service.end_by_citizen(case, locked=True)
        elif parts[1] == "assist" and len(parts) == 4 and parts[2].isdigit():
            await service.assist_answer(chat_id, int(parts[2]), parts[3] == "yes")

    if service.support_chat is not None:
        router.message.register(on_group, on_loop(F.chat.id == service.support_chat))
    router.message.register(on_volunteer, private, volunteer_assist)
    router.message.register(on_citizen, private, in_case)
    router.callback_query.register(on_button, on_loop(F.data.startswith("hoff:")))

    async def learn_name(query: CallbackQuery) -> bool:
        # The "talk to a person" button: remember the name for the topic's title.
        if query.message is not None:
            await service.open_case_for_chat(query.message.chat.id, query.from_user.first_name)
        return False

    router.callback_query.register(on_button, learn_name)
    return router
