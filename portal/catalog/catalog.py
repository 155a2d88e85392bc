"""The loaded catalog: procedures by slug, in a stable order, searchable."""

from __future__ import annotations

from collections.abc import Iterable

from portal.catalog.schema import Procedure
from portal.catalog.search import SearchHit, SearchIndex

CATEGORY_ORDER = (
    "civil_status",
    "certification",
    "residence",
    "social",
    "business",
    "construction",
)


class Catalog:
    def __init__(self, procedures: Iterable[Procedure]) -> None:
        ordered = sorted(procedures, key=lambda p: (CATEGORY_ORDER.index(p.category), p.slug))
        self._by_slug = {p.slug: p for p in ordered}
        self._index = SearchIndex(ordered)

    @property
    def procedures(self) -> list[Procedure]:
        return list(self._by_slug.values())

    def get(self, slug: str) -> Procedure:
        return self._by_slug[slug]

    def __contains__(self, slug: object) -> bool:
        return slug in self._by_slug

    def __len__(self) -> int:
        return len(self._by_slug)

    def search(self, query: str, limit: int = 5) -> list[SearchHit]:
        return self._index.search(query, limit)
