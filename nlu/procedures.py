"""Which procedure a message is about: an alias lexicon over the folded, repaired words.

The words people use ("sao y", "giấy độc thân", "tiền già", "nhập hộ khẩu") are
aliases of the catalog slugs. Context words turn a civil-status document into the
procedure really meant ("làm lại giấy khai sinh" is an extract, "giấy khai sinh
ghi sai tên" a correction). Negated or corrected mentions ("không phải khai tử mà
là khai sinh") are dropped; the last mention left wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from rapidfuzz import fuzz, process

PROCEDURES: Final = (
    "birth_registration",
    "death_registration",
    "marriage_registration",
    "marital_status_certificate",
    "civil_status_extract",
    "civil_status_correction",
    "certified_copy",
    "signature_certification",
    "permanent_residence",
    "temporary_residence",
    "elderly_allowance",
    "household_business",
    "construction_permit",
)

# Folded aliases (no diacritics). Longer aliases win over shorter overlapping ones.
ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "birth_registration": (
        "khai sinh",
        "dang ky khai sinh",
        "giay khai sinh",
        "lam giay khai sinh",
        "khai sinh cho chau",
        "khai sinh cho con",
        "giay chung sinh",
        "chung sinh",
        "dang ky cho em be",
        "dang ky cho chau moi sinh",
        "birth registration",
        "birth certificate",
        "register a birth",
        "register the birth",
        "register my baby",
        "register our baby",
        "register my newborn",
        "newborn",
        "new baby",
        "gave birth",
        "give birth",
        "given birth",
        "register our son",
        "register our daughter",
        "register my son",
        "register my daughter",
        "register our child",
        "register my child",
        "birth",
    ),
    "death_registration": (
        "khai tu",
        "dang ky khai tu",
        "giay khai tu",
        "giay bao tu",
        "bao tu",
        "qua doi",
        "tu tran",
        "ta the",
        "mat di",
        "vua mat",
        "moi mat",
        "tu the",
        "death registration",
        "death certificate",
        "register a death",
        "register the death",
        "register his death",
        "register her death",
        "passed away",
        "died",
        "death",
    ),
    "marriage_registration": (
        "ket hon",
        "dang ky ket hon",
        "giay ket hon",
        "giay dang ky ket hon",
        "cuoi vo",
        "lay vo",
        "lay chong",
        "cuoi chong",
        "dam cuoi",
        "dang ky cuoi",
        "marriage registration",
        "marriage certificate",
        "register our marriage",
        "register a marriage",
        "register my marriage",
        "get married",
        "getting married",
        "marry",
        "married",
        "marriage",
        "wedding",
    ),
    "marital_status_certificate": (
        "tinh trang hon nhan",
        "xac nhan tinh trang hon nhan",
        "giay xac nhan tinh trang hon nhan",
        "giay doc than",
        "xac nhan doc than",
        "chung nhan doc than",
        "giay xac nhan doc than",
        "doc than",
        "marital status",
        "single status",
        "certificate of no impediment",
        "no impediment",
        "proof that i am single",
        "proof i am single",
        "certificate of single",
    ),
    "civil_status_extract": (
        "trich luc",
        "ban sao trich luc",
        "trich luc ho tich",
        "trich luc khai sinh",
        "trich luc ket hon",
        "trich luc khai tu",
        "ban sao giay khai sinh",
        "ban sao khai sinh",
        "ban sao giay ket hon",
        "ban sao ket hon",
        "ban sao giay khai tu",
        "ban sao ho tich",
        "civil status extract",
        "extract of",
        "copy of my birth certificate",
        "copy of the birth certificate",
        "copy of my marriage certificate",
        "replacement birth certificate",
    ),
    "civil_status_correction": (
        "cai chinh",
        "cai chinh ho tich",
        "thay doi ho tich",
        "bo sung ho tich",
        "bo sung thong tin ho tich",
        "sua thong tin ho tich",
        "thay doi thong tin ho tich",
        "sua ho tich",
        "correct my birth certificate",
        "correction of civil status",
        "civil status correction",
    ),
    "certified_copy": (
        "chung thuc",
        "chung thuc ban sao",
        "chung thuc ban sao tu ban chinh",
        "cong chung",
        "photo cong chung",
        "sao y",
        "sao y ban chinh",
        "ban sao cong chung",
        "ban sao chung thuc",
        "certified copy",
        "certified copies",
        "certify a copy",
        "certify copies",
        "certify my copies",
        "notarize",
        "notarise",
        "notarized",
        "notarizing",
        "notarization",
        "notarised",
        "notarising",
        "notarisation",
        "notary",
    ),
    "signature_certification": (
        "chung thuc chu ky",
        "xac nhan chu ky",
        "chung chu ky",
        "thi thuc chu ky",
        "chu ky",
        "signature certification",
        "certify my signature",
        "certify a signature",
        "certify signature",
        "signature",
    ),
    "permanent_residence": (
        "thuong tru",
        "dang ky thuong tru",
        "nhap ho khau",
        "tach ho khau",
        "chuyen ho khau",
        "nhap khau",
        "tach khau",
        "ho khau",
        "so ho khau",
        "permanent residence",
        "permanent residency",
        "household registration",
        "permanent address",
    ),
    "temporary_residence": (
        "tam tru",
        "dang ky tam tru",
        "khai bao tam tru",
        "temporary residence",
        "temporary residency",
        "register my stay",
        "temporary stay",
    ),
    "elderly_allowance": (
        "tien gia",
        "luong huu xa hoi",
        "huu tri xa hoi",
        "tro cap huu tri xa hoi",
        "tro cap xa hoi",
        "tro cap nguoi cao tuoi",
        "tro cap nguoi gia",
        "tro cap tuoi gia",
        "tien tro cap",
        "tro cap",
        "tro cap hang thang",
        "tien hang thang",
        "tien duong lao",
        "luong huu",
        "elderly allowance",
        "social pension",
        "old age allowance",
        "old age pension",
        "pension",
        "allowance",
    ),
    "household_business": (
        "ho kinh doanh",
        "dang ky kinh doanh",
        "dang ky ho kinh doanh",
        "giay phep kinh doanh",
        "mo quan",
        "mo tiem",
        "mo cua hang",
        "mo sap",
        "buon ban",
        "kinh doanh",
        "household business",
        "business license",
        "business licence",
        "register a business",
        "register my business",
        "open a shop",
        "small business",
    ),
    "construction_permit": (
        "giay phep xay dung",
        "phep xay dung",
        "xin phep xay",
        "xay nha",
        "sua nha",
        "xay dung nha",
        "xay dung lai",
        "coi noi",
        "xay them tang",
        "nang tang",
        "building permit",
        "construction permit",
        "build a house",
        "build my house",
        "renovate",
    ),
}

# A birth, death or marriage document named next to these words is an extract
# (a new copy) or a correction, not a new registration.
_CIVIL: Final = frozenset({"birth_registration", "death_registration", "marriage_registration"})
_EXTRACT_CUES: Final = (
    "ban sao",
    "trich luc",
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
_DOCUMENTS: Final = frozenset(
    {
        "marital_status_certificate",
        "civil_status_extract",
        "certified_copy",
        "signature_certification",
    }
)
_PURPOSE_BEFORE: Final = ("de", "de lam", "de con", "de chau", "to", "for", "phuc vu")
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
    fuzzy: bool = False


def _alias_index() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for slug, aliases in ALIASES.items():
        for alias in aliases:
            words = tuple(alias.split())
            index.setdefault(words[0], []).append((words, slug))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))
    return index


_INDEX: Final = _alias_index()
_FUZZY_ALIASES: Final = tuple(
    (alias, slug) for slug, aliases in ALIASES.items() for alias in aliases if len(alias) >= 9
)


def lexicon_words() -> set[str]:
    """Every word of every alias and cue, so that typo correction can aim at them."""
    words: set[str] = set()
    for group in (
        *ALIASES.values(),
        _EXTRACT_CUES,
        _CORRECTION_CUES,
        _NEGATION_BEFORE,
        _CORRECTION_AFTER,
    ):
        for phrase in group:
            words.update(phrase.split())
    return words


def _has_phrase(words: Sequence[str], lo: int, hi: int, phrases: Sequence[str]) -> bool:
    lo = max(lo, 0)
    window = " " + " ".join(words[lo:hi]) + " "
    return any(f" {p} " in window for p in phrases)


def find_mentions(words: Sequence[str], fuzzy: bool = True) -> list[Mention]:
    mentions: list[Mention] = []
    i = 0
    while i < len(words):
        for alias, slug in _INDEX.get(words[i], ()):
            if tuple(words[i : i + len(alias)]) == alias:
                mentions.append(Mention(slug, i, i + len(alias)))
                i += len(alias) - 1
                break
        i += 1
    if not mentions and fuzzy:
        mentions = _fuzzy_mentions(words)
    return mentions


def _fuzzy_mentions(words: Sequence[str]) -> list[Mention]:
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
    choices = [k for k, (alias, _) in enumerate(_FUZZY_ALIASES) if len(alias) <= len(text)]
    best = process.extractOne(
        text,
        [_FUZZY_ALIASES[k][0] for k in choices],
        scorer=fuzz.partial_ratio,
        score_cutoff=90,
    )
    if best is None:
        return []
    alias, slug = _FUZZY_ALIASES[choices[best[2]]]
    res = fuzz.partial_ratio_alignment(alias, text)
    if res is None:
        return []
    first = max(k for k, s in enumerate(starts) if s <= res.dest_start)
    last = max(k for k, s in enumerate(starts) if s < res.dest_end) + 1
    return [Mention(slug, first, last, fuzzy=True)]


def _refine(m: Mention, words: Sequence[str]) -> str:
    if m.slug not in _CIVIL:
        return m.slug
    if _has_phrase(words, m.first - 6, m.last + 12, _CORRECTION_CUES) or _has_phrase(
        words, 0, len(words), _STRONG_CORRECTION_CUES
    ):
        return "civil_status_correction"
    if _has_phrase(words, m.first - 5, m.last, _EXTRACT_CUES) or _has_phrase(
        words, m.last, m.last + 4, (*_EXTRACT_CUES, "mat roi")
    ):
        return "civil_status_extract"
    return m.slug


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


def _as_paper(m: Mention, words: Sequence[str]) -> bool:
    lo = _clause_start(words, m.first, 3)
    return _has_phrase(words, lo, m.first, _PAPER_BEFORE)


def resolve(words: Sequence[str], fuzzy: bool = True) -> tuple[Mention, str] | None:
    """The procedure meant: the last mention that is neither negated nor a mere purpose.

    `fuzzy` allows approximate matching; callers turn it off when every word is known.
    """
    mentions = find_mentions(words, fuzzy)
    if not mentions:
        return None
    kept: list[tuple[Mention, str]] = []
    for k, m in enumerate(mentions):
        nxt = mentions[k + 1].first if k + 1 < len(mentions) else len(words)
        if not _negated(m, words, nxt):
            kept.append((m, _refine(m, words)))
    if not kept:
        return None
    # "kết hôn có cần mang hộ khẩu không": a paper to bring is not the procedure asked for.
    papers: list[tuple[Mention, str]] = []
    for k, pair in enumerate(kept):
        gap = words[kept[k - 1][0].last : pair[0].first] if k else ()
        listed = bool(papers) and papers[-1] is kept[k - 1] and set(gap) <= _LIST_JOINERS
        if listed or _as_paper(pair[0], words):
            papers.append(pair)
    if papers and len(papers) < len(kept):
        kept = [pair for pair in kept if pair not in papers]
    # "giấy độc thân để kết hôn": a document asked for a purpose is what is meant.
    documents = [pair for pair in kept if pair[1] in _DOCUMENTS and not _purpose(pair[0], words)]
    if documents and any(_purpose(m, words) for m, _ in kept):
        return documents[-1]
    return kept[-1]
