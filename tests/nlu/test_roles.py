"""Long messages, two procedures in one sentence, street names, missing words, verbs.

Every example here was written for these tests (none comes from the blind set)."""

from __future__ import annotations

import pytest

from nlu import EmbeddedNLU


def _procedure(engine: EmbeddedNLU, text: str) -> str | None:
    values = [e["value"] for e in engine.parse(text)["entities"] if e["entity"] == "procedure"]
    return values[-1] if values else None


@pytest.mark.parametrize(
    ("text", "procedure"),
    [
        # the object of the request verb, not the purpose after "để" / "nộp kèm" / "cho"
        ("xin trích lục kết hôn để nộp kèm hồ sơ đăng ký thường trú", "civil_status_extract"),
        (
            "làm giấy xác nhận tình trạng hôn nhân để đi đăng ký khai sinh cho con",
            "marital_status_certificate",
        ),
        ("tôi muốn đăng ký tạm trú cho con gái để làm hồ sơ hộ kinh doanh", "temporary_residence"),
        (
            "chứng thực chữ ký giấy ủy quyền dùng cho hồ sơ trợ cấp người già",
            "signature_certification",
        ),
        ("cho hỏi đăng ký kết hôn cần gì", "marriage_registration"),
        # "công chứng" + a paper is a certified copy of that paper
        ("tôi cần công chứng giấy khai sinh", "certified_copy"),
        ("công chứng sổ hộ khẩu mấy tiền", "certified_copy"),
        ("photo công chứng giấy kết hôn hai bản", "certified_copy"),
        # correcting a name, changing a family name
        ("con tôi muốn đổi họ theo mẹ", "civil_status_correction"),
        ("tôi muốn sửa tên trong giấy tờ hộ tịch", "civil_status_correction"),
        ("đổi tên cho cháu được không", "civil_status_correction"),
        # building permit named short and colloquially
        ("xin phép xây cái nhà sau", "construction_permit"),
        ("giấy phép xây nhà làm ở đâu", "construction_permit"),
        # sound-alikes (speech to text) and s/x, ch/tr typos
        ("đăng ký tạm chú cho sinh viên", "temporary_residence"),
        ("đăng ký thường chú cho cháu", "permanent_residence"),
        ("làm khai xinh cho con", "birth_registration"),
        ("trứng thực bản sao", "certified_copy"),
    ],
)
def test_the_procedure_asked_for(engine: EmbeddedNLU, text: str, procedure: str) -> None:
    assert _procedure(engine, text) == procedure


@pytest.mark.parametrize(
    ("text", "procedure"),
    [
        (
            "nhà tôi ở đường Nguyễn Sinh Cung, tôi muốn làm giấy chứng nhận độc thân",
            "marital_status_certificate",
        ),
        ("tôi ở kiệt 12 Lê Duẩn, cần chứng thực bản sao", "certified_copy"),
        ("tôi ở đường Trần Cao Vân", None),
        ("nhà bác ở số 5 Kim Long", None),
        ("gặp cô Phan Thị Hoa ở đường Hai Bà Trưng", None),
    ],
)
def test_street_and_person_names_are_never_procedures(
    engine: EmbeddedNLU, text: str, procedure: str | None
) -> None:
    assert _procedure(engine, text) == procedure


def test_exact_beats_a_repaired_word(engine: EmbeddedNLU) -> None:
    result = engine.parse("tui muốn đăng ký kết hôn, nhà ở gần chợ Đông Ba")
    assert _procedure(engine, result["text"]) == "marriage_registration"
    assert result["procedure_ranking"][0]["name"] == "marriage_registration"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("hủy hồ sơ PX-2026-7Q4K9M giúp tôi", "cancel"),
        ("tôi muốn đóng tiền cho hồ sơ PX-2026-7Q4K9M", "pay_fee"),
        ("thanh toán lệ phí hồ sơ PX-2026-7Q4K9M", "pay_fee"),
        ("hồ sơ PX-2026-7Q4K9M tới đâu rồi", "check_status"),
        ("phí", "ask_fee"),
        ("lệ phí?", "ask_fee"),
    ],
)
def test_the_verb_decides_the_intent(engine: EmbeddedNLU, text: str, intent: str) -> None:
    assert engine.parse(text)["intent"]["name"] == intent


@pytest.mark.parametrize(
    "text",
    [
        "nước máy nhà tôi mấy hôm nay bị đục, gọi ai sửa",
        "đường trong kiệt nhà bác bị ngập mỗi khi mưa",
        "bác bị đau lưng mấy hôm nay, đi khám ở mô",
        "đèn đường trước nhà tôi hư cả tuần rồi",
    ],
)
def test_complaints_about_water_roads_health_are_out_of_scope(
    engine: EmbeddedNLU, text: str
) -> None:
    assert engine.parse(text)["intent"]["name"] == "out_of_scope"


def test_the_request_in_a_long_message_is_found(engine: EmbeddedNLU) -> None:
    text = (
        "chào cháu, bác năm nay 80 tuổi rồi, chân yếu, mắt mờ, cháu chỉ bác cách đăng ký "
        "tạm trú cho thằng cháu nội ở Quảng Trị vô ở với bác để đi học trường Hai Bà Trưng, "
        "ba mẹ hắn ở ngoài nớ"
    )
    result = engine.parse(text)
    assert _procedure(engine, text) == "temporary_residence"
    assert result["intent"]["name"] in ("start_procedure", "ask_requirements")


def test_two_named_procedures_are_both_ranked(engine: EmbeddedNLU) -> None:
    ranking = engine.parse("khai sinh hay kết hôn")["procedure_ranking"]
    assert {r["name"] for r in ranking[:2]} == {"birth_registration", "marriage_registration"}
    assert ranking[0]["confidence"] - ranking[1]["confidence"] < 0.1


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("đăng ký tạm trú cho cháu có tốn bao nhiêu đồng không", "ask_fee"),
        ("làm giấy độc thân mấy ngày thì có", "ask_processing_time"),
        (
            "dạ chào cháu, cảm ơn cháu nhiều, cho bác hỏi làm giấy khai tử cho ông nhà bác",
            "start_procedure",
        ),
        ("cảm ơn cháu nhiều nghe", "thanks"),
    ],
)
def test_the_question_asked_decides_over_politeness(
    engine: EmbeddedNLU, text: str, intent: str
) -> None:
    assert engine.parse(text)["intent"]["name"] == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("tôi muốn chuyển khoản trả tiền lệ phí khai sinh", "pay_fee"),
        ("làm khai sinh có phải đóng tiền không", "ask_fee"),
        ("dạ không cần đâu, cảm ơn cháu nhiều", "deny"),
        ("thủ tục chứng thực chữ ký ở phường mình có làm không", "start_procedure"),
    ],
)
def test_paying_refusing_and_a_named_procedure(engine: EmbeddedNLU, text: str, intent: str) -> None:
    assert engine.parse(text)["intent"]["name"] == intent


@pytest.mark.parametrize(
    ("text", "procedure"),
    [
        ("chung thu ban sao", "certified_copy"),
        ("đăng ký ket hn", "marriage_registration"),
        ("dang ky thong tru cho con", "permanent_residence"),
        ("trich lu khai sinh", "civil_status_extract"),
    ],
)
def test_an_alias_word_missing_a_letter(engine: EmbeddedNLU, text: str, procedure: str) -> None:
    assert _procedure(engine, text) == procedure


def test_a_place_name_wins_over_a_missing_letter(engine: EmbeddedNLU) -> None:
    # "Thượng Tứ" is a Hue place; folded it reads "thuong tu", one letter from "thường trú".
    assert _procedure(engine, "nhà tôi ở Thượng Tứ") is None
