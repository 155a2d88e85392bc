"""Two-sided papers (a citizen ID card): front then back, one photo each."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from portal.catalog import load_catalog
from portal.catalog.schema import DocumentSpec

NAME = {"vi": "Thẻ căn cước (hai mặt)", "en": "Citizen ID card (both sides)"}


def test_two_sides_take_exactly_two_photos() -> None:
    card = DocumentSpec(code="id_card", name=NAME, min_files=2, max_files=2, sides=2)
    assert card.sides == 2
    with pytest.raises(ValidationError, match="two sides"):
        DocumentSpec(code="id_card", name=NAME, min_files=1, max_files=2, sides=2)
    with pytest.raises(ValidationError, match="min_files is above"):
        DocumentSpec(code="pages", name=NAME, min_files=3, max_files=2)


def test_every_card_named_both_sides_in_the_catalog_says_so() -> None:
    catalog = load_catalog()
    for proc in catalog:
        for doc in proc.documents:
            if "both sides" in doc.name.en:
                assert doc.sides == 2, (proc.slug, doc.code)
