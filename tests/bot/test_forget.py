"""Withdrawing consent reaches the portal: the person's drafts are cancelled, submitted
applications (public records) are kept."""

from __future__ import annotations

from backend_client import PortalClient
from bot.effects import EffectRunner
from bot.files import LocalFiles
from dialogs import Effect


async def test_forget_me_cancels_only_the_persons_drafts(portal: PortalClient) -> None:
    mine = await portal.create_application("telegram:71", "death_registration")
    other = await portal.create_application("telegram:72", "death_registration")
    runner = EffectRunner(portal, LocalFiles())
    result = await runner.run(Effect("forget_me"), "telegram:71")
    assert result.ok and result.value == {"cancelled_drafts": 1}
    assert (await portal.get_application("telegram:71", mine.id)).status == "cancelled"
    assert (await portal.get_application("telegram:72", other.id)).status == "draft"
