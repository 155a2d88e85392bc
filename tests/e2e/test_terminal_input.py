"""The terminal with the real engine and portal: a 600-character message (which used to
end the whole demo with "File name too long") is understood, and the chat goes on."""

from __future__ import annotations

import io

from backend_client import PortalClient
from bot.context import ContextProvider
from bot.effects import EffectRunner
from bot.files import LocalFiles
from bot.runtime import Runtime
from bot.store import Store
from bot.terminal import Terminal, scripted
from bot.texts import CRASHED
from kernel.i18n import gettext_

LONG = (
    "Chào cháu, bác là bà nội của một cháu bé mới sinh ở Bệnh viện Trung ương Huế, bác "
    "già rồi mắt kém, con trai con dâu bác đi làm ăn xa ở trong Nam chưa về được, nên bác "
    "muốn hỏi cháu xem bác có thể tự đi làm giấy khai sinh cho cháu nội được không, cần "
    "những giấy tờ gì, có mất tiền không, và bác phải đến phường vào giờ nào thì tiện, "
    "vì chiều bác còn phải đón đứa cháu lớn đi học về nữa cháu ạ. Cháu giúp bác với nhé, "
    "bác trông cậy vào cháu, bác không rành điện thoại đâu, mấy cái nút bấm nhỏ quá "
    "bác nhìn không rõ, cháu cứ nói từ từ từng bước một cho bác làm theo nghe cháu. "
    "Bác chờ tin của cháu đó nghe."
)


async def test_a_600_character_message_in_the_terminal(
    portal: PortalClient, bot_store: Store
) -> None:
    assert len(LONG) >= 600
    runtime = Runtime(
        store=bot_store,
        runner=EffectRunner(portal, LocalFiles(), handoffs=bot_store),
        context_provider=ContextProvider(portal),
    )
    out = io.StringIO()
    lines = ["1", LONG, LONG * 3, "\x00\x07 ?? \ufffd", "1", "/quit"]
    await Terminal(runtime, lines=scripted(lines), out=out).run()
    text = out.getvalue()
    assert gettext_(CRASHED, "vi") not in text
    assert "Giấy chứng sinh" in text  # the long message was read: a birth registration
    state = await bot_store.load_state("terminal:local")
    assert state.procedure == "birth_registration"
