"""The training files are valid Rasa 3.x NLU YAML, and the test split stays separate."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from nlu import INTENTS, PROCEDURES
from nlu.evaluation import read_examples
from nlu.training_data import (
    DATA_DIR,
    TEST_DIR,
    data_files,
    data_hash,
    load,
    strip_annotations,
)

ANNOTATION = re.compile(r"\[([^\]]+)\](\(([^)]*)\)|\{([^}]*)\})")
STYLES = {"standard", "no_diacritics", "typos", "dialect", "verbose", "short", "english", "speech"}


def _docs() -> list[dict[str, Any]]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in data_files(DATA_DIR)]


def test_rasa_shape() -> None:
    docs = _docs()
    assert docs
    intents: set[str] = set()
    for doc in docs:
        assert set(doc) == {"version", "nlu"}
        assert doc["version"] == "3.1"
        for item in doc["nlu"]:
            kinds = set(item) - {"examples"}
            assert len(kinds) == 1 and kinds <= {"intent", "synonym", "lookup", "regex"}
            block = item["examples"]
            assert isinstance(block, str)
            lines = [line for line in block.splitlines() if line.strip()]
            assert lines and all(line.startswith("- ") for line in lines)
            if "intent" in item:
                intents.add(item["intent"])
    assert intents == set(INTENTS)


def test_entity_annotations_are_well_formed() -> None:
    for doc in _docs():
        for item in doc["nlu"]:
            if "intent" not in item:
                continue
            for line in item["examples"].splitlines():
                for m in ANNOTATION.finditer(line):
                    if m.group(3) is not None:
                        assert m.group(3) in {"procedure", "tracking_code", "date"}
                    else:
                        spec = json.loads("{" + m.group(4) + "}")
                        assert spec["entity"] == "procedure"
                        assert spec["value"] in PROCEDURES
                assert "[" not in strip_annotations(line)


def test_synonyms_and_lookups_name_catalog_slugs() -> None:
    data = load()
    assert set(data.synonyms) == set(PROCEDURES)
    assert data.lookups["procedure"]


def test_generous_and_varied() -> None:
    data = load()
    assert len(data.examples) >= 1000
    counts = {i: sum(1 for _, x in data.examples if x == i) for i in INTENTS}
    assert min(counts.values()) >= 25
    assert len({t for t, _ in data.examples}) == len(data.examples)


def test_test_split_is_never_trained_on() -> None:
    rows = read_examples(TEST_DIR)
    train = {t.lower().strip() for t, _ in load().examples}
    assert not [r["text"] for r in rows if r["text"].lower().strip() in train]
    by_style: dict[str, int] = {}
    for row in rows:
        assert set(row) == {"text", "intent", "procedure", "tracking_code", "style"}
        assert row["intent"] in INTENTS
        assert row["procedure"] is None or row["procedure"] in PROCEDURES
        by_style[row["style"]] = by_style.get(row["style"], 0) + 1
    assert set(by_style) == STYLES
    assert min(by_style.values()) >= 40
    assert not list(Path(TEST_DIR).glob("*.yml"))


def test_held_out_folders_are_never_training_data(tmp_path: Path) -> None:
    """Nothing under blind/ or test/ reaches the examples or the model's data hash,
    even a .yml file in Rasa's format dropped there by mistake."""
    data = tmp_path / "data"
    data.mkdir()
    for path in data_files(DATA_DIR):
        (data / path.name).write_bytes(path.read_bytes())
    before_hash, before = data_hash(data), load(data).examples
    leak = "version: '3.1'\nnlu:\n- intent: greet\n  examples: |\n    - chào một câu mù\n"
    for held_out in ("blind", "test"):
        (data / held_out).mkdir()
        (data / held_out / "leak.yml").write_text(leak, encoding="utf-8")
        (data / held_out / "rows.jsonl").write_text('{"text": "chào một câu mù"}\n')
    assert all(held_out not in p.parts for p in data_files(data) for held_out in ("blind",))
    assert data_hash(data) == before_hash
    assert load(data).examples == before
    assert "chào một câu mù" not in {t for t, _ in load(data).examples}


def test_the_real_blind_set_is_outside_the_training_files() -> None:
    blind = (DATA_DIR / "blind").resolve()
    assert all(blind not in p.resolve().parents for p in data_files(DATA_DIR))
