"""The real aiogram Dispatcher and our channel over the fake Bot API (HTTP on loopback)."""

from __future__ import annotations

import asyncio
import gc
import io
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field
from typing import Any

import pytest
import segno

from bot.settings import BotSettings
from bot.store import Store
from bot.telegram import TelegramChannel
from dialogs import (
    Btn,
    Button,
    Command,
    Context,
    Effect,
    EffectResult,
    Event,
    Media,
    Reply,
    State,
    Step,
    Text,
    Upload,
)
from tests.fakes.telegram_api import FakeTelegram
from tests.support.images import photo

CHAT = 4242
TOKEN = "123456:TEST"


class EmptyCatalog:
    """The portal as far as these tests need it: no procedures."""

    slow = 0.0  # seconds the portal takes for "my applications"

    async def list_procedures(self) -> list[Any]:
        return []

    async def my_applications(self, citizen: str) -> list[Any]:
        await asyncio.sleep(self.slow)
        return []


@dataclass
class Recorder:
    """A stand-in engine: records every event, answers with scripted replies."""

    events: list[Event] = field(default_factory=list)
    script: dict[str, list[Reply]] = field(default_factory=dict)

    def handle(self, state: State, event: Event, ctx: Context) -> Step:
        self.events.append(event)
        step = Step(state.model_copy(deep=True))
        if isinstance(event, Text) and event.text in self.script:
            step.replies.extend(self.script[event.text])
        elif isinstance(event, Text) and event.text == "mine":
            step.effects.append(Effect("list_mine", {}))
        elif isinstance(event, Upload) and event.caption == "qr":
            step.effects.append(Effect("decode_qr", {"file": asdict(event.files[0])}))
        elif isinstance(event, EffectResult):
            step.replies.append(Reply(f"{event.effect}: {event.ok} {event.value or event.error}"))
        else:
            step.replies.append(Reply(f"got {type(event).__name__} {state.lang}"))
        return step


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def channel(
    tg: FakeTelegram, recorder: Recorder, sqlite_store: Store
) -> AsyncIterator[TelegramChannel]:
    settings = BotSettings(telegram_bot_token=TOKEN, telegram_api_base=tg.api_base)
    ch = TelegramChannel.build(
        settings,
        backend=EmptyCatalog(),  # type: ignore[arg-type]
        store=sqlite_store,
        album_delay=0.3,
        engine_handle=recorder.handle,
    )
    waits: list[float] = []

    async def no_sleep(seconds: float) -> None:
        waits.append(seconds)

    ch.handlers.sender.sleep = no_sleep
    ch.waits = waits  # type: ignore[attr-defined]
    polling = asyncio.create_task(
        ch.dispatcher.start_polling(ch.bot, polling_timeout=1, handle_signals=False)
    )
    await tg.wait_for("setMyCommands", timeout=10)
    try:
        yield ch
    finally:
        await ch.dispatcher.stop_polling()
        await polling


async def test_start_with_a_deep_link_and_language(
    tg: FakeTelegram, channel: TelegramChannel, recorder: Recorder
) -> None:
    # Quicker than the threshold whatever the machine's load (a loaded CI box once took
    # more than the default 0.4 s for this first turn and sent "typing...").
    channel.handlers.typing_after = 30.0
    injected = tg.user_starts(CHAT, "trk_HT260300012", language_code="en")
    reply = await tg.wait_for_reply(injected, timeout=10)
    assert recorder.events == [Command("start", "trk_HT260300012")]
    assert reply["text"] == "got Command en"  # the app's language reached the engine
    assert channel.contexts.bot_link == "https://t.me/motcua_test_bot"
    # A quick answer needs no "typing...".
    assert tg.calls_of("sendChatAction") == []


async def test_a_slow_turn_shows_typing_before_the_reply(
    tg: FakeTelegram, channel: TelegramChannel
) -> None:
    channel.handlers.typing_after = 0.05
    portal = channel.runtime.runner.backend  # type: ignore[attr-defined]
    portal.slow = 1.0
    reply = await tg.wait_for_reply(tg.user_sends_text(CHAT, "mine"), timeout=10)
    assert reply["text"].startswith("list_mine: True")
    [action] = tg.calls_of("sendChatAction")
    assert action.params["action"] == "typing"
    assert action.time <= tg.calls_of("sendMessage")[0].time


async def test_typing_at_once_when_configured(tg: FakeTelegram, channel: TelegramChannel) -> None:
    channel.handlers.typing_after = 0
    reply = await tg.wait_for_reply(tg.user_sends_text(CHAT, "hello"), timeout=10)
    assert reply["text"] == "got Text vi"
    [action] = tg.calls_of("sendChatAction")
    assert action.time <= tg.calls_of("sendMessage")[0].time


async def test_commands_menu_in_both_languages(tg: FakeTelegram, channel: TelegramChannel) -> None:
    await tg.wait_for(lambda c: c.method == "setMyCommands" and not c.params.get("language_code"))
    vi = [c["command"] for c in tg.commands_for(language_code="vi")]
    en = tg.commands_for(language_code="en")
    assert vi == ["start", "help", "status", "human", "language"]
    assert [c["command"] for c in en] == vi
    assert en[0]["description"] == "Main menu"
    assert tg.commands_for(language_code="vi")[0]["description"] == "Về trang đầu"


async def test_message_kinds_become_events(
    tg: FakeTelegram, channel: TelegramChannel, recorder: Recorder
) -> None:
    tg.user_sends_text(CHAT, "xin chào")
    tg.user_sends_sticker(CHAT)
    tg.user_sends_voice(CHAT)
    tg.user_sends_location(CHAT)
    tg.user_sends_contact(CHAT, "+84905123456")
    sent = tg.user_sends_text(CHAT, "sai chính tả")
    tg.user_edits_message(CHAT, int(sent.message["message_id"]), "đúng chính tả")  # type: ignore[index]
    await tg.wait_for_messages(CHAT, 7, timeout=10)
    kinds = [
        getattr(e, "kind", None) or getattr(e, "text", None) or type(e).__name__
        for e in recorder.events
    ]
    assert kinds == [
        "xin chào",
        "sticker",
        "voice",
        "location",
        "Contact",
        "sai chính tả",
        "edited",
    ]


async def test_updates_of_a_chat_are_handled_in_order(
    tg: FakeTelegram, channel: TelegramChannel, recorder: Recorder
) -> None:
    texts = [f"tin {i}" for i in range(8)]
    for text in texts:
        tg.user_sends_text(CHAT, text)
    await tg.wait_for_messages(CHAT, len(texts), timeout=10)
    assert [e.text for e in recorder.events if isinstance(e, Text)] == texts
    state = await channel.runtime.store.load_state(f"telegram:{CHAT}")
    assert state.version == len(texts)


async def test_a_duplicate_update_is_processed_once(
    tg: FakeTelegram, channel: TelegramChannel, recorder: Recorder
) -> None:
    first = tg.user_sends_text(CHAT, "một lần")
    await tg.wait_for_messages(CHAT, 1, timeout=10)
    tg.redeliver(first.update_id)
    tg.user_sends_text(CHAT, "hai")
    await tg.wait_for_messages(CHAT, 2, timeout=10)
    assert [e.text for e in recorder.events if isinstance(e, Text)] == ["một lần", "hai"]


async def test_button_press_is_answered(
    tg: FakeTelegram, channel: TelegramChannel, recorder: Recorder
) -> None:
    recorder.script["menu"] = [
        Reply("Chọn", buttons=((Btn("Có", "s1:ans:yes"), Btn("Không", "s1:ans:no")),))
    ]
    tg.user_sends_text(CHAT, "menu")
    [shown] = await tg.wait_for_messages(CHAT, 1, timeout=10)
    assert shown["callback_data"] == ["s1:ans:yes", "s1:ans:no"]
    tg.user_presses_button(CHAT, shown["message_id"], "s1:ans:no")
    await tg.wait_for_messages(CHAT, 2, timeout=10)
    assert recorder.events[-1] == Button("s1:ans:no")
    assert len(tg.calls_of("answerCallbackQuery")) == 1


async def test_keyboards_are_shown_and_removed(
    tg: FakeTelegram, channel: TelegramChannel, recorder: Recorder
) -> None:
    choices = ((Btn("Đã kết hôn", "s2:ans:yes"),), (Btn("Chưa", "s2:ans:no"),))
    recorder.script["hỏi"] = [
        Reply("Bố mẹ bé đã kết hôn chưa?", buttons=choices, layout="keyboard")
    ]
    recorder.script["tiếp"] = [Reply("Cảm ơn Bác.")]
    tg.user_sends_text(CHAT, "hỏi")
    [asked] = await tg.wait_for_messages(CHAT, 1, timeout=10)
    markup = asked["reply_markup"]
    assert markup["resize_keyboard"] is True
    assert [[b["text"] for b in row] for row in markup["keyboard"]] == [["Đã kết hôn"], ["Chưa"]]
    tg.user_sends_text(CHAT, "tiếp")
    [thanks] = (await tg.wait_for_messages(CHAT, 2, timeout=10))[1:]
    assert thanks["reply_markup"] == {"remove_keyboard": True}
    tg.user_sends_text(CHAT, "tiếp")
    [again] = (await tg.wait_for_messages(CHAT, 3, timeout=10))[2:]
    assert not again["reply_markup"]  # removed once is enough


async def test_long_text_and_qr_media(
    tg: FakeTelegram, channel: TelegramChannel, recorder: Recorder
) -> None:
    long_text = "\n\n".join(f"Đoạn {i}. " + "chữ " * 200 for i in range(8))
    recorder.script["dài"] = [Reply(long_text, buttons=((Btn("OK", "g:menu"),),))]
    recorder.script["qr"] = [
        Reply("Mã hồ sơ HT-2603", media=Media(kind="qr", data="https://t.me/x?start=trk_HT"))
    ]
    recorder.script["qr dài"] = [Reply("x" * 1500, media=Media(kind="qr", data="000201"))]
    tg.user_sends_text(CHAT, "dài")
    parts = await tg.wait_for_messages(CHAT, 2, timeout=10)
    assert all(len(p["text"]) <= 4096 for p in parts)
    assert "".join(p["text"] for p in parts).replace("\n", "") == long_text.replace("\n", "")
    assert parts[0]["callback_data"] == [] and parts[-1]["callback_data"] == ["g:menu"]
    mark = tg.message_count(CHAT)
    tg.user_sends_text(CHAT, "qr")
    [pic] = await tg.wait_for_messages(CHAT, 1, since=mark, timeout=10)
    assert pic["method"] == "sendPhoto" and pic["caption"] == "Mã hồ sơ HT-2603"
    assert pic["photo_bytes"].startswith(b"\x89PNG")
    mark = tg.message_count(CHAT)
    tg.user_sends_text(CHAT, "qr dài")
    pic, text = await tg.wait_for_messages(CHAT, 2, since=mark, timeout=10)
    assert pic["method"] == "sendPhoto" and not pic.get("caption")
    assert text["text"] == "x" * 1500


async def test_photo_is_downloaded_and_decoded(
    tg: FakeTelegram, channel: TelegramChannel, recorder: Recorder
) -> None:
    buf = io.BytesIO()
    segno.make("HT-2603-00012", micro=False).save(buf, kind="png", scale=10)
    tg.user_sends_photo(CHAT, buf.getvalue(), caption="qr")
    [reply] = await tg.wait_for_messages(CHAT, 1, timeout=10)
    assert reply["text"] == "decode_qr: True {'text': 'HT-2603-00012'}"


async def test_an_album_is_one_upload(
    tg: FakeTelegram, channel: TelegramChannel, recorder: Recorder
) -> None:
    tg.user_sends_album(CHAT, [photo(text=str(i)) for i in range(3)], caption="giấy tờ")
    await tg.wait_for_messages(CHAT, 1, timeout=10)
    [upload] = [e for e in recorder.events if isinstance(e, Upload)]
    assert len(upload.files) == 3 and upload.caption == "giấy tờ"
    assert len({f.ref for f in upload.files}) == 3


async def test_flood_control_is_waited_out(
    tg: FakeTelegram, channel: TelegramChannel, recorder: Recorder
) -> None:
    tg.fail_next("sendMessage", 2, 429, retry_after=3)
    tg.user_sends_text(CHAT, "xin chào")
    [reply] = await tg.wait_for_messages(CHAT, 1, timeout=10)
    assert reply["text"].startswith("got Text")
    assert channel.waits == [3.0, 3.0]  # type: ignore[attr-defined]


async def test_a_blocked_user_is_recorded(
    tg: FakeTelegram, channel: TelegramChannel, sqlite_store: Store
) -> None:
    tg.user_sends_text(CHAT, "xin chào")
    await tg.wait_for_messages(CHAT, 1, timeout=10)
    tg.block_user(CHAT)
    tg.user_sends_text(CHAT, "còn đó không")
    await tg.wait_for(lambda c: c.method == "sendMessage", ok=False, timeout=10)
    for _ in range(50):
        chat = await sqlite_store.get_chat(f"telegram:{CHAT}")
        if chat is not None and chat.blocked:
            break
        await asyncio.sleep(0.05)
    assert chat is not None and chat.blocked


async def test_webhook_mode_with_a_secret(
    tg: FakeTelegram, recorder: Recorder, sqlite_store: Store
) -> None:
    from aiohttp import web

    from motcua.demo import _free_port

    port = _free_port("127.0.0.1")
    settings = BotSettings(
        telegram_bot_token=TOKEN,
        telegram_api_base=tg.api_base,
        webhook_url=f"http://127.0.0.1:{port}/tg/hook",
        webhook_secret="s3cret-token",
        bot_link="https://t.me/MotCuaBot",
    )
    ch = TelegramChannel.build(
        settings,
        backend=EmptyCatalog(),  # type: ignore[arg-type]
        store=sqlite_store,
        engine_handle=recorder.handle,
    )
    gc.unfreeze()
    runner = web.AppRunner(ch.webhook_app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        assert gc.get_freeze_count() > 0  # the built worker's heap, frozen (kernel.heap)
        hook = await tg.wait_for("setWebhook", timeout=10)
        assert hook.params["secret_token"] == "s3cret-token"
        injected = tg.user_sends_text(CHAT, "qua webhook")
        reply = await tg.wait_for_reply(injected, timeout=10)
        assert reply["text"] == "got Text vi"
        assert recorder.events == [Text("qua webhook")]
        assert ch.contexts.bot_link == "https://t.me/MotCuaBot"  # BOT_LINK wins over getMe
        # A body that is no update is refused (400: delivering it again cannot help).
        import aiohttp

        headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
        async with aiohttp.ClientSession() as http:
            for body in (b"not json", b"{}", b'{"update_id": "x"}', b"[1]"):
                url = f"http://127.0.0.1:{port}/tg/hook"
                async with http.post(url, data=body, headers=headers) as response:
                    assert response.status == 400, body
        assert recorder.events == [Text("qua webhook")]
    finally:
        await runner.cleanup()
        gc.unfreeze()  # the other tests' heaps stay collectable


async def test_the_webhook_is_answered_only_once_the_turn_is_committed(
    tg: FakeTelegram, recorder: Recorder, sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A turn whose commit fails is answered 500 and nothing is said; Telegram delivers
    it again and the turn runs once more; a repeat after the 200 is dropped."""
    from aiohttp import web

    from motcua.demo import _free_port

    port = _free_port("127.0.0.1")
    settings = BotSettings(
        telegram_bot_token=TOKEN,
        telegram_api_base=tg.api_base,
        webhook_url=f"http://127.0.0.1:{port}/hook",
        webhook_secret="s3cret-token",
        bot_link="https://t.me/MotCuaBot",
    )
    ch = TelegramChannel.build(
        settings,
        backend=EmptyCatalog(),  # type: ignore[arg-type]
        store=sqlite_store,
        engine_handle=recorder.handle,
    )
    save_turn = sqlite_store.save_turn
    failures = [RuntimeError("the database went away")]

    async def flaky(*args: Any, **kwargs: Any) -> int:
        if failures:
            raise failures.pop()
        return await save_turn(*args, **kwargs)

    monkeypatch.setattr(sqlite_store, "save_turn", flaky)
    runner = web.AppRunner(ch.webhook_app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()

    async def statuses(update_id: int, count: int) -> list[int | None]:
        for _ in range(200):
            found = [d.status for d in tg.webhook_deliveries if d.update_id == update_id]
            if len(found) >= count:
                break
            await asyncio.sleep(0.05)
        return found

    try:
        await tg.wait_for("setWebhook", timeout=10)
        injected = tg.user_sends_text(CHAT, "một lần")
        reply = await tg.wait_for_reply(injected, timeout=10)
        assert reply["text"] == "got Text vi"
        assert await statuses(injected.update_id, 2) == [500, 200]
        tg.redeliver(injected.update_id)  # delivered again after its 200: dropped
        assert await statuses(injected.update_id, 3) == [500, 200, 200]
        assert [m["text"] for m in tg.sent_messages(CHAT)] == ["got Text vi"]
        assert recorder.events == [Text("một lần"), Text("một lần")]  # the first not kept
    finally:
        await runner.cleanup()


@pytest.fixture
async def real_channel(
    tg: FakeTelegram, portal: Any, sqlite_store: Store
) -> AsyncIterator[TelegramChannel]:
    settings = BotSettings(telegram_bot_token=TOKEN, telegram_api_base=tg.api_base)
    ch = TelegramChannel.build(settings, backend=portal, store=sqlite_store, album_delay=0.3)
    polling = asyncio.create_task(
        ch.dispatcher.start_polling(ch.bot, polling_timeout=1, handle_signals=False)
    )
    await tg.wait_for("setMyCommands", timeout=10)
    try:
        yield ch
    finally:
        await ch.dispatcher.stop_polling()
        await polling


async def test_the_real_engine_greets_over_telegram(
    tg: FakeTelegram, real_channel: TelegramChannel
) -> None:
    """dialogs.handle, unchanged, behind the real Dispatcher and the real portal."""
    tg.user_starts(CHAT, language_code="vi")
    greeting, menu = await tg.wait_for_messages(CHAT, 2, timeout=15)
    assert "trợ lý tự động" in greeting["text"]
    assert all(len(d.encode()) <= 64 for m in (greeting, menu) for d in m["callback_data"])
    mark = tg.message_count(CHAT)
    tg.user_presses_button(CHAT, menu["message_id"], menu["callback_data"][0])
    [choose] = await tg.wait_for_messages(CHAT, 1, since=mark, timeout=15)
    assert choose["buttons"]  # never a dead end
    assert len(tg.calls_of("answerCallbackQuery")) == 1


async def test_the_engine_can_remove_a_keyboard_the_sender_does_not_remember(
    tg: FakeTelegram, channel: TelegramChannel, recorder: Recorder
) -> None:
    # After a restart the sender's memory of shown keyboards is empty; the engine's
    # state still knows, and marks the reply that takes the keyboard away.
    recorder.script["tiếp"] = [Reply("Dạ.", extra={"keyboard": "remove"})]
    tg.user_sends_text(CHAT, "tiếp")
    [ok] = await tg.wait_for_messages(CHAT, 1, timeout=10)
    assert ok["reply_markup"] == {"remove_keyboard": True}
