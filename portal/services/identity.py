"""Who is calling: a citizen (through the bot's service token), staff, or the system."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from portal.db.models import Application

CITIZEN_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,19}:[A-Za-z0-9_.@+-]{1,100}$")


@dataclass(frozen=True)
class Actor:
    kind: Literal["citizen", "staff", "system"]
    id: str  # "telegram:12345", "staff:lan", "gateway"
    role: str | None = None  # staff role: clerk | head
    name: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"


def can_see(actor: Actor, application: Application) -> bool:
    """Owners and staff see an application; a volunteer who filed it for someone too."""
    if actor.kind in ("staff", "system"):
        return True
    return actor.id in (application.citizen, application.assisted_by)
