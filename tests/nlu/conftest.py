from __future__ import annotations

from pathlib import Path

import pytest

from nlu.engine import EmbeddedNLU
from nlu.training_data import load


@pytest.fixture(scope="session")
def nlu_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("nlu-cache")


@pytest.fixture(scope="session")
def engine(nlu_cache: Path) -> EmbeddedNLU:
    return EmbeddedNLU(cache_dir=nlu_cache)


@pytest.fixture(scope="session")
def training_texts() -> set[str]:
    return {text.lower().strip() for text, _ in load().examples}
