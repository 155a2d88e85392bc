"""Typed words at every kind of choice in the catalog and the conversation: yes/no,
options, a document done, submit, resume, start, consent, payment; Vietnamese with and
without diacritics, Hue forms and English."""

from __future__ import annotations

import pytest

from dialogs.choices import match
from nlu import get_default_nlu

NAV = [("⬅ Quay lại", "s5:back"), ("🏠 Về đầu", "g:menu"), ("🙋 Gặp cán bộ", "g:human")]
YES_NO = [("Có ghi tên bố", "s5:ans:yes"), ("Không ghi tên bố", "s5:ans:no"), *NAV]
MARRIED = [("Đã đăng ký kết hôn", "s5:ans:yes"), ("Chưa đăng ký kết hôn", "s5:ans:no"), *NAV]
SEX = [("Bé trai", "s5:ans:male"), ("Bé gái", "s5:ans:female"), *NAV]
RELATION = [
    ("Vợ / chồng", "s5:ans:spouse"),
    ("Con", "s5:ans:child"),
    ("Cha / mẹ", "s5:ans:parent"),
    ("Người thân khác", "s5:ans:other"),
    *NAV,
]
DOCUMENT = [("✅ Xong, tiếp tục", "s5:done"), ("🔁 Chụp lại ảnh vừa gửi", "s5:retake"), *NAV[1:]]
REVIEW = [
    ("📨 Nộp hồ sơ", "s5:submit"),
    ("✏️ Sửa thông tin", "s5:edit"),
    ("🗑 Hủy hồ sơ này", "s5:drop"),
    *NAV[1:],
]
CONFIRM = [("✅ Có, nộp", "s5:confirm:yes"), ("↩ Không, xem lại", "s5:confirm:no")]
RESUME = [("▶ Làm tiếp chỗ đang dở", "s5:resume"), ("🔄 Làm lại từ đầu", "s5:restart"), *NAV]
CHECKLIST = [("▶ Bắt đầu", "s5:start"), ("⏸ Để sau", "s5:later"), *NAV]
CONSENT = [("✅ Tôi đồng ý", "s5:consent:yes"), ("❌ Tôi không đồng ý", "s5:consent:no")]
PAYMENT = [("💸 Tôi đã chuyển khoản", "g:paid:abc"), ("🏠 Về đầu", "g:menu")]

CASES = [
    # yes/no-shaped options
    (
        YES_NO,
        ["có", "co", "ừ", "dạ", "da", "ok", "yes", "có ghi", "dạ phải", "đúng rứa"],
        "ans:yes",
    ),
    (YES_NO, ["không", "khong", "ko", "no", "không mô", "khong ghi ten bo"], "ans:no"),
    (MARRIED, ["rồi", "roi", "đã đăng ký rồi", "da dang ky roi", "yes", "dạ rồi"], "ans:yes"),
    (MARRIED, ["chưa", "chua", "chưa mô", "not yet", "chua dang ky"], "ans:no"),
    # options
    (
        SEX,
        ["trai", "bé trai", "be trai", "con trai", "nam", "boy", "1", "số một", "cái đầu"],
        "ans:male",
    ),
    (
        SEX,
        ["gái", "gai", "con gái", "nữ", "girl", "2", "số hai", "cai cuoi", "thứ hai"],
        "ans:female",
    ),
    (RELATION, ["con", "con a", "2", "so hai"], "ans:child"),
    (RELATION, ["vợ chồng", "chồng", "vo", "cái đầu"], "ans:spouse"),
    (RELATION, ["nguoi than", "người thân khác", "cái cuối", "4"], "ans:other"),
    # a document done
    (DOCUMENT, ["xong", "xong rồi", "xong roi", "hết rồi", "done", "next", "tiếp", "ok"], "done"),
    (DOCUMENT, ["chụp lại", "chup lai", "retake"], "retake"),
    # submit at the review, then the confirmation
    (REVIEW, ["nộp", "nop", "nộp luôn", "nop luon di", "gửi đi", "submit", "nop ho so"], "submit"),
    (REVIEW, ["sửa", "sua lai", "thay đổi", "change"], "edit"),
    (CONFIRM, ["có", "nộp đi", "nop luon di", "ừ nộp", "dạ", "yes", "đúng rứa"], "confirm:yes"),
    (CONFIRM, ["không", "chưa", "xem lại", "no"], "confirm:no"),
    # resume a draft
    (RESUME, ["làm tiếp", "lam tiep", "tiếp tục", "tiep tuc", "continue", "có", "ừ"], "resume"),
    (RESUME, ["làm lại", "lam lai tu dau", "start over"], "restart"),
    # start, consent, payment
    (
        CHECKLIST,
        ["bắt đầu", "bat dau", "ok bat dau di", "ừ, làm đi cháu", "làm luôn", "start"],
        "start",
    ),
    (CHECKLIST, ["để sau", "de sau", "later", "chưa"], "later"),
    (CONSENT, ["đồng ý", "dong y", "tôi đồng ý", "ừ", "có", "I agree", "yes"], "consent:yes"),
    (CONSENT, ["không đồng ý", "khong dong y", "no", "không"], "consent:no"),
    (
        PAYMENT,
        ["tôi đã chuyển khoản", "toi da chuyen khoan", "đã chuyển rồi", "I have paid"],
        "paid",
    ),
]


@pytest.mark.parametrize(
    ("choices", "typed", "action"),
    [(choices, typed, action) for choices, words, action in CASES for typed in words],
)
def test_typed_words_press_the_right_choice(
    choices: list[tuple[str, str]], typed: str, action: str
) -> None:
    found = match(typed, choices, get_default_nlu().parse(typed))
    assert found.data is not None, f"{typed!r} matched nothing"
    scope, _, rest = found.data.partition(":")
    assert (rest.partition(":")[0] if scope == "g" else rest) == action, found


@pytest.mark.parametrize(
    ("choices", "typed"),
    [
        (SEX, "Bệnh viện Trung ương Huế"),  # an answer to another question
        (SEX, "7"),  # no seventh choice
        (YES_NO, "bao nhiêu tiền"),
        (CHECKLIST, "khai tử"),
        (REVIEW, "Nguyễn Văn An"),
    ],
)
def test_words_that_fit_no_choice_match_nothing(choices: list[tuple[str, str]], typed: str) -> None:
    found = match(typed, choices, get_default_nlu().parse(typed))
    assert found.data is None and not found.ambiguous


def test_a_value_question_takes_only_a_verb_or_label_typed_in_full() -> None:
    # At "How many pages?" the "2" is the answer, not the second button.
    skip = [("⏭ Bỏ qua", "s5:skip"), ("⬅ Quay lại", "s5:back"), ("🏠 Về đầu", "g:menu")]
    assert match("2", skip, loose=False).data is None
    assert match("bỏ qua", skip, loose=False).data == "s5:skip"


def test_a_word_two_choices_share_is_an_ambiguity_to_ask_about() -> None:
    records = [
        ("Giấy khai sinh", "s5:ans:birth"),
        ("Giấy kết hôn", "s5:ans:marriage"),
        ("Giấy khai tử", "s5:ans:death"),
    ]
    found = match("khai", records)
    assert found.data is None and found.ambiguous == ("s5:ans:birth", "s5:ans:death")
    assert match("khai tu", records).data == "s5:ans:death"
