"""Which procedure a message is about: an alias lexicon over the folded, repaired words.

The slugs and the words people use ("sao y", "giấy độc thân", "tiền già", "nhập hộ
khẩu") come from the catalog (`nlu.catalog`): nothing here names a procedure. Context
words turn an event's paper into the procedure really meant ("làm lại giấy khai sinh"
is an extract, "giấy khai sinh ghi sai tên" a correction). Negated or corrected
mentions ("không phải khai tử mà là khai sinh") are dropped; the others are ranked by
role: the object of a request verb first, a purpose or context ("để", "cho", "nộp
kèm") or a paper to bring last, an exact mention before one found through a repaired
word or a sound-alike, then the later one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

from rapidfuzz import fuzz, process

from nlu.catalog import ProcedureWords, catalog_dir, read_catalog

# A birth, death or marriage document named next to these words is an extract
# (a new copy) or a correction, not a new registration.
_EXTRACT_CUES: Final = (
    "ban sao",
    "trich luc",
    "trich",
    "cap lai",
    "lam lai",
    "xin lai",
    "in lai",
    "bi mat",
    "lam mat",
    "danh mat",
    "that lac",
    "mat giay",
    "mat cai giay",
    "bi rach",
    "copy",
    "copies",
    "extract",
    "lost",
    "replacement",
    "replace",
    "another",
)
_CORRECTION_CUES: Final = (
    "sua",
    "sai",
    "cai chinh",
    "bo sung",
    "doi ten",
    "thay doi",
    "nham ten",
    "nham ngay",
    "ghi nham",
    "viet nham",
    "ghi lon",
    "viet lon",
    "correct",
    "correction",
    "wrong",
    "mistake",
    "misspelled",
    "error",
    "fix",
    "change the name",
)
_STRONG_CORRECTION_CUES: Final = (
    "sua lai",
    "cai chinh",
    "ghi sai",
    "viet sai",
    "bi sai",
    "sai ten",
    "sai ngay",
    "sai nam",
    "sua cho dung",
)
_NEGATION_BEFORE: Final = (
    "khong phai",
    "chang phai",
    "dau phai",
    "khong phai la",
    "khong lam",
    "khong muon",
    "khong can",
    "khong xin",
    "khong hoi",
    "chu khong phai",
    "not",
    "dont",
    "don t",
    "do not",
    "isn t",
    "isnt",
    "not for",
    "instead of",
    "rather than",
    "no longer",
)
_CORRECTION_AFTER: Final = (
    "a nham",
    "nham",
    "nham roi",
    "lon",
    "noi lon",
    "a khong",
    "a khong phai",
    "khong phai",
    "khong dung",
    "i mean",
    "sorry",
    "no wait",
    "oh no",
    "y la",
    "y toi la",
)
_PURPOSE_BEFORE: Final = ("de", "de lam", "de con", "de chau", "to", "for", "phuc vu")
# The word just before a mention (fillers skipped) that makes it a purpose or a context:
# "trích lục kết hôn [để nộp kèm hồ sơ] đăng ký thường trú".
_CONTEXT_JUST_BEFORE: Final = frozenset(
    {"de", "cho", "kem", "vao", "phuc", "vu", "dung", "to", "for", "with", "theo", "sau", "truoc"}
)
# Words between a verb and its object that say nothing of the role.
_FILLERS: Final = frozenset(
    {
        "ho",
        "so",
        "thu",
        "tuc",
        "viec",
        "lam",
        "giay",
        "cai",
        "cua",
        "di",
        "nop",
        "the",
        "a",
        "an",
        "my",
        "cac",
        "nhung",
        "mot",
        "phai",
        "duoc",
        "luon",
    }
)
# Request verbs: the mention right after one (fillers skipped) is what is asked for.
_REQUEST_JUST_BEFORE: Final = frozenset(
    {
        "xin",
        "muon",
        "can",
        "hoi",
        "ve",
        "cap",
        "register",
        "need",
        "want",
        "apply",
        "get",
        "about",
        "huong",
        "dan",
        "chi",
        "giup",
        "ky",
    }
)
_PAPER_BEFORE: Final = (
    "mang",
    "mang theo",
    "co can",
    "can co",
    "phai co",
    "kem theo",
    "nop kem",
    "ban goc",
    "bring",
    "provide",
)
_LIST_JOINERS: Final = frozenset({"va", "voi", "hoac", "cung", "and", "or"})
_CLAUSE_BREAKS: Final = frozenset({"ma", "but", "chu", "roi", "con"})


@dataclass(frozen=True, slots=True)
class Mention:
    slug: str
    first: int  # index of the first word
    last: int  # index after the last word
    fuzzy: bool = False  # found approximately (run-together words, a sound-alike)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A procedure the message may mean, with how strongly (0..1)."""

    mention: Mention
    slug: str
    score: float


# Role scores; a fuzzy or repaired mention loses _FUZZY_PENALTY.
_OBJECT: Final = 1.0
_PLAIN: Final = 0.9
_CONTEXT: Final = 0.5
_PAPER: Final = 0.45
_FUZZY_PENALTY: Final = 0.15
_LATER_BONUS: Final = 0.01  # per mention: among equals the later one wins


def sound_key(word: str) -> str:
    """A folded word's sound, so that spellings a listener or speech-to-text confuses
    meet: s/x, ch/tr, d/gi/r, c/k/q, final t/c, final n/ng/nh, i/y."""
    w = word
    for a, b in (("ngh", "ng"), ("gh", "g"), ("tr", "ch"), ("gi", "d"), ("qu", "kw")):
        if w.startswith(a):
            w = b + w[len(a) :]
            break
    if w[:1] in ("x", "r"):
        w = ("s" if w[0] == "x" else "d") + w[1:]
    elif w[:1] in ("c", "q"):
        w = "k" + w[1:]
    for a, b in (("nh", "n"), ("ng", "n"), ("ch", "t"), ("c", "t"), ("y", "i")):
        if len(w) > len(a) + 1 and w.endswith(a):
            w = w[: -len(a)] + b
            break
    return w


class Lexicon:
    """The catalog's procedures as an alias index; `resolve` picks the one meant."""

    def __init__(self, procedures: Sequence[ProcedureWords]) -> None:
        self.procedures = tuple(procedures)
        self.slugs = tuple(p.slug for p in self.procedures)
        self.aliases: dict[str, tuple[str, ...]] = {p.slug: p.aliases for p in self.procedures}
        self._extract = {p.slug: p.extract for p in self.procedures if p.extract}
        self._correction = {p.slug: p.correction for p in self.procedures if p.correction}
        self._documents = frozenset(p.slug for p in self.procedures if p.document)
        self._takes_paper = frozenset(p.slug for p in self.procedures if p.takes_paper)
        self._index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self._sound_index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for p in self.procedures:
            for alias in p.aliases:
                words = tuple(alias.split())
                self._index.setdefault(words[0], []).append((words, p.slug))
                if len(words) >= 2:  # one sound-alike word alone is too weak a sign
                    keys = tuple(sound_key(w) for w in words)
                    self._sound_index.setdefault(keys[0], []).append((keys, p.slug))
        for index in (self._index, self._sound_index):
            for entries in index.values():
                entries.sort(key=lambda e: -len(e[0]))
        # "chung thu", "thuong tu", "ket hn": an alias word typed with one letter missing.
        self._missing_letter: dict[str, set[str]] = {}
        for alias_words, _ in (e for entries in self._index.values() for e in entries):
            for word in alias_words:
                if len(word) >= 3 and word.isalpha():
                    for k in range(len(word)):
                        self._missing_letter.setdefault(word[:k] + word[k + 1 :], set()).add(word)
        self._fuzzy_aliases = tuple(
            (alias, p.slug) for p in self.procedures for alias in p.aliases if len(alias) >= 9
        )

    def words(self) -> set[str]:
        """Every word of every alias and cue, so that typo correction can aim at them."""
        words: set[str] = set()
        for group in (
            *self.aliases.values(),
            _EXTRACT_CUES,
            _CORRECTION_CUES,
            _NEGATION_BEFORE,
            _CORRECTION_AFTER,
        ):
            for phrase in group:
                words.update(phrase.split())
        return words

    def find_mentions(
        self, words: Sequence[str], fuzzy: bool = True, repaired: Sequence[bool] = ()
    ) -> list[Mention]:
        """Exact alias matches (a match through a repaired word counts as fuzzy); when none,
        sound-alike matches; when none and `fuzzy`, approximate ones."""
        mentions = self._match(words, self._index, repaired)
        if not mentions:
            keys = [sound_key(w) for w in words]
            mentions = [
                Mention(m.slug, m.first, m.last, fuzzy=True)
                for m in self._match(keys, self._sound_index, ())
            ]
        if not mentions:
            mentions = self._missing_letter_mentions(words)
        if not mentions and fuzzy:
            mentions = self._fuzzy_mentions(words)
        return mentions

    def _missing_letter_mentions(self, words: Sequence[str]) -> list[Mention]:
        """Aliases of two words or more with exactly one word missing a letter."""
        options = [{w} | self._missing_letter.get(w, set()) for w in words]
        if all(len(o) == 1 for o in options):
            return []
        mentions: list[Mention] = []
        i = 0
        while i < len(words):
            found = None
            for first in options[i]:
                for alias, slug in self._index.get(first, ()):
                    n = len(alias)
                    if n < 2 or i + n > len(words):
                        continue
                    same = [alias[j] for j in range(n) if alias[j] == words[i + j]]
                    # The intact words must say enough: "ở tổ" is not "ở trọ".
                    if (
                        len(same) == n - 1
                        and sum(map(len, same)) >= 4
                        and all(alias[j] in options[i + j] for j in range(n))
                    ):
                        found = Mention(slug, i, i + n, fuzzy=True)
                        break
                if found:
                    break
            if found:
                mentions.append(found)
                i = found.last
            else:
                i += 1
        return mentions

    @staticmethod
    def _match(
        words: Sequence[str],
        index: dict[str, list[tuple[tuple[str, ...], str]]],
        repaired: Sequence[bool],
    ) -> list[Mention]:
        mentions: list[Mention] = []
        i = 0
        while i < len(words):
            for alias, slug in index.get(words[i], ()):
                if tuple(words[i : i + len(alias)]) == alias:
                    was_repaired = any(repaired[i : i + len(alias)])
                    mentions.append(Mention(slug, i, i + len(alias), fuzzy=was_repaired))
                    i += len(alias) - 1
                    break
            i += 1
        return mentions

    def _fuzzy_mentions(self, words: Sequence[str]) -> list[Mention]:
        """Typos that word-level correction could not fix ("khaisinh", "dang kis ket hon")."""
        text = " ".join(words)
        if len(text) < 6:
            return []
        starts = []
        pos = 0
        for w in words:
            starts.append(pos)
            pos += len(w) + 1
        # partial_ratio aligns the shorter string inside the longer one; a message
        # shorter than an alias would be matched inside the alias instead.
        choices = [k for k, (alias, _) in enumerate(self._fuzzy_aliases) if len(alias) <= len(text)]
        best = process.extractOne(
            text,
            [self._fuzzy_aliases[k][0] for k in choices],
            scorer=fuzz.partial_ratio,
            score_cutoff=90,
        )
        if best is None:
            return []
        alias, slug = self._fuzzy_aliases[choices[best[2]]]
        res = fuzz.partial_ratio_alignment(alias, text)
        if res is None:
            return []
        first = max(k for k, s in enumerate(starts) if s <= res.dest_start)
        last = max(k for k, s in enumerate(starts) if s < res.dest_end) + 1
        return [Mention(slug, first, last, fuzzy=True)]

    def _refine(self, m: Mention, words: Sequence[str]) -> str:
        correction = self._correction.get(m.slug)
        extract = self._extract.get(m.slug)
        if correction and (
            _has_phrase(words, m.first - 6, m.last + 12, _CORRECTION_CUES)
            or _has_phrase(words, 0, len(words), _STRONG_CORRECTION_CUES)
        ):
            return correction
        if extract and (
            _has_phrase(words, m.first - 5, m.last, _EXTRACT_CUES)
            or _has_phrase(words, m.last, m.last + 4, (*_EXTRACT_CUES, "mat roi"))
        ):
            return extract
        return m.slug

    def rank(
        self, words: Sequence[str], fuzzy: bool = True, repaired: Sequence[bool] = ()
    ) -> list[Candidate]:
        """The procedures the message may mean, best first, one entry per slug."""
        mentions = self.find_mentions(words, fuzzy, repaired)
        if not mentions:
            return []
        kept: list[tuple[Mention, str]] = []
        for k, m in enumerate(mentions):
            nxt = mentions[k + 1].first if k + 1 < len(mentions) else len(words)
            if not _negated(m, words, nxt):
                kept.append((m, self._refine(m, words)))
        if not kept:
            return []
        # Exact beats fuzzy: a repaired word or a sound-alike never outranks an exact name.
        if any(not m.fuzzy for m, _ in kept):
            kept = [pair for pair in kept if not pair[0].fuzzy]
        # "kết hôn có cần mang hộ khẩu không": a paper to bring is not the procedure asked for.
        papers: list[tuple[Mention, str]] = []
        for k, pair in enumerate(kept):
            gap = words[kept[k - 1][0].last : pair[0].first] if k else ()
            listed = bool(papers) and papers[-1] is kept[k - 1] and set(gap) <= _LIST_JOINERS
            # "công chứng giấy khai sinh": the paper a copy or a signature is made of.
            acted_on = (
                k > 0
                and kept[k - 1][1] in self._takes_paper
                and len(gap) <= 3
                and set(gap) <= _FILLERS | {"ban", "sao", "so", "to"}
            )
            if listed or acted_on or _as_paper(pair[0], words):
                papers.append(pair)
        if len(papers) == len(kept):
            papers = []
        # "giấy độc thân để kết hôn": a document asked for a purpose is what is meant.
        purposes = {id(m) for m, _ in kept if _purpose(m, words) or _context(m, words)}
        documents_first = any(
            slug in self._documents and id(m) not in purposes for m, slug in kept
        ) and bool(purposes)
        best: dict[str, Candidate] = {}
        for k, (m, slug) in enumerate(kept):
            if any(m is p for p, _ in papers):
                score = _PAPER
            elif id(m) in purposes:
                score = _CONTEXT
            elif _object_of_request(m, words):
                score = _OBJECT
            else:
                score = _PLAIN
            if documents_first and slug in self._documents and id(m) not in purposes:
                score = _OBJECT
            if m.fuzzy:
                score -= _FUZZY_PENALTY
            score += _LATER_BONUS * k
            if slug not in best or best[slug].score < score:
                best[slug] = Candidate(m, slug, score)
        ranked = sorted(best.values(), key=lambda c: -c.score)
        return [Candidate(c.mention, c.slug, round(min(c.score, 1.0), 4)) for c in ranked]

    def resolve(
        self, words: Sequence[str], fuzzy: bool = True, repaired: Sequence[bool] = ()
    ) -> tuple[Mention, str] | None:
        """The procedure meant (its mention and slug), or None.

        `fuzzy` allows approximate matching; callers turn it off when every word is known.
        """
        ranked = self.rank(words, fuzzy, repaired)
        return (ranked[0].mention, ranked[0].slug) if ranked else None


def _has_phrase(words: Sequence[str], lo: int, hi: int, phrases: Sequence[str]) -> bool:
    lo = max(lo, 0)
    window = " " + " ".join(words[lo:hi]) + " "
    return any(f" {p} " in window for p in phrases)


def _clause_start(words: Sequence[str], idx: int, limit: int) -> int:
    lo = max(idx - limit, 0)
    for k in range(idx - 1, lo - 1, -1):
        if words[k] in _CLAUSE_BREAKS:
            return k + 1
    return lo


def _negated(m: Mention, words: Sequence[str], nxt: int) -> bool:
    lo = _clause_start(words, m.first, 4)
    if _has_phrase(words, lo, m.first, _NEGATION_BEFORE):
        return True
    hi = min(m.last + 3, nxt)
    # "kết hôn chứ không phải ...": what follows "chứ" is denied, not this mention.
    if m.last < len(words) and words[m.last] == "chu":
        return False
    return _has_phrase(words, m.last, hi, _CORRECTION_AFTER)


def _purpose(m: Mention, words: Sequence[str]) -> bool:
    lo = _clause_start(words, m.first, 5)
    return _has_phrase(words, lo, m.first, _PURPOSE_BEFORE)


def _word_before(m: Mention, words: Sequence[str]) -> str:
    """The nearest word before the mention that is not a filler ("hồ sơ", "thủ tục")."""
    k = m.first - 1
    while k >= 0 and words[k] in _FILLERS and m.first - k <= 4:
        k -= 1
    return words[k] if k >= 0 else ""


def _context(m: Mention, words: Sequence[str]) -> bool:
    before = _word_before(m, words)
    if before == "cho" and m.first >= 1 and words[m.first - 1] in ("hoi", "toi", "em", "tui"):
        return False  # "cho hỏi khai sinh": a request, not a purpose
    return before in _CONTEXT_JUST_BEFORE


def _object_of_request(m: Mention, words: Sequence[str]) -> bool:
    return _word_before(m, words) in _REQUEST_JUST_BEFORE


def _as_paper(m: Mention, words: Sequence[str]) -> bool:
    lo = _clause_start(words, m.first, 3)
    return _has_phrase(words, lo, m.first, _PAPER_BEFORE)


@lru_cache(maxsize=8)
def lexicon_for(folder: Path | None = None) -> Lexicon:
    """The lexicon of a catalog folder (default: `CATALOG_DIR` or the shipped catalog)."""
    return Lexicon(read_catalog(folder))


def default_lexicon() -> Lexicon:
    return lexicon_for(catalog_dir())
