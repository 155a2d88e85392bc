from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backend_client import Procedure
from dialogs import Context
from nlu import get_default_nlu

TEST_PROCEDURE = {
    "slug": "birth_registration",
    "name": {"vi": "Đăng ký khai sinh", "en": "Birth registration"},
    "short_name": {"vi": "Khai sinh", "en": "Birth"},
    "category": "civil_status",
    "agency": {"vi": "UBND phường", "en": "Ward People's Committee"},
    "legal_basis": ["Luật Hộ tịch 60/2014/QH13"],
    "online_level": "full",
    "processing": {"kind": "same_day", "days": 0, "cutoff": "15:00"},
    "fee": {"kind": "free"},
    "fields": [
        {
            "name": "child_name",
            "type": "text",
            "label": {"vi": "Họ tên của bé?", "en": "Child's name?"},
        },
        {
            "name": "child_dob",
            "type": "date",
            "label": {"vi": "Bé sinh ngày nào?", "en": "Date of birth?"},
        },
        {
            "name": "parents_married",
            "type": "choice",
            "label": {"vi": "Bố mẹ bé đã đăng ký kết hôn chưa?", "en": "Are the parents married?"},
            "choices": [
                {"value": "yes", "label": {"vi": "Đã kết hôn", "en": "Married"}},
                {"value": "no", "label": {"vi": "Chưa", "en": "Not married"}},
            ],
        },
        {
            "name": "father_name",
            "type": "text",
            "required": False,
            "label": {"vi": "Họ tên bố?", "en": "Father's name?"},
            "when": {"field": "parents_married", "op": "eq", "value": "yes"},
        },
    ],
    "documents": [
        {"code": "birth_certificate", "name": {"vi": "Giấy chứng sinh", "en": "Birth certificate"}},
        {
            "code": "marriage_certificate",
            "name": {"vi": "Giấy đăng ký kết hôn", "en": "Marriage certificate"},
            "when": {"field": "parents_married", "op": "eq", "value": "yes"},
        },
    ],
    "result": {"vi": "Nhận tại Bộ phận Một cửa", "en": "At the one-stop desk"},
}


@pytest.fixture(scope="session")
def procedure() -> Procedure:
    return Procedure.model_validate(TEST_PROCEDURE)


@pytest.fixture
def dctx(procedure: Procedure) -> Context:
    return Context(
        procedures={procedure.slug: procedure},
        nlu=get_default_nlu(),
        now=datetime(2026, 3, 9, 2, 0, tzinfo=UTC),
        bot_link="https://t.me/MotCuaTestBot",
    )
