"""The public page's "Open in Zalo" link: ZALO_URL, or the bot's ZALO_BOT_LINK."""

from __future__ import annotations

import pytest

from portal.settings import PortalSettings


@pytest.mark.parametrize("variable", ["ZALO_URL", "ZALO_BOT_LINK"])
def test_the_zalo_link_from_either_variable(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    monkeypatch.setenv(variable, "https://zalo.me/123456789")
    assert PortalSettings().zalo_url == "https://zalo.me/123456789"


def test_no_zalo_link_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZALO_URL", raising=False)
    monkeypatch.delenv("ZALO_BOT_LINK", raising=False)
    assert PortalSettings().zalo_url is None
    assert PortalSettings(zalo_url="https://zalo.me/1").zalo_url == "https://zalo.me/1"
