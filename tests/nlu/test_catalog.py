"""The NLU's procedures come from the catalog folder: a new one needs data only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nlu import EmbeddedNLU
from nlu.catalog import NLU_FOLDER, catalog_dir, read_catalog

NEW_PROCEDURE = """\
slug: signboard_permit
name: {vi: "Cấp phép treo biển hiệu quảng cáo", en: "Signboard permit"}
short_name: {vi: "Phép treo biển hiệu", en: "Signboard permit"}
category: business
aliases:
  - biển hiệu quảng cáo
  - treo bảng hiệu
  - signboard
"""
NEW_NLU_WORDS = """\
aliases:
  - treo biển
"""


@pytest.fixture(scope="module")
def fourteen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("catalog")
    shutil.copytree(catalog_dir(), folder, dirs_exist_ok=True)
    (folder / "signboard_permit.yml").write_text(NEW_PROCEDURE, encoding="utf-8")
    (folder / NLU_FOLDER / "signboard_permit.yml").write_text(NEW_NLU_WORDS, encoding="utf-8")
    return folder


def _procedure(engine: EmbeddedNLU, text: str) -> str | None:
    values = [e["value"] for e in engine.parse(text)["entities"] if e["entity"] == "procedure"]
    return values[-1] if values else None


def test_slugs_names_and_categories_come_from_the_catalog() -> None:
    procedures = read_catalog()
    assert len(procedures) == 13
    by_slug = {p.slug: p for p in procedures}
    assert by_slug["certified_copy"].category == "certification"
    assert "chung thuc ban sao" in by_slug["certified_copy"].aliases  # the catalog's short name
    assert "sao y" in by_slug["certified_copy"].aliases  # a catalog alias, folded
    assert "giay chung sinh" in by_slug["birth_registration"].aliases  # an NLU-only alias
    assert by_slug["birth_registration"].extract == "civil_status_extract"
    assert "cuoi" not in by_slug["marriage_registration"].aliases  # ignored: "cuối", "cười"


def test_a_fourteenth_procedure_in_the_catalog_is_recognised_with_no_code_change(
    fourteen: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CATALOG_DIR", str(fourteen))  # the portal's setting
    engine = EmbeddedNLU(cache_dir=tmp_path)
    assert "signboard_permit" in engine.lexicon.slugs
    for text in (
        "tôi muốn xin phép treo bảng hiệu cho quán",
        "cap phep treo bien hieu quang cao mat bao lau",
        "how do I get a signboard permit",
        "làm sao để treo biển trước nhà",
    ):
        assert _procedure(engine, text) == "signboard_permit", text
    result = engine.parse("tôi muốn làm thủ tục cấp phép treo biển hiệu quảng cáo")
    assert result["intent"]["name"] == "start_procedure"
    assert _procedure(engine, "làm giấy khai sinh cho cháu") == "birth_registration"


def test_the_shipped_catalog_does_not_know_it(engine: EmbeddedNLU) -> None:
    assert "signboard_permit" not in engine.lexicon.slugs
    assert _procedure(engine, "tôi muốn xin phép treo bảng hiệu cho quán") is None
