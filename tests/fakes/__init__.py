"""Fakes of outside services for end-to-end tests: the Telegram Bot API.

Cheat sheet (details in each module's docstrings):

    async with FakeTelegram() as tg:                       # or FakeTelegram.run_in_thread()
        api = TelegramAPIServer.from_base(tg.api_base)
        bot = Bot("123456:TEST", session=AiohttpSession(api=api))

        # the user side; each returns an InjectedUpdate (.update, .update_id, .message)
        tg.user_starts(42, "trk_ABC123")                   # "/start trk_ABC123"
        tg.user_sends_text(42, "xin chào", language_code="vi")
        tg.user_presses_button(42, message_id, "menu:new")  # or text="Nộp hồ sơ mới"
        tg.user_sends_photo(42, jpeg_bytes, caption=None)
        tg.user_sends_document(42, pdf, "to-khai.pdf", "application/pdf")
        tg.user_sends_voice / user_sends_sticker / user_sends_location / user_sends_contact
        tg.user_edits_message(42, message_id, "new text"); tg.redeliver(update_id)
        tg.create_group(-100123, "Tổ hỗ trợ", is_forum=True)
        tg.user_sends_text(-100123, "...", message_thread_id=7, user={"id": 9, ...})

        # what the bot did
        n = tg.message_count(42)
        [reply] = await tg.wait_for_messages(42, 1, since=n)   # dicts: text, buttons, ...
        call = await tg.wait_for("answerCallbackQuery")
        tg.sent_messages(42), tg.calls, tg.stats, tg.topics(-100123)

        # faults
        tg.fail_next("sendMessage", 2, error_code=429, retry_after=3)
        tg.fail_next("*", error_code=502); tg.block_user(42); tg.kick_bot(-100123)
        FakeTelegram(enforce_limits=True, limit_scale=10)  # rules in telegram_limits
"""

from .telegram_api import FakeTelegram, WaitTimeout
from .telegram_errors import ApiError
from .telegram_records import Call, InjectedUpdate, Stats, Topic, WebhookDelivery
from .telegram_thread import ThreadedFakeTelegram

__all__ = [
    "ApiError",
    "Call",
    "FakeTelegram",
    "InjectedUpdate",
    "Stats",
    "ThreadedFakeTelegram",
    "Topic",
    "WaitTimeout",
    "WebhookDelivery",
]
