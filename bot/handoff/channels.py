"""Citizens on channels without aiogram (Zalo): their cases open topics in the same
support group, and texts are relayed both ways through the channel's own sender."""

from __future__ import annotations

from typing import Protocol

from dialogs import Reply
from kernel.i18n import N_

THE_CITIZEN = N_("Citizen")
TEXT_ONLY = N_(
    "This citizen writes from Zalo: only text reaches them. Please type your answer "
    "(photos and files are not relayed)."
)


class OtherChannel(Protocol):
    async def send(self, key: str, replies: list[Reply]) -> bool:
        """The replies to chat ``key`` in order; False when it blocked the bot."""
        ...
