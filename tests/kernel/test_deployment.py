"""The production/demo switch and the secret check shared by the portal and the bot."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from bot.settings import BotSettings
from kernel.deployment import (
    InsecureSettings,
    enter_demo_mode,
    require_safe_secrets,
    secret_problems,
)
from portal.settings import PortalSettings

STRONG = "x" * 32


def test_production_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOTCUA_ENV")
    assert PortalSettings().motcua_env == "production"
    assert BotSettings().motcua_env == "production"
    monkeypatch.setenv("MOTCUA_ENV", "demo")
    assert PortalSettings().motcua_env == BotSettings().motcua_env == "demo"


def test_every_development_default_is_named() -> None:
    with pytest.raises(InsecureSettings) as err:
        require_safe_secrets(PortalSettings(motcua_env="production"))
    for field in PortalSettings.SECRET_FIELDS:
        assert f"{field.upper()} is the development default" in str(err.value)
    assert "at least 32 bytes" in str(err.value)


def test_short_and_missing_secrets_are_refused_and_strong_ones_pass() -> None:
    weak = BotSettings(motcua_env="production", bot_service_token="s3cret", bot_data_key=STRONG)
    assert secret_problems(weak) == [
        "BOT_SERVICE_TOKEN is shorter than 32 bytes; set a random value of at least 32 bytes"
    ]
    strong = BotSettings(motcua_env="production", bot_service_token=STRONG, bot_data_key=STRONG)
    assert secret_problems(strong) == []
    # 32 bytes, not 32 characters: "ố" is three bytes.
    assert secret_problems(BotSettings(bot_service_token="ố" * 11, bot_data_key=STRONG)) == []
    webhook = BotSettings(
        bot_service_token=STRONG, bot_data_key=STRONG, webhook_url="https://bot.example/hook"
    )
    assert secret_problems(webhook) == [
        "WEBHOOK_SECRET is not set; set a random value of at least 32 bytes"
    ]
    # A README value is refused wherever it is put.
    readme = BotSettings(bot_service_token="dev-payment-secret", bot_data_key=STRONG)
    assert secret_problems(readme) == [
        "BOT_SERVICE_TOKEN is the development default; set a random value of at least 32 bytes"
    ]


def test_demo_mode_accepts_the_defaults() -> None:
    require_safe_secrets(PortalSettings(motcua_env="demo"))
    require_safe_secrets(BotSettings(motcua_env="demo"))


class _WithSecretStr(BotSettings):
    SECRET_FIELDS = ("bot_service_token", "store_key")
    store_key: SecretStr = SecretStr("dev-store-key")


def test_a_new_secret_is_checked_once_its_name_is_declared() -> None:
    settings = _WithSecretStr(motcua_env="production", bot_service_token=STRONG)
    assert secret_problems(settings) == [
        "STORE_KEY is the development default; set a random value of at least 32 bytes"
    ]
    good = _WithSecretStr(bot_service_token=STRONG, store_key=SecretStr(STRONG))
    assert secret_problems(good) == []


def test_the_demo_switches_to_demo_mode_unless_production_was_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MOTCUA_ENV")
    enter_demo_mode()
    assert PortalSettings().motcua_env == "demo"
    monkeypatch.setenv("MOTCUA_ENV", "production")
    with pytest.raises(InsecureSettings, match="MOTCUA_ENV=production"):
        enter_demo_mode()
