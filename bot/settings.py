"""Every setting of the bot, typed, from the environment."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from pydantic_settings import BaseSettings, SettingsConfigDict

from kernel.deployment import Environment


class BotSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    # MOTCUA_ENV: production (the default) refuses to start with a development or short
    # secret (kernel.deployment); `motcua demo` runs in demo mode.
    motcua_env: Environment = "production"
    # Checked at start-up in production; a new secret setting is added here
    # (WEBHOOK_SECRET is added by secret_fields() in webhook mode).
    SECRET_FIELDS: ClassVar[tuple[str, ...]] = ("bot_service_token", "bot_data_key")

    bot_database_url: str = "sqlite:///var/bot.sqlite3"
    # Conversation state and help requests are sealed at rest with BOT_DATA_KEY;
    # BOT_DATA_OLD_KEYS (comma-separated) still open what was sealed before a rotation.
    bot_data_key: str = "dev-bot-data-key"
    bot_data_old_keys: str = ""
    portal_url: str = "http://127.0.0.1:8000"
    # Must match the portal's BOT_SERVICE_TOKEN (the same default for development).
    bot_service_token: str = "dev-bot-token"
    telegram_bot_token: str | None = None
    # Base URL of a self-hosted Bot API server, e.g. http://127.0.0.1:8081
    telegram_api_base: str | None = None
    # Webhook mode when WEBHOOK_URL is set; otherwise long polling.
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8080
    # Optional: per-chat locks shared by several bot workers.
    redis_url: str | None = None
    # Set by `motcua bot --workers N` (bot/workers.py) for each of its workers, 0..N-1:
    # the parent registers the webhook and the commands menu once, the workers share
    # WEBHOOK_PORT (SO_REUSEPORT), and Zalo is served by worker 0 only. Not set by hand.
    bot_worker: int | None = None
    # e.g. https://t.me/MotCuaBot; derived from getMe when unset.
    bot_link: str | None = None
    # Remote help (bot/handoff): the support team's supergroup with forum topics; when
    # unset, a citizen who asks for a person is told to call the office.
    support_chat_id: int | None = None
    # Telegram user ids with first names, e.g. "111:Lan,222:Minh".
    staff_telegram_ids: str = ""
    volunteers: str = ""
    # When someone answers, e.g. "mon-fri 07:30-11:30 13:30-17:00" (Vietnamese holidays off).
    office_hours: str = "mon-fri 07:30-11:30 13:30-17:00"
    office_timezone: str = "Asia/Ho_Chi_Minh"
    # "typing..." is shown only for a turn still running after this many seconds: a quick
    # answer needs none, and it saves one Bot API call per turn. 0 shows it at once.
    typing_after: float = 0.4

    # Zalo (bot/zalo): served when ZALO_BOT_TOKEN is set. ZALO_API_BASE points at the
    # Bot API (a fake in tests); webhook mode when ZALO_WEBHOOK_URL is set (HTTPS), with
    # ZALO_WEBHOOK_SECRET (8-256 characters) checked on every call; long polling otherwise.
    zalo_bot_token: str | None = None
    zalo_api_base: str = "https://bot-api.zaloplatforms.com"
    zalo_webhook_url: str | None = None
    zalo_webhook_secret: str | None = None
    # The bot's own HTTP server (webhook and the signed image links), behind
    # PUBLIC_BASE_URL/zalo/ in production.
    zalo_http_host: str = "127.0.0.1"
    zalo_http_port: int = 8081
    public_base_url: str = "http://127.0.0.1:8081"
    # Signs the expiring links of the images sent to Zalo (QR, payment card, receipt).
    zalo_media_secret: str = "dev-zalo-media-secret"
    zalo_media_ttl: int = 3600  # seconds a link stays valid
    # Not published by Zalo: conservative, overall and per chat.
    zalo_rate_per_second: float = 10.0
    zalo_chat_rate: float = 1.0
    # e.g. https://zalo.me/<bot id>: the deep link the bot and the public page offer.
    zalo_bot_link: str | None = None

    def secret_fields(self) -> tuple[str, ...]:
        zalo: tuple[str, ...] = ()
        if self.zalo_bot_token:
            zalo = ("zalo_bot_token", "zalo_media_secret")
        if self.zalo_bot_token and self.zalo_webhook_url:
            zalo += ("zalo_webhook_secret",)
        return self.SECRET_FIELDS + (("webhook_secret",) if self.webhook_url else ()) + zalo

    @property
    def webhook_path(self) -> str:
        from urllib.parse import urlsplit

        if not self.webhook_url:
            return "/webhook"
        return urlsplit(self.webhook_url).path or "/webhook"


@lru_cache(maxsize=1)
def get_settings() -> BotSettings:
    return BotSettings()
