"""The citizen is told exactly what was deleted and what the ward keeps, until when."""

from __future__ import annotations

from dialogs.forget import done_text


def test_what_was_deleted_and_what_is_kept_until_when() -> None:
    value = {
        "deleted_applications": 2,
        "deleted_documents": 3,
        "kept": [
            {
                "tracking_code": "PX-2603-00012",
                "procedure_name": {"vi": "Đăng ký khai sinh", "en": "Birth registration"},
                "keep_until": "2031-03-20",
            },
            {
                "tracking_code": "PX-2603-00013",
                "procedure_name": {"vi": "Chứng thực bản sao", "en": "Certified copy"},
                "keep_until": None,
            },
        ],
        "retention_years": 5,
        "chat_erased": True,
    }
    vi = done_text("vi", value)
    assert "2 hồ sơ chưa nộp" in vi and "rút lại sự đồng ý" in vi
    assert "5 năm" in vi
    assert "PX-2603-00012 Đăng ký khai sinh: giữ đến ngày 20/03/2031" in vi
    assert "PX-2603-00013 Chứng thực bản sao: đang giải quyết" in vi
    en = done_text("en", value)
    assert "kept until 20/03/2031" in en and "Certified copy: still in progress" in en


def test_nothing_kept_says_nothing_about_keeping() -> None:
    text = done_text("en", {"deleted_applications": 0, "kept": [], "retention_years": 5})
    assert "0 unfinished" in text and "must keep" not in text
