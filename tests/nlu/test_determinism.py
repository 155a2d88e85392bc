"""Two trainings from the same data give the same answers; the cache gives them too."""

from __future__ import annotations

from pathlib import Path

from nlu.engine import EmbeddedNLU

TEXTS = [
    "tui muốn làm giấy khai sanh cho cháu",
    "hồ sơ px2026 7q4k9m tới mô rồi",
    "how much is a certified copy",
    "mệ ưng gặp o cán bộ",
    "qwerty",
]


def test_two_trainings_are_identical() -> None:
    a = EmbeddedNLU(use_cache=False)
    b = EmbeddedNLU(use_cache=False)
    assert [a.parse(t) for t in TEXTS] == [b.parse(t) for t in TEXTS]


def test_cached_model_answers_like_a_fresh_one(tmp_path: Path, engine: EmbeddedNLU) -> None:
    first = EmbeddedNLU(cache_dir=tmp_path)
    assert list(tmp_path.glob("model-*.pkl"))
    second = EmbeddedNLU(cache_dir=tmp_path)  # loads the pickle
    assert [first.parse(t) for t in TEXTS] == [second.parse(t) for t in TEXTS]
    assert [engine.parse(t) for t in TEXTS] == [second.parse(t) for t in TEXTS]


def test_a_corrupt_cache_is_retrained(tmp_path: Path) -> None:
    EmbeddedNLU(cache_dir=tmp_path)
    (path,) = tmp_path.glob("model-*.pkl")
    path.write_bytes(b"not a pickle")
    assert EmbeddedNLU(cache_dir=tmp_path).parse("xin chào")["intent"]["name"] == "greet"
