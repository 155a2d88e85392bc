"""Find a procedure from the words people use: names, short names and aliases, in any
language, with or without diacritics, with typos."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from portal.catalog.schema import Procedure
from portal.catalog.text import fold

# Below this a hit is noise ("asdf" is not a procedure).
THRESHOLD = 0.6


@dataclass(frozen=True)
class SearchHit:
    procedure: Procedure
    score: float  # 0..1


class SearchIndex:
    def __init__(self, procedures: list[Procedure]) -> None:
        self._phrases: list[str] = []
        self._owners: list[int] = []
        self._procedures = procedures
        for index, proc in enumerate(procedures):
            names = [proc.name.vi, proc.name.en, *proc.aliases]
            if proc.short_name:
                names += [proc.short_name.vi, proc.short_name.en]
            for phrase in dict.fromkeys(fold(n) for n in names):
                if phrase:
                    self._phrases.append(phrase)
                    self._owners.append(index)

    def search(self, query: str, limit: int = 5) -> list[SearchHit]:
        folded = fold(query)
        if not folded:
            return []
        best: dict[int, float] = {}
        matches = process.extract(
            folded, self._phrases, scorer=_score, limit=None, score_cutoff=THRESHOLD * 100
        )
        for _phrase, score, at in matches:
            owner = self._owners[at]
            best[owner] = max(best.get(owner, 0.0), score / 100)
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        return [SearchHit(self._procedures[i], round(s, 3)) for i, s in ranked[:limit]]


def _score(query: str, phrase: str, **_: object) -> float:
    """An exact phrase wins; then the phrase inside a longer query ("lam giay khai sinh
    cho chau"); then typo-tolerant similarity of the whole."""
    if query == phrase:
        return 100.0
    if f" {phrase} " in f" {query} ":
        return 95.0 - min(10.0, (len(query) - len(phrase)) / 10)
    ratio = fuzz.ratio(query, phrase)
    partial = fuzz.partial_ratio(phrase, query) if len(phrase) >= 5 else 0.0
    tokens = fuzz.token_set_ratio(query, phrase)
    return max(ratio, partial * 0.9, tokens * 0.85)
