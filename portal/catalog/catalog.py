"""The loaded catalog: procedures by slug, in a stable order, searchable."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from portal.catalog.schema import Procedure
from portal.catalog.search import SearchHit, SearchIndex

# The order procedures are listed in (menus, the API), then by slug within a category.
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
        """Every procedure, ordered by category then slug."""
        return list(self._by_slug.values())

    def get(self, slug: str) -> Procedure:
        """The procedure with this slug; KeyError if there is none."""
        try:
            return self._by_slug[slug]
        except KeyError:
            raise KeyError(f"no procedure {slug!r} in the catalog") from None

    def __contains__(self, slug: object) -> bool:
        return slug in self._by_slug

    def __len__(self) -> int:
        return len(self._by_slug)

    def __iter__(self) -> Iterator[Procedure]:
        return iter(self._by_slug.values())

    def search(self, query: str, limit: int = 5) -> list[SearchHit]:
        """The best matches for words a person typed, best first (see `search`)."""
        return self._index.search(query, limit)
