"""Read-only facts the engine may consult: the catalog, the NLU, the time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from backend_client import Procedure
from dialogs.hours import HoursSpec
from nlu import NLU

# BotSettings.office_hours has the same default; the shell passes the configured one.
DEFAULT_HOURS = "mon-fri 07:30-11:30 13:30-17:00"


@dataclass(frozen=True)
class Office:
    name: str = "Bộ phận Một cửa, Ủy ban phường Phú Xuân"
    address: str = "Phú Xuân, thành phố Huế"
    phone: str = "0234 3822 000"
    hours: str = DEFAULT_HOURS  # the OFFICE_HOURS setting; a bad one fails at start-up

    def __post_init__(self) -> None:
        HoursSpec.parse(self.hours)

    def hours_text(self, lang: str) -> str:
        return HoursSpec.parse(self.hours).describe(lang)

    @property
    def hours_vi(self) -> str:
        return self.hours_text("vi")

    @property
    def hours_en(self) -> str:
        return self.hours_text("en")


@dataclass(frozen=True)
class Context:
    procedures: Mapping[str, Procedure]
    nlu: NLU
    now: datetime
    bot_link: str | None = None  # e.g. https://t.me/MotCuaBot; deep links are built on it
    office: Office = field(default_factory=Office)
