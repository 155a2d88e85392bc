"""The `nlu` click group: parse, parse --jsonl, eval."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from nlu import cli as nlu_cli
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


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    path.mkdir(parents=True, exist_ok=True)
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
    (path / "mixed.jsonl").write_text(text + "\n")


_ROWS: list[dict[str, Any]] = [
    {"text": "xin chào", "intent": "greet", "procedure": None, "style": "short"},
    {"text": "khai sinh mất bao lâu", "intent": "ask_fee", "procedure": "birth_registration"},
]


def test_eval_without_a_path_shows_the_own_split_and_the_blind_set_side_by_side(
    tmp_path: Path, monkeypatch: Any
) -> None:
    blind = tmp_path / "blind"
    _write(blind, _ROWS)
    monkeypatch.setattr(nlu_cli, "BLIND_DIR", blind)
    result = CliRunner().invoke(nlu, ["eval", "--errors"])
    assert result.exit_code == 0, result.output
    head = result.output.splitlines()[0]
    assert "own split" in head and "blind set" in head
    assert "procedure, lines naming one" in result.output
    assert "no procedure, lines naming none" in result.output
    # The blind set's lines are never printed, only its aggregates.
    assert "khai sinh mất bao lâu" not in result.output
    assert "not listed for the blind set" in result.output


def test_eval_json_never_lists_blind_errors(tmp_path: Path, monkeypatch: Any) -> None:
    blind = tmp_path / "blind"
    _write(blind, _ROWS)
    monkeypatch.setattr(nlu_cli, "BLIND_DIR", blind)
    result = CliRunner().invoke(nlu, ["eval", str(blind), "--json", "--errors"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert "errors" not in report
    assert report["named_procedure_accuracy"] == 1.0
    assert report["no_procedure_rate"] == 1.0
