from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nlu.engine import EmbeddedNLU
from nlu.training_data import load


@pytest.fixture(scope="session", autouse=True)
def nlu_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep trained models out of the user's cache folder while testing."""
    path = tmp_path_factory.mktemp("nlu-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MOTCUA_CACHE_DIR", str(path))
        yield path


@pytest.fixture(scope="session")
def engine(nlu_cache: Path) -> EmbeddedNLU:
    return EmbeddedNLU(cache_dir=nlu_cache)


@pytest.fixture(scope="session")
def training_texts() -> set[str]:
    return {text.lower().strip() for text, _ in load().examples}
