"""Read-only facts the engine may consult: the catalog, the NLU, the time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from backend_client import Procedure
from nlu import NLU


@dataclass(frozen=True)
class Office:
    name: str = "Bộ phận Một cửa UBND phường Phú Xuân"
    address: str = "Phú Xuân, thành phố Huế"
    phone: str = "0234 3822 000"
    hours_vi: str = "Thứ Hai đến Thứ Sáu, 7:30–11:30 và 13:30–17:00"
    hours_en: str = "Monday to Friday, 7:30–11:30 and 13:30–17:00"


@dataclass(frozen=True)
class Context:
    procedures: Mapping[str, Procedure]
    nlu: NLU
    now: datetime
    bot_link: str | None = None  # e.g. https://t.me/MotCuaBot; deep links are built on it
    office: Office = field(default_factory=Office)
