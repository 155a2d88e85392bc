"""The parse result has the shape of Rasa's /model/parse response."""

from __future__ import annotations

import json
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from nlu import INTENTS, LOW_CONFIDENCE, NLU, EmbeddedNLU, get_default_nlu


def test_result_is_rasa_shaped(engine: EmbeddedNLU) -> None:
    text = "tui muốn làm giấy khai sinh, mã cũ PX-2026-7Q4K9M, sđt 0912 345 678"
    result = engine.parse(text)
    # Rasa's keys, plus the procedures the message may mean (best first).
    assert set(result) == {"text", "intent", "intent_ranking", "entities", "procedure_ranking"}
    assert result["procedure_ranking"] == [
        {"name": "birth_registration", "confidence": result["procedure_ranking"][0]["confidence"]}
    ]
    assert result["text"] == text
    assert set(result["intent"]) == {"name", "confidence"}
    assert result["intent"]["name"] in INTENTS
    ranking = result["intent_ranking"]
    assert ranking[0] == result["intent"]
    assert len(ranking) == 10
    confidences = [r["confidence"] for r in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert {r["name"] for r in ranking} <= set(INTENTS)
    for entity in result["entities"]:
        assert {"entity", "value", "start", "end", "confidence"} <= set(entity)
        assert text[entity["start"] : entity["end"]]
    assert [e["entity"] for e in result["entities"]] == ["procedure", "tracking_code", "phone"]
    json.dumps(result)  # plain JSON types only


def test_entity_offsets_point_into_the_original_text(engine: EmbeddedNLU) -> None:
    text = "Hồ sơ PX-2026-7Q4K9M của tui"
    (code,) = [e for e in engine.parse(text)["entities"] if e["entity"] == "tracking_code"]
    assert text[code["start"] : code["end"]] == "PX-2026-7Q4K9M"


def test_offsets_survive_decomposed_unicode(engine: EmbeddedNLU) -> None:
    text = unicodedata.normalize("NFD", "Đăng ký khai sinh giúp bà")
    (proc,) = engine.parse(text)["entities"]
    assert proc["value"] == "birth_registration"
    piece = unicodedata.normalize("NFC", text[proc["start"] : proc["end"]])
    assert piece == "Đăng ký khai sinh"


def test_every_intent_can_be_predicted(engine: EmbeddedNLU) -> None:
    names = {r["name"] for r in engine.parse("xin chào")["intent_ranking"]}
    assert len(names) == 10
    assert set(engine.classifier.classes) == set(INTENTS)


def test_gibberish_is_low_confidence(engine: EmbeddedNLU) -> None:
    result = engine.parse("qwzx plorb vvv")
    assert result["intent"]["confidence"] < LOW_CONFIDENCE or result["intent"]["name"] == (
        "out_of_scope"
    )


def test_empty_text(engine: EmbeddedNLU) -> None:
    result = engine.parse("")
    assert result["entities"] == []
    assert result["intent"]["name"] in INTENTS


def test_protocol_and_singleton() -> None:
    first = get_default_nlu()
    assert first is get_default_nlu()
    assert isinstance(first, NLU)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=120))
def test_any_text_parses_with_offsets_inside_it(text: str) -> None:
    result = get_default_nlu().parse(text)
    assert result["intent"]["name"] in INTENTS
    for entity in result["entities"]:
        assert 0 <= entity["start"] < entity["end"] <= len(text)


def test_a_very_long_message(engine: EmbeddedNLU) -> None:
    text = "dạ thưa cháu, bác hỏi chút nghe, " * 200 + "làm khai sinh mất bao lâu"
    result = engine.parse(text)
    assert result["intent"]["name"] == "ask_processing_time"
    assert [e["value"] for e in result["entities"]] == ["birth_registration"]
