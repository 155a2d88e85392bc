"""Every writing style is understood, on messages that are not in the training data."""

from __future__ import annotations

import unicodedata

import pytest

from nlu import EmbeddedNLU

CASES: dict[str, list[tuple[str, str, str | None]]] = {
    "standard": [
        ("Tôi muốn đăng ký khai tử cho ông ngoại", "start_procedure", "death_registration"),
        (
            "Làm giấy phép xây dựng cần chuẩn bị hồ sơ gì?",
            "ask_requirements",
            "construction_permit",
        ),
        ("Phí đăng ký thường trú là bao nhiêu vậy?", "ask_fee", "permanent_residence"),
        ("Tôi muốn nói chuyện với một cán bộ", "talk_to_human", None),
    ],
    "no_diacritics": [
        ("toi muon dang ky ket hon voi ban gai", "start_procedure", "marriage_registration"),
        ("chung thuc chu ky mat bao nhieu tien", "ask_fee", "signature_certification"),
        ("dang ky tam tru can mang giay gi", "ask_requirements", "temporary_residence"),
        ("uy ban phuong may gio dong cua", "office_info", None),
    ],
    "typos": [
        ("toi muons lamf giays khai tử", "start_procedure", "death_registration"),
        ("dăng kí tạm trũ mất bao nhiu tiền", "ask_fee", "temporary_residence"),
        ("hộ kinh doanhh cần giấy tờ gỉ", "ask_requirements", "household_business"),
        ("cảm ơnn nhiềuu", "thanks", None),
    ],
    "dialect": [
        ("o ơi mần giấy khai sanh cho cháu tui với", "start_procedure", "birth_registration"),
        ("nhập hộ khẩu chừ cần giấy chi rứa", "ask_requirements", "permanent_residence"),
        ("sao y mấy tờ ni hết mấy tiền hỉ", "ask_fee", "certified_copy"),
        ("ủy ban phường nằm ở mô rứa o", "office_info", None),
    ],
    "verbose": [
        (
            "Dạ thưa cô, ba tôi năm nay tám mươi tám tuổi, mắt mờ chân yếu, con cháu đi làm"
            " xa hết, tôi nghe nói người già được nhận trợ cấp hưu trí xã hội nên muốn làm"
            " hồ sơ cho ba, cô cho hỏi cần những giấy tờ gì",
            "ask_requirements",
            "elderly_allowance",
        ),
        (
            "Chào cháu, bác mới mua lại căn nhà nhỏ trong kiệt, giờ muốn chuyển cả nhà về"
            " đó ở, nên bác muốn đăng ký thường trú luôn cho cả nhà, cháu giúp bác với",
            "start_procedure",
            "permanent_residence",
        ),
    ],
    "short": [
        ("tạm trú nhé", "start_procedure", "temporary_residence"),
        ("hủy đi", "cancel", None),
        ("phí bao nhiêu", "ask_fee", None),
        ("cám ơn o nhiều", "thanks", None),
    ],
    "english": [
        ("I want to get my documents notarized", "start_procedure", "certified_copy"),
        (
            "How long does a marriage registration take?",
            "ask_processing_time",
            "marriage_registration",
        ),
        ("Where is the ward office?", "office_info", None),
        ("Can I talk to a staff member?", "talk_to_human", None),
    ],
    "speech": [
        (
            "ừ thì cho tôi hỏi làm giấy độc thân mất mấy ngày",
            "ask_processing_time",
            "marital_status_certificate",
        ),
        ("tôi muốn đăng ký hộ kinh doanh bán bún bò", "start_procedure", "household_business"),
        ("kiểm tra giúp tôi hồ sơ đã nộp hôm qua", "check_status", None),
    ],
}
PARAMS = [(style, *case) for style, cases in CASES.items() for case in cases]


@pytest.mark.parametrize(("style", "text", "intent", "procedure"), PARAMS)
def test_style(
    engine: EmbeddedNLU,
    training_texts: set[str],
    style: str,
    text: str,
    intent: str,
    procedure: str | None,
) -> None:
    assert text.lower() not in training_texts
    result = engine.parse(text)
    assert result["intent"]["name"] == intent, (style, result["intent_ranking"][:3])
    procs = [e["value"] for e in result["entities"] if e["entity"] == "procedure"]
    assert procs == ([procedure] if procedure else [])


@pytest.mark.parametrize(
    ("old", "new"), [("hoà", "hòa"), ("thuỷ", "thủy"), ("khoẻ", "khỏe"), ("uỷ ban", "ủy ban")]
)
def test_old_and_new_tone_placement_read_alike(engine: EmbeddedNLU, old: str, new: str) -> None:
    a = engine.parse(f"{old} phường ở đâu")
    b = engine.parse(f"{new} phường ở đâu")
    assert a["intent"] == b["intent"]


def test_decomposed_unicode_reads_like_composed(engine: EmbeddedNLU) -> None:
    text = "Làm giấy xác nhận tình trạng hôn nhân mất mấy ngày"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    assert engine.parse(nfd)["intent"] == engine.parse(text)["intent"]
    assert engine.parse(nfd)["entities"][0]["value"] == "marital_status_certificate"


@pytest.mark.parametrize(
    ("text", "procedure"),
    [
        ("công chứng giấy tờ", "certified_copy"),
        ("sao y bản chính", "certified_copy"),
        ("giấy độc thân", "marital_status_certificate"),
        ("nhập hộ khẩu cho con", "permanent_residence"),
        ("tách hộ khẩu", "permanent_residence"),
        ("tiền già cho mệ", "elderly_allowance"),
        ("lương hưu xã hội", "elderly_allowance"),
        ("khai sanh", "birth_registration"),
        ("xin lại bản sao giấy khai sinh", "civil_status_extract"),
        ("giấy khai sinh ghi sai ngày sinh", "civil_status_correction"),
        ("chứng thực chữ ký", "signature_certification"),
    ],
)
def test_everyday_words_name_procedures(engine: EmbeddedNLU, text: str, procedure: str) -> None:
    procs = [e["value"] for e in engine.parse(text)["entities"] if e["entity"] == "procedure"]
    assert procs == [procedure]
