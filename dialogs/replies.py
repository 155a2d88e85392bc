"""What the engine says: messages with optional buttons and media."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Btn:
    label: str
    data: str  # at most 64 bytes (Telegram's callback_data limit)


@dataclass(frozen=True)
class Media:
    """``qr``: render ``data`` as a QR code image; ``image_url``: a portal path to fetch."""

    kind: Literal["qr", "portal_image"]
    data: str
    filename: str = "qr.png"


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[tuple[Btn, ...], ...] = ()
    # inline: buttons under the message; keyboard: big buttons replacing the keyboard
    # (used for choices: easier for elderly fingers, and they stay visible)
    layout: Literal["inline", "keyboard"] = "inline"
    media: Media | None = None
    kind: Literal["say", "ask", "error"] = "say"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def flat_buttons(self) -> list[Btn]:
        return [b for row in self.buttons for b in row]
