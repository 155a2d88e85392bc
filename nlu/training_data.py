"""Reading the Rasa NLU YAML training files (version "3.1") under nlu/data/."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import yaml

DATA_DIR: Final = Path(__file__).resolve().parent / "data"
TEST_DIR: Final = DATA_DIR / "test"
# Written by an author who never read the training data; evaluated, never trained on.
BLIND_DIR: Final = DATA_DIR / "blind"
# Sub-folders of a data folder that hold evaluation sets: never training data, even if
# a .yml file lands there.
HELD_OUT: Final = frozenset({TEST_DIR.name, BLIND_DIR.name})

# [surface](entity) or [surface]{"entity": ..., "value": ...}
_ANNOTATION_RE: Final = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass
class TrainingData:
    examples: list[tuple[str, str]] = field(default_factory=list)  # (text, intent)
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    lookups: dict[str, list[str]] = field(default_factory=dict)


def strip_annotations(example: str) -> str:
    """The plain text of an annotated example: "[khai sanh](procedure)" -> "khai sanh"."""
    return _ANNOTATION_RE.sub(lambda m: m.group(1), example)


def _items(block: str) -> list[str]:
    return [
        line.strip()[2:].strip() for line in block.splitlines() if line.strip().startswith("- ")
    ]


def data_files(data_dir: Path = DATA_DIR) -> list[Path]:
    """The training files: *.yml directly in `data_dir`, never under a held-out folder."""
    return sorted(
        p
        for p in data_dir.glob("*.yml")
        if p.is_file() and not HELD_OUT & set(p.relative_to(data_dir).parts[:-1])
    )


def data_hash(data_dir: Path = DATA_DIR) -> str:
    digest = hashlib.sha256()
    for path in data_files(data_dir):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load(data_dir: Path = DATA_DIR) -> TrainingData:
    data = TrainingData()
    for path in data_files(data_dir):
        doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in doc.get("nlu", []) or []:
            block = item.get("examples", "")
            if "intent" in item:
                data.examples.extend(
                    (strip_annotations(text), item["intent"]) for text in _items(block)
                )
            elif "synonym" in item:
                data.synonyms.setdefault(item["synonym"], []).extend(_items(block))
            elif "lookup" in item:
                data.lookups.setdefault(item["lookup"], []).extend(_items(block))
    return data
