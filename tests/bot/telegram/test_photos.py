"""Pictures rendered and uploaded once: the sender over the fake Bot API (HTTP on loopback)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot

from bot.render import qr_png
from bot.telegram.app import create_bot
from bot.telegram.photos import PhotoCache, digest
from bot.telegram.sender import ReplySender
from dialogs import Btn, Media, Reply
from tests.fakes.telegram_api import FakeTelegram
from tests.support.images import photo

TOKEN = "123456:TEST"
A, B = 5101, 5102


class NoBlocks:
    async def record_blocked(self, key: str) -> None:
        raise AssertionError(f"{key} is not blocked")


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        fake.user_sends_text(A, "chào")
        fake.user_sends_text(B, "chào")
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    bot = create_bot(TOKEN, tg.api_base)
    try:
        yield bot
    finally:
        await bot.session.close()


def counting_render() -> tuple[list[str], PhotoCache]:
    rendered: list[str] = []

    def render(data: str) -> bytes:
        rendered.append(data)
        return qr_png(data)

    return rendered, PhotoCache(render=render)


async def test_a_qr_code_is_rendered_and_uploaded_once(tg: FakeTelegram, bot: Bot) -> None:
    rendered, cache = counting_render()
    sender = ReplySender(bot, NoBlocks(), photos=cache)
    qr = Reply("Mã hồ sơ", media=Media(kind="qr", data="https://t.me/x?start=trk_HT"))
    assert await sender.send(A, f"telegram:{A}", [qr])
    assert await sender.send(B, f"telegram:{B}", [qr])
    assert rendered == ["https://t.me/x?start=trk_HT"]
    first, second = tg.calls_of("sendPhoto")
    assert first.files and not second.files  # the second went by file id
    assert second.params["photo"] == cache.file_id(digest(qr_png(qr.media.data)))  # type: ignore[union-attr]
    [a] = await tg.wait_for_messages(A, 1)
    [b] = await tg.wait_for_messages(B, 1)
    assert a["photo_bytes"] == b["photo_bytes"] == qr_png("https://t.me/x?start=trk_HT")
    assert a["caption"] == b["caption"] == "Mã hồ sơ"


async def test_a_changed_picture_is_uploaded_again(tg: FakeTelegram, bot: Bot) -> None:
    pictures = {"/v1/applications/1/receipt.png?lang=vi": photo(text="1")}

    async def fetch(key: str, path: str) -> bytes:
        return pictures[path]

    sender = ReplySender(bot, NoBlocks(), fetch_image=fetch)
    receipt = Reply(
        "Biên nhận",
        media=Media(kind="portal_image", data="/v1/applications/1/receipt.png?lang=vi"),
    )
    await sender.send(A, f"telegram:{A}", [receipt])
    await sender.send(A, f"telegram:{A}", [receipt])  # the same picture: by file id
    pictures[receipt.media.data] = photo(text="2")  # type: ignore[union-attr]
    await sender.send(A, f"telegram:{A}", [receipt])
    uploads = [bool(call.files) for call in tg.calls_of("sendPhoto")]
    assert uploads == [True, False, True]
    sent = await tg.wait_for_messages(A, 3)
    assert sent[1]["photo_bytes"] == sent[0]["photo_bytes"] != sent[2]["photo_bytes"]


async def test_a_refused_file_id_is_forgotten_and_the_picture_uploaded(
    tg: FakeTelegram, bot: Bot
) -> None:
    cache = PhotoCache()
    qr = Reply("Mã", media=Media(kind="qr", data="000201"))
    cache.remember(digest(qr_png("000201")), "no-such-file")  # e.g. another bot's id
    sender = ReplySender(bot, NoBlocks(), photos=cache)
    assert await sender.send(A, f"telegram:{A}", [qr])
    refused = tg.calls_of("sendPhoto", ok=False)
    [uploaded] = tg.calls_of("sendPhoto")
    assert len(refused) == 1 and uploaded.files
    [pic] = await tg.wait_for_messages(A, 1)
    assert pic["photo_bytes"] == qr_png("000201") and pic["caption"] == "Mã"
    assert cache.file_id(digest(qr_png("000201"))) not in (None, "no-such-file")


async def test_the_caches_are_bounded() -> None:
    cache = PhotoCache(size=2, render=lambda data: data.encode())
    for text in ("a", "b", "c"):
        cache.qr(text)
        cache.remember(text.encode(), f"id-{text}")
    assert cache.cached_qr("a") is None and cache.cached_qr("c") == b"c"
    assert cache.file_id(b"a") is None and cache.file_id(b"b") == "id-b"


async def test_a_keyboard_is_built_once_and_still_removed(tg: FakeTelegram, bot: Bot) -> None:
    sender = ReplySender(bot, NoBlocks())
    choices = ((Btn("Có", "s1:yes"),), (Btn("Không", "s1:no"),))
    ask = Reply("Hỏi?", buttons=choices, layout="keyboard")
    first, second = sender.markup(A, ask), sender.markup(B, ask)
    assert first is second
    inline = Reply("Chọn", buttons=choices)
    assert sender.markup(A, inline) is not first
    await sender.send(A, f"telegram:{A}", [ask, Reply("Cảm ơn")])
    asked, thanks = await tg.wait_for_messages(A, 2)
    assert [[b["text"] for b in row] for row in asked["reply_markup"]["keyboard"]] == [
        ["Có"],
        ["Không"],
    ]
    assert thanks["reply_markup"] == {"remove_keyboard": True}
    bad = Reply("Hỏng", buttons=((Btn("x", "y" * 100),),))  # data over 64 bytes: dropped
    assert sender.markup(B, bad) is None


async def test_the_later_pictures_are_fetched_while_the_first_goes_out(
    tg: FakeTelegram, bot: Bot
) -> None:
    receipt_path = "/v1/applications/1/receipt.png?lang=vi"
    card_path = "/v1/applications/1/payment/card.png?lang=vi"
    card_started = asyncio.Event()
    fetched: list[str] = []

    async def fetch(key: str, path: str) -> bytes:
        fetched.append(path)
        if path == receipt_path:
            # The receipt is not ready before the card's fetch has started.
            await asyncio.wait_for(card_started.wait(), 5)
            return photo(text="receipt")
        card_started.set()
        return photo(text="card")

    sender = ReplySender(bot, NoBlocks(), fetch_image=fetch)
    replies = [
        Reply("Đã nộp", media=Media(kind="portal_image", data=receipt_path)),
        Reply("Lệ phí", media=Media(kind="portal_image", data=card_path)),
        Reply("Xong"),
    ]
    assert await sender.send(A, f"telegram:{A}", replies)
    assert sorted(fetched) == sorted([receipt_path, card_path])
    sent = await tg.wait_for_messages(A, 3)
    assert [m.get("caption") or m.get("text") for m in sent] == ["Đã nộp", "Lệ phí", "Xong"]
    assert sent[0]["photo_bytes"] == photo(text="receipt")
    assert sent[1]["photo_bytes"] == photo(text="card")


async def test_a_picture_not_fetched_leaves_its_text(tg: FakeTelegram, bot: Bot) -> None:
    async def fetch(key: str, path: str) -> bytes:
        raise OSError("portal gone")

    sender = ReplySender(bot, NoBlocks(), fetch_image=fetch)
    card = Media(kind="portal_image", data="/v1/applications/1/payment/card.png?lang=vi")
    assert await sender.send(A, f"telegram:{A}", [Reply("Đã nộp"), Reply("Lệ phí", media=card)])
    sent = await tg.wait_for_messages(A, 2)
    assert [m.get("text") for m in sent] == ["Đã nộp", "Lệ phí"]
