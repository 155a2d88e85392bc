"""All portal settings in one typed place, read from the environment (prefix-free
names such as DATABASE_URL), with safe defaults for the demo."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, ClassVar

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from kernel.deployment import Environment


class PortalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    # MOTCUA_ENV: production (the default) refuses to start with a development or short
    # secret (kernel.deployment); `motcua demo` runs in demo mode with demo staff.
    motcua_env: Environment = "production"
    # Checked at start-up in production; a new secret setting is added here.
    SECRET_FIELDS: ClassVar[tuple[str, ...]] = (
        "bot_service_token",
        "payment_webhook_secret",
        "event_webhook_secret",
        "data_key",
        "lookup_key",
    )

    database_url: str = "sqlite:///var/portal.sqlite3"
    upload_dir: Path = Path("var/uploads")
    catalog_dir: Path | None = None  # None: the catalog shipped with the package

    ward_code: str = Field(default="PX", pattern=r"^[A-Z]{2,4}$")
    ward_name: str = "Phường Phú Xuân, thành phố Huế"
    timezone: str = "Asia/Ho_Chi_Minh"

    # The bot's service token: requests carrying it may act for a citizen identity.
    bot_service_token: str = "dev-bot-token"
    # HMAC secret shared with the bank/payment gateway for payment callbacks.
    payment_webhook_secret: str = "dev-payment-secret"
    payee_bank_bin: str = "970415"
    payee_account: str = "113000006100"
    payee_name: str = "UBND PHUONG PHU XUAN"

    # Optional push of new events to a consumer (the bot's notifier).
    event_webhook_url: str | None = None
    event_webhook_secret: str = "dev-event-secret"

    max_upload_bytes: int = 10 * 1024 * 1024
    min_image_side: int = 480

    # Threads answering the bot's calls (portal/api/lane.py); unset: 1 on SQLite, whose
    # writes go one at a time anyway, and 4 on PostgreSQL, to overlap its round trips.
    # More only fight over the interpreter's lock: on 2 cores at 16 concurrent answers,
    # 40 threads cost 3.3-3.6 ms of portal CPU per answer and one thread 2.5-2.7 ms.
    lane_threads: int | None = Field(default=None, ge=1, le=64)

    # Anonymous tracking lookups per client per minute (per citizen for the bot's).
    track_rate_per_minute: int = 30
    # Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses or
    # networks, e.g. "10.0.0.5,172.16.0.0/12"); none by default.
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()
    # Shared rate-limit counters for several portal workers; in-process when unset.
    redis_url: str | None = None

    # Personal data at rest (see ARCHITECTURE.md, "Personal data"): answers and phone
    # numbers are sealed with DATA_KEY; DATA_OLD_KEYS (comma-separated) still open rows
    # sealed before a rotation. LOOKUP_KEY keys the hashes staff find an ID or phone by.
    data_key: str = "dev-data-key"
    data_old_keys: str = ""
    lookup_key: str = "dev-lookup-key"

    # How long the ward keeps a submitted application after it is finished. Decree
    # 13/2023/ND-CP art. 16 and the Personal Data Protection Law 91/2025/QH15 exempt from
    # erasure what another law requires to be kept: the Law on Archives and the Ministry
    # of Home Affairs' retention schedule for administrative-procedure records. The
    # number itself is the ward's practice, hence a setting.
    retention_years: int = Field(default=5, ge=1, le=100)

    # The public status page (portal/public): the tracking QR on receipts and in the chat
    # encodes PUBLIC_BASE_URL/t/<code>, which any phone camera opens.
    public_base_url: str = "http://127.0.0.1:8000"
    # Links from the public page to the assistant, when set: the Telegram bot (e.g.
    # https://t.me/MotCuaBot; the page adds ?start=trk_<code>) and the ward's Zalo OA.
    telegram_bot_url: str | None = None
    # ZALO_BOT_LINK (the bot's own setting) is read too: one variable for both sides.
    zalo_url: str | None = Field(
        default=None, validation_alias=AliasChoices("zalo_url", "zalo_bot_link")
    )

    # The demo seeds a staff account and prints its token.
    seed_demo_staff: bool = False

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(p.strip() for p in value.split(",") if p.strip())
        return value

    def secret_fields(self) -> tuple[str, ...]:
        return self.SECRET_FIELDS

    @property
    def lane_thread_count(self) -> int:
        if self.lane_threads is not None:
            return self.lane_threads
        from portal.db.session import is_sqlite  # SQLAlchemy: not for every settings read

        return 1 if is_sqlite(self.database_url) else 4

    @property
    def is_demo(self) -> bool:
        return self.motcua_env == "demo"


@lru_cache(maxsize=1)
def get_settings() -> PortalSettings:
    return PortalSettings()
