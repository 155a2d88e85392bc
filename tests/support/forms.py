"""Plausible answers for any procedure's form, derived from its schema alone, so a
test drives every procedure without knowing its fields."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from backend_client import Procedure

HUE_PROVINCE = "046"


def citizen_id_for(dob: date, female: bool = False, rng: random.Random | None = None) -> str:
    rng = rng or random.Random(7)
    century = (dob.year // 100) - 19  # 1900s -> 0, 2000s -> 1
    gender = century * 2 + (1 if female else 0)
    tail = "".join(str(rng.randrange(10)) for _ in range(6))
    return f"{HUE_PROVINCE}{gender}{dob.year % 100:02d}{tail}"


def sample_answers(
    proc: Procedure, *, today: date, pages: int = 3, copies: int = 2
) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    dob_of: dict[str, str] = {}
    for f in proc.fields:
        if f.type == "citizen_id":
            continue
        if f.type == "date":
            recent = any(w in f.name for w in ("child", "birth_date", "death", "event", "since"))
            value = date(today.year, today.month, 1) if recent else date(1950, 3, 5)
            if value > today:
                value = today
            answers[f.name] = value.strftime("%d/%m/%Y")
        elif f.type == "choice":
            answers[f.name] = f.choices[0].value
        elif f.type == "number":
            wanted = pages if "page" in f.name else copies if "cop" in f.name else 1
            low = f.min if f.min is not None else 1
            high = f.max if f.max is not None else wanted
            answers[f.name] = max(low, min(wanted, high))
        elif f.type == "phone":
            answers[f.name] = "0905 123 456"
        elif f.type == "address":
            answers[f.name] = "12 Lê Lợi, phường Phú Xuân, Huế"
        else:
            answers[f.name] = "Nguyễn Văn An"
    for f in proc.fields:
        if f.type == "citizen_id":
            dob_field = getattr(f, "dob_field", None)
            raw = answers.get(dob_field) if dob_field else None
            dob = date(1950, 3, 5)
            if isinstance(raw, str):
                d, m, y = (int(x) for x in raw.split("/"))
                dob = date(y, m, d)
            dob_of[f.name] = raw or ""
            answers[f.name] = citizen_id_for(dob)
    return answers
