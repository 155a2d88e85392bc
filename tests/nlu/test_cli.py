"""The `nlu` click group: parse, parse --jsonl, eval."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from nlu.cli import nlu
from nlu.training_data import TEST_DIR


def test_parse_prints_json() -> None:
    result = CliRunner().invoke(nlu, ["parse", "tui muốn làm giấy khai sanh"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["intent"]["name"] == "start_procedure"
    assert data["entities"][0]["value"] == "birth_registration"


def test_parse_jsonl(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    lines: list[dict[str, Any]] = [
        {"text": "cảm ơn o nhiều nghe"},
        {"text": "hồ sơ PX-2026-7Q4K9M tới mô rồi", "id": 2},
    ]
    src.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n")
    result = CliRunner().invoke(nlu, ["parse", "--jsonl", str(src)])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o["text"] for o in out] == [x["text"] for x in lines]
    assert [o["intent"]["name"] for o in out] == ["thanks", "check_status"]


def test_parse_without_text_is_a_usage_error() -> None:
    result = CliRunner().invoke(nlu, ["parse"])
    assert result.exit_code == 2


def test_eval_prints_the_report(tmp_path: Path) -> None:
    src = tmp_path / "mini.jsonl"
    rows = [
        {"text": "xin chào", "intent": "greet", "procedure": None, "style": "short"},
        {
            "text": "khai sinh mất bao lâu",
            "intent": "ask_processing_time",
            "procedure": "birth_registration",
            "style": "standard",
        },
        {
            "text": "khai sinh mất bao lâu",
            "intent": "ask_fee",
            "procedure": "birth_registration",
            "style": "standard",
        },
    ]
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    result = CliRunner().invoke(nlu, ["eval", str(src), "--errors"])
    assert result.exit_code == 0, result.output
    assert "intent accuracy      66.67%" in result.output
    assert "procedure accuracy   100.00%" in result.output
    assert "ask_fee -> ask_processing_time: 1" in result.output
    assert "standard" in result.output and "short" in result.output


def test_eval_on_the_test_split_meets_the_targets() -> None:
    result = CliRunner().invoke(nlu, ["eval", str(TEST_DIR), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["examples"] >= 320
    assert report["intent_accuracy"] >= 0.95
    assert report["procedure_accuracy"] >= 0.95
    assert report["tracking_code_accuracy"] >= 0.95
    assert len(report["per_style"]) == 8
    for style, scores in report["per_style"].items():
        assert scores["intent_accuracy"] >= 0.90, style
        assert scores["procedure_accuracy"] >= 0.90, style


def test_train_fills_the_cache(nlu_cache: Path) -> None:
    result = CliRunner().invoke(nlu, ["train", "--force"])
    assert result.exit_code == 0, result.output
    assert "ready in" in result.output
    assert len(list(nlu_cache.glob("nlu/model-*.pkl"))) == 1
