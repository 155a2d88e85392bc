"""Zalo's secrets are checked at a production start only when Zalo is served."""

from __future__ import annotations

from bot.settings import BotSettings
from kernel.deployment import secret_problems

STRONG = "s" * 40


def base(**extra: str) -> BotSettings:
    return BotSettings(
        motcua_env="production", bot_service_token=STRONG, bot_data_key="k" * 40, **extra
    )


def test_no_zalo_token_no_zalo_secret_needed() -> None:
    assert secret_problems(base()) == []


def test_with_a_zalo_token_its_secrets_are_required() -> None:
    problems = "\n".join(secret_problems(base(zalo_bot_token="123:short")))
    assert "ZALO_BOT_TOKEN is shorter than 32 bytes" in problems
    assert "ZALO_MEDIA_SECRET is the development default" in problems
    assert "ZALO_WEBHOOK_SECRET" not in problems  # polling: no webhook
    webhook = base(
        zalo_bot_token="1" * 40,
        zalo_media_secret="m" * 40,
        zalo_webhook_url="https://motcua.example/zalo/webhook",
    )
    assert [p.split(" ")[0] for p in secret_problems(webhook)] == ["ZALO_WEBHOOK_SECRET"]
    webhook.zalo_webhook_secret = "w" * 40
    assert secret_problems(webhook) == []
