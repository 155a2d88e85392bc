"""The form by typed words: choices, values, names, stale keyboards, the step counter,
the review."""

from __future__ import annotations

import re

from tests.dialogs.flows.conftest import Typist


def _started(typist: Typist, procedure: str = "khai sinh") -> None:
    typist.says(procedure)
    typist.says("bắt đầu")
    typist.says("đồng ý")


def test_choices_typed_short_without_diacritics(typist: Typist) -> None:
    _started(typist)
    typist.says("Nguyễn Thị Minh An")
    typist.says("trai")
    assert typist.state.answers["child_sex"] == "male"
    for text in ("5/3", "Bệnh viện Trung ương Huế", "Trần Thị Hoa", "5/3/1995", "046195123456"):
        typist.says(text)
    typist.says("co")
    assert typist.state.answers["father_known"] == "yes"
    typist.says("Nguyễn Văn Bình")
    typist.says("roi")
    assert typist.state.answers["parents_married"] == "yes"


def test_a_choice_typed_wrong_asks_the_same_question(typist: Typist) -> None:
    _started(typist)
    typist.says("Nguyễn Thị Minh An")
    typist.says("hôm qua")
    assert typist.state.field == "child_sex" and "child_sex" not in typist.state.answers
    assert "chưa hiểu" in typist.text and "Bé là trai hay gái?" in typist.text


def test_an_old_keyboard_label_is_never_stored(typist: Typist) -> None:
    _started(typist)
    typist.says("Nguyễn Thị Minh An")
    typist.says("Bé gái")
    typist.says("5/3")
    saves = typist.effects.count("save_answers")
    typist.says("Bé gái")  # the old keyboard, pressed at "Where was the child born?"
    assert typist.effects.count("save_answers") == saves
    assert "birth_place" not in typist.state.answers and typist.state.field == "birth_place"
    assert "tin nhắn cũ" in typist.text


def test_dates_resolved_from_the_question(typist: Typist) -> None:
    _started(typist)
    typist.says("Nguyễn Thị Minh An")
    typist.says("gái")
    assert "05/03/1950" not in typist.text  # a newborn's example is a recent day
    typist.says("mùng 5 tháng 3 năm nay")
    assert typist.state.answers["child_dob"] == "2026-03-05"


def test_a_newborns_date_without_year_is_this_years(typist: Typist) -> None:
    _started(typist)
    typist.says("Nguyễn Thị Minh An")
    typist.says("gái")
    typist.says("5/3")
    assert typist.state.answers["child_dob"] == "2026-03-05"


def test_numbers_in_words(typist: Typist) -> None:
    _started(typist, "chứng thực bản sao")
    typist.says("Sổ đỏ")
    typist.says("ba trang")
    typist.says("mot ban")
    assert typist.state.answers["pages"] == 3 and typist.state.answers["copies"] == 1


def test_a_name_without_diacritics_is_shown_back_once(typist: Typist) -> None:
    _started(typist)
    typist.says("nguyen thi minh an")
    assert "child_name" not in typist.state.answers and '"nguyen thi minh an"' in typist.text
    typist.says("Nguyễn Thị Minh An")  # typed again, with accents: that is the answer
    assert typist.state.answers["child_name"] == "Nguyễn Thị Minh An"
    assert typist.state.field == "child_sex"


def test_a_name_without_diacritics_kept_as_typed(typist: Typist) -> None:
    _started(typist)
    typist.says("nguyen thi minh an")
    typist.says("ok")
    assert typist.state.answers["child_name"] == "nguyen thi minh an"


def test_the_step_counter_never_grows(typist: Typist) -> None:
    _started(typist)
    answers = ["Nguyễn Thị Minh An", "gái", "5/3", "Huế", "Trần Thị Hoa", "5/3/1995"]
    answers += ["046195123456", "không", "0905123456"]
    totals = [int(m) for m in re.findall(r"Bước \d+/(\d+)", typist.text)]
    for text in answers:
        typist.says(text)
        totals += [int(m) for m in re.findall(r"Bước \d+/(\d+)", typist.text)]
    assert totals == sorted(totals, reverse=True), totals
    steps = [int(m) for r in typist.all_replies for m in re.findall(r"Bước (\d+)/", r.text)]
    assert steps == sorted(steps)


def test_review_short_labels_fee_and_submit_now(typist: Typist) -> None:
    _started(typist, "chứng thực bản sao")
    for text in ("Sổ đỏ", "3", "2", "Lê Thị Mai", "0905123456"):
        typist.says(text)
    for _ in range(3):
        typist.sends_photo()
    typist.says("xong")
    assert typist.state.flow == "review"
    assert "• Số trang: 3" in typist.text and "Bản chính có mấy trang?" not in typist.text
    assert "Lệ phí: 10.000 đồng" in typist.text
    assert all(len(r.text) <= 300 for r in typist.replies)
    typist.says("nộp luôn")  # says "submit" and "now": no second question
    assert typist.effects[-1] == "submit" and typist.state.flow == "submitted"


def test_an_answer_named_at_the_review_is_asked_again(typist: Typist) -> None:
    _started(typist, "chứng thực bản sao")
    for text in ("Sổ đỏ", "3", "2", "Lê Thị Mai", "0905123456"):
        typist.says(text)
    typist.sends_photo()
    typist.says("xong")
    typist.says("sửa số bản sao")
    assert typist.state.flow == "form" and typist.state.field == "copies"
    typist.says("một")
    assert typist.state.answers["copies"] == 1 and typist.state.flow == "review"


def test_an_ambiguous_word_is_asked_about_at_the_same_question(typist: Typist) -> None:
    _started(typist, "trích lục hộ tịch")
    assert typist.state.field == "record_type", typist.text
    typist.says("khai")
    assert '"Giấy khai sinh" hay "Giấy khai tử"' in typist.text
    assert typist.state.field == "record_type" and "record_type" not in typist.state.answers
    typist.says("khai tử")
    assert typist.state.answers["record_type"] == "death"
