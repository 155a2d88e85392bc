"""Find a procedure from the words people use: names, short names and aliases, in
Vietnamese or English, with or without diacritics, with typos and in any word order.

Scores run from 0 to 1 and rank in bands, so that a better kind of match always wins
over a fuzzier one:

- 1.0          the query is a name or alias ("cong chung")
- 0.90 .. 1.0  a name or alias appears whole in a longer query ("lam giay khai sinh
               cho chau"); the more of the query it covers, the higher
- 0.75 .. 0.90 the query is a whole part of a longer alias ("ho khau")
- up to 0.85   similar spelling or word order ("khais sinh", "tru tam dang ky")

Hits scoring below ``MIN_SCORE`` are noise and never returned ("asdf", "thoi tiet").
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from portal.catalog.schema import Procedure
from portal.catalog.text import fold

MIN_SCORE = 0.7
# A query part this short only counts when it is a whole word of an alias.
_MIN_PART = 4
# Fuzzy matches stay below whole-word matches.
_FUZZY_WEIGHT = 0.85


@dataclass(frozen=True)
class SearchHit:
    procedure: Procedure
    score: float  # 0..1


def phrases(procedure: Procedure) -> list[str]:
    """The folded names and aliases a procedure is found by, without repeats."""
    texts = [procedure.name.vi, procedure.name.en, *procedure.aliases]
    if procedure.short_name:
        texts += [procedure.short_name.vi, procedure.short_name.en]
    return [p for p in dict.fromkeys(fold(t) for t in texts) if p]


def score(query: str, phrase: str) -> float:
    """How well a folded query matches one folded phrase, 0..1 (see the module doc)."""
    if query == phrase:
        return 1.0
    padded_query, padded_phrase = f" {query} ", f" {phrase} "
    if padded_phrase in padded_query:
        return 0.9 + 0.1 * len(phrase) / len(query)
    if len(query) >= _MIN_PART and padded_query in padded_phrase:
        return 0.75 + 0.15 * len(query) / len(phrase)
    similar = max(fuzz.ratio(query, phrase), fuzz.token_sort_ratio(query, phrase)) / 100
    if len(phrase) >= 6 and len(phrase) < len(query):
        # A misspelt alias inside a longer query ("lam giays khai sinh cho chau"):
        # best alignment of the alias in the query, worth less when it covers little.
        inside = fuzz.partial_ratio(phrase, query) / 100
        similar = max(similar, inside * (0.9 + 0.1 * len(phrase) / len(query)))
    return _FUZZY_WEIGHT * similar


class SearchIndex:
    def __init__(self, procedures: list[Procedure]) -> None:
        self._entries = [(proc, phrases(proc)) for proc in procedures]

    def search(self, query: str, limit: int = 5) -> list[SearchHit]:
        folded = fold(query)
        if not folded or limit <= 0:
            return []
        hits = []
        for order, (proc, names) in enumerate(self._entries):
            best = max(score(folded, name) for name in names)
            if best >= MIN_SCORE:
                hits.append((best, order, proc))
        hits.sort(key=lambda hit: (-hit[0], hit[1]))
        return [SearchHit(proc, round(best, 3)) for best, _, proc in hits[:limit]]
