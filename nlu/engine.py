"""The embedded engine: normalisation, intent classifier, entity extractors, Rasa-shaped output."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from nlu import numbers, tracking
from nlu.catalog import catalog_dir, catalog_hash
from nlu.classifier import IntentClassifier
from nlu.normalize import (
    ABBREVIATIONS,
    DIALECT_ACCENTED,
    DIALECT_FOLDED,
    TOKEN_RE,
    Normalized,
    fold,
    normalize,
    telex_candidates,
    tone_canonical,
)
from nlu.procedures import Candidate, Lexicon, lexicon_for
from nlu.training_data import DATA_DIR, data_hash, load

log = logging.getLogger(__name__)

RANKING_SIZE: Final = 10
# Bump when the features or the model change, so stale cached artifacts are ignored.
ENGINE_VERSION: Final = "2"
# Placeholders that stand for an entity's text in the classifier input, so that
# "PX-2026-7Q4K9M" and "PX 2026 ABCDEF" look the same to it.
_PLACEHOLDERS: Final = {
    "tracking_code": "matracuu",
    "phone": "sodienthoai",
    "citizen_id": "socancuoc",
    "date": "ngaythang",
    "procedure": "thutuc",
}


_CLAUSE_MARKS: Final = ",.;:!?\n"
# Words that make a clause the request in a long message ("..., cháu chỉ bác cách đăng ký
# thường trú cho ..."): a verb of asking or wanting, or a question word.
_REQUEST_WORDS: Final = frozenset(
    {
        "muon",
        "can",
        "xin",
        "hoi",
        "chi",
        "giup",
        "huong",
        "lam",
        "sao",
        "nao",
        "gi",
        "bao",
        "nhieu",
        "lau",
        "may",
        "khong",
        "chua",
        "ko",
        "k",
        "dang",
        "ky",
        "nho",
        "want",
        "need",
        "how",
        "what",
        "when",
        "where",
        "please",
        "help",
        "ung",
        "mo",
        "rang",
        "ri",
        "huy",
        "dong",
        "tra",
        "thanh",
        "toan",
    }
)
# The street and place names of Hue (nlu/data/lexicon/): never repaired, never a procedure.
GAZETTEER: Final = DATA_DIR / "lexicon" / "hue_streets.txt"


def default_cache_dir() -> Path:
    env = os.environ.get("MOTCUA_CACHE_DIR")
    base = Path(env) if env else Path.home() / ".cache" / "motcua"
    return base / "nlu"


class _Corrector:
    """Maps an unknown folded word to a known one: Telex leftovers first, then one typo."""

    def __init__(self, vocabulary: set[str]) -> None:
        self.vocabulary = vocabulary
        self._choices = sorted(w for w in vocabulary if len(w) >= 3 and not w.isdigit())
        self._cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        if word in self.vocabulary or len(word) <= 2 or not word.isalpha():
            return word
        hit = self._cache.get(word)
        if hit is None:
            hit = self._lookup(word)
            if len(self._cache) < 50_000:
                self._cache[word] = hit
        return hit

    def _lookup(self, word: str) -> str:
        for candidate in telex_candidates(word):
            if candidate in self.vocabulary:
                return candidate
        if len(word) < 4:
            return word
        max_dist = 1 if len(word) < 8 else 2
        found = process.extract(
            word, self._choices, scorer=Levenshtein.distance, score_cutoff=max_dist, limit=20
        )
        if not found:
            return word
        best = min(d for _, d, _ in found)
        # Among equally close words prefer the longest shared beginning: Vietnamese
        # typos hit the end of a syllable more often (ng/nh, c/t), "ching" -> "chinh".
        tied = [str(w) for w, d, _ in found if d == best]
        return max(tied, key=lambda w: (_common_prefix(w, word), w == min(tied)))


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _read_gazetteer(path: Path = GAZETTEER) -> frozenset[tuple[str, ...]]:
    names: set[tuple[str, ...]] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words = tuple(TOKEN_RE.findall(fold(line.lower())))
            if len(words) >= 2:  # one word alone is too often a common word
                names.add(words)
    return frozenset(names)


Model = tuple[IntentClassifier, set[str], Lexicon, frozenset[tuple[str, ...]]]


class EmbeddedNLU:
    """Understands a message offline; trains from nlu/data at start-up or loads the cache.

    The procedures come from the catalog folder (`catalog_folder`, else `CATALOG_DIR`,
    else the shipped catalog): a procedure added there is recognised with no code change.
    """

    def __init__(
        self,
        data_dir: Path = DATA_DIR,
        cache_dir: Path | str | None = None,
        use_cache: bool = True,
        catalog_folder: Path | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.catalog_folder = catalog_folder or catalog_dir()
        digest = hashlib.sha256(GAZETTEER.read_bytes()).hexdigest()[:8]
        key = (
            f"{ENGINE_VERSION}-{data_hash(data_dir)}-{catalog_hash(self.catalog_folder)}"
            f"-{digest}-{_code_hash()}"
        )
        cache_path = (Path(cache_dir) if cache_dir else default_cache_dir()) / f"model-{key}.pkl"
        loaded = _load_cache(cache_path) if use_cache else None
        if loaded is None:
            loaded = self._train()
            if use_cache:
                _save_cache(cache_path, loaded)
        self.classifier, vocabulary, self.lexicon, self._gazetteer = loaded
        self._correct = _Corrector(vocabulary)

    def _train(self) -> Model:
        data = load(self.data_dir)
        lexicon = lexicon_for(self.catalog_folder)
        gazetteer = _read_gazetteer()
        vocabulary = set(lexicon.words())
        vocabulary.update(fold(w) for v in ABBREVIATIONS.values() for w in v.split())
        vocabulary.update(fold(w) for v in DIALECT_ACCENTED.values() for w in v.split())
        vocabulary.update(DIALECT_FOLDED.values())
        for text, _ in data.examples:
            vocabulary.update(TOKEN_RE.findall(fold(text.lower())))
        corrector = _Corrector(vocabulary)
        views = []
        for text, _ in data.examples:
            norm = normalize(text, corrector)
            spans = _number_spans(norm)
            ranked = _procedures(norm, spans, vocabulary, lexicon, gazetteer)
            views.append(self._views(norm, spans + _top_span(norm, ranked)))
        labels = [intent for _, intent in data.examples]
        return IntentClassifier.train(views, labels), vocabulary, lexicon, gazetteer

    @staticmethod
    def _views(norm: Normalized, spans: list[numbers.Span]) -> tuple[str, str, str]:
        words: list[str] = []
        tones: list[str] = []
        starts = [0]  # index in `words` where each clause begins
        proc_at: set[int] = set()  # indexes in `words` of the named procedure
        prev_end = 0
        for tok in norm.tokens:
            if words and any(ch in _CLAUSE_MARKS for ch in norm.nfc[prev_end : tok.start]):
                starts.append(len(words))
            prev_end = tok.end
            if any(s.entity == "procedure" and s.start <= tok.start < s.end for s in spans):
                proc_at.add(len(words))
            span = next((s for s in spans if s.start <= tok.start < s.end), None)
            if span is not None and span.entity == "procedure":
                span = None
            if span is not None:
                placeholder = _PLACEHOLDERS[span.entity]
                if words and words[-1] == placeholder:
                    continue
                words.append(placeholder)
                tones.append(placeholder)
            else:
                words.append(tok.norm)
                tones.append(tone_canonical(tok.text))
        tail = _request_span(words, starts, proc_at)
        # A named procedure is a strong hint on its own (a bare "mở quán" is a request).
        if any(s.entity == "procedure" for s in spans):
            words.append(_PLACEHOLDERS["procedure"])
            tail.append(_PLACEHOLDERS["procedure"])
        return " ".join(words), " ".join(tones), " ".join(tail)

    def parse(self, text: str, lang_hint: str | None = None) -> dict[str, Any]:
        """Rasa `/model/parse`-shaped result; `lang_hint` is accepted for interface parity.

        Besides Rasa's keys, `procedure_ranking` lists the procedures the message may
        mean, best first ({name, confidence}), so the dialog can ask "A or B?"."""
        norm = normalize(text, self._correct)
        spans = _number_spans(norm)
        ranked = _procedures(norm, spans, self._correct.vocabulary, self.lexicon, self._gazetteer)
        proc_spans = _top_span(norm, ranked)
        probs = self.classifier.predict_proba(self._views(norm, spans + proc_spans))
        order = probs.argsort()[::-1][:RANKING_SIZE]
        ranking = [
            {"name": self.classifier.classes[i], "confidence": round(float(probs[i]), 4)}
            for i in order
        ]
        ranking = _verb_rules(norm, spans + proc_spans, ranking)
        entities: list[dict[str, Any]] = []
        for span in proc_spans:
            start, end = norm.to_original(span.start, span.end)
            entities.append(
                {
                    "entity": "procedure",
                    "value": span.value,
                    "start": start,
                    "end": end,
                    "confidence": 0.8 if span.extra else 1.0,
                    "extractor": "LexiconEntityExtractor",
                }
            )
        for span in spans:
            start, end = norm.to_original(span.start, span.end)
            entity: dict[str, Any] = {
                "entity": span.entity,
                "value": span.value,
                "start": start,
                "end": end,
                "confidence": 1.0,
                "extractor": "RegexEntityExtractor",
            }
            entity.update(dict(span.extra))
            entities.append(entity)
        entities.sort(key=lambda e: e["start"])
        return {
            "text": text,
            "intent": dict(ranking[0]),
            "intent_ranking": ranking,
            "entities": entities,
            "procedure_ranking": [{"name": c.slug, "confidence": c.score} for c, _, _ in ranked],
        }


def _number_spans(norm: Normalized) -> list[numbers.Span]:
    """Codes first, then phones, citizen IDs and dates, each kept only where still free."""
    found: list[numbers.Span] = [
        numbers.Span("tracking_code", c.value, c.start, c.end, (("valid", c.valid),))
        for c in tracking.find_codes(norm.nfc)
    ]
    for finder in (numbers.find_phones, numbers.find_citizen_ids, numbers.find_dates):
        for span in finder(norm.folded):
            if all(span.end <= s.start or s.end <= span.start for s in found):
                found.append(span)
    return sorted(found, key=lambda s: s.start)


def _procedures(
    norm: Normalized,
    spans: list[numbers.Span],
    vocabulary: set[str],
    lexicon: Lexicon,
    gazetteer: frozenset[tuple[str, ...]],
) -> list[tuple[Candidate, int, int]]:
    """The procedures the message may mean, best first, each with its NFC span."""
    folded = [fold(tok.text.lower()) for tok in norm.tokens]
    in_name = _gazetteer_tokens(folded, gazetteer)
    words: list[str] = []
    owner: list[int] = []
    repaired: list[bool] = []
    for k, tok in enumerate(norm.tokens):
        if k in in_name or any(s.start <= tok.start < s.end for s in spans):
            continue
        # A word the corrector changed is a guess: a mention through it ranks below an
        # exact one ("Lê Lợi" must not become a procedure word and win).
        changed = tok.norm != folded[k] and " " not in tok.norm and folded[k] not in vocabulary
        for w in tok.norm.split():
            words.append(w)
            owner.append(k)
            repaired.append(changed)
    # Approximate matching only helps when some word is still unknown after repair.
    fuzzy = any(w not in vocabulary for w in words)
    found: list[tuple[Candidate, int, int]] = []
    for cand in lexicon.rank(words, fuzzy, repaired):
        m = cand.mention
        first, last = norm.tokens[owner[m.first]], norm.tokens[owner[m.last - 1]]
        found.append((cand, first.start, last.end))
    return found


def _gazetteer_tokens(folded: list[str], gazetteer: frozenset[tuple[str, ...]]) -> set[int]:
    """Indexes of the tokens inside a Hue street, place or person name."""
    inside: set[int] = set()
    for i in range(len(folded)):
        for n in (4, 3, 2):
            if tuple(folded[i : i + n]) in gazetteer:
                inside.update(range(i, i + n))
                break
    return inside


def _top_span(norm: Normalized, ranked: list[tuple[Candidate, int, int]]) -> list[numbers.Span]:
    if not ranked:
        return []
    cand, start, end = ranked[0]
    extra = (("fuzzy", True),) if cand.mention.fuzzy else ()
    return [numbers.Span("procedure", cand.slug, start, end, extra)]


def _request_span(words: list[str], starts: list[int], proc_at: set[int]) -> list[str]:
    """The clause that carries the request, as the classifier's third view.

    Each clause scores for request words and for the named procedure; among equals the
    later wins (requests usually come last). Short clauses are widened backwards."""
    bounds = list(zip(starts, [*starts[1:], len(words)], strict=True))
    best = (-1.0, 0, len(words))
    for k, (lo, hi) in enumerate(bounds):
        if lo >= hi:
            continue
        clause = words[lo:hi]
        score = min(sum(w in _REQUEST_WORDS for w in clause), 3) + 0.01 * k
        if any(lo <= i < hi for i in proc_at):
            score += 2
        if score >= best[0]:
            best = (score, lo, hi)
    _, lo, hi = best
    if hi - lo < 4:
        lo = max(hi - 10, 0)
    span = words[max(lo, hi - 12) : hi]
    # The last clause still counts: closings ("..., chào cháu nghe") and thanks come last.
    last_lo = starts[-1] if len(words) - starts[-1] >= 4 else max(len(words) - 10, 0)
    if hi < len(words):
        span += words[max(last_lo, len(words) - 12, hi) :]
    return span


_CANCEL_WORDS: Final = ("huy", "rut ho so", "rut lai", "khong lam nua", "cancel", "withdraw")
_PAY_WORDS: Final = (
    "dong tien",
    "tra tien",
    "dong phi",
    "dong le phi",
    "nop tien",
    "nop phi",
    "nop le phi",
    "thanh toan",
    "chuyen khoan",
    "tra phi",
    "tra le phi",
    "pay",
    "payment",
)


_SOCIAL: Final = frozenset({"thanks", "greet", "goodbye"})
_ABOUT_PROCEDURE: Final = (
    "start_procedure",
    "ask_requirements",
    "ask_fee",
    "ask_processing_time",
)
_DENY_LEADS: Final = frozenset({"khong", "thoi", "no", "chua", "ko", "k"})
# "đóng tiền thế nào" pays; "có phải đóng tiền không", "đóng bao nhiêu" ask the fee.
_AMOUNT_OR_YES_NO: Final = (
    "bao nhieu",
    "may",
    "het",
    "nhieu",
    "co phai",
    "co mat",
    "co ton",
    "co can",
    "khong",
    "how much",
    "do i have to",
    "is there",
)


def _wants_to_pay(text: str) -> bool:
    if not any(f" {p} " in text for p in _PAY_WORDS):
        return False
    return not any(f" {c} " in text for c in _AMOUNT_OR_YES_NO)


_QUESTION_CUES: Final[dict[str, tuple[str, ...]]] = {
    "ask_fee": (
        "bao nhieu tien",
        "mat tien",
        "ton tien",
        "mat phi",
        "ton phi",
        "co phi",
        "le phi bao nhieu",
        "phi bao nhieu",
        "het bao nhieu",
        "may tien",
        "nhieu tien",
        "mien phi",
        "dong nao",
        "may dong",
        "bao nhieu dong",
        "ton bao nhieu",
        "nop bao nhieu",
        "tra bao nhieu",
        "dong bao nhieu",
        "tinh tien",
        "lay tien",
        "chi phi",
        "le phi",
        "ton kem",
        "mat chi",
        "price",
        "charge",
        "how much",
        "what fee",
        "is it free",
        "cost",
    ),
    "ask_processing_time": (
        "bao lau",
        "may ngay",
        "bao nhieu ngay",
        "khi nao xong",
        "how long",
        "how many days",
    ),
    "ask_requirements": (
        "can nhung gi",
        "giay to gi",
        "nhung giay to",
        "can mang gi",
        "mang theo gi",
        "what documents",
        "which documents",
        "what papers",
    ),
}


def _verb_rules(
    norm: Normalized, spans: list[numbers.Span], ranking: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Rules the classifier cannot learn from frequencies alone.

    A tracking code makes check_status likely, but "hủy hồ sơ PX-..." is a cancel and
    "đóng tiền cho PX-..." a payment: the verb decides. "phí" alone asks the fee. A pay
    verb without an amount question pays; a procedure named outright is in scope; the
    question asked (fee, time, papers) beats a bare procedure; politeness around a
    request ("cảm ơn cháu, cho bác hỏi...") does not make the message a thanks."""
    words = [w for tok in norm.tokens for w in tok.norm.split()]
    text = " " + " ".join(words) + " "
    top = ranking[0]["name"]
    wanted: str | None = None
    if top == "check_status" and any(s.entity == "tracking_code" for s in spans):
        if any(f" {p} " in text for p in _CANCEL_WORDS):
            wanted = "cancel"
        elif any(f" {p} " in text for p in _PAY_WORDS):
            wanted = "pay_fee"
    elif words in (["phi"], ["le", "phi"], ["fee"], ["fees"]):
        wanted = "ask_fee"
    elif top in ("start_procedure", "ask_fee") and _wants_to_pay(text):
        wanted = "pay_fee"
    elif top == "out_of_scope" and any(
        s.entity == "procedure" and not dict(s.extra).get("fuzzy") for s in spans
    ):
        # One of the ward's procedures named outright: the message is in scope.
        wanted = next((r["name"] for r in ranking if r["name"] in _ABOUT_PROCEDURE), None)
    elif top == "thanks" and set(words[:3]) & _DENY_LEADS:
        wanted = "deny"  # "dạ không cần đâu, cảm ơn cháu": a polite no
    elif top == "start_procedure":
        # "làm khai sinh có tốn đồng nào không": the question asked decides, not the
        # procedure named. Only one kind of question, or the classifier keeps its say.
        asked = [i for i, cues in _QUESTION_CUES.items() if any(f" {c} " in text for c in cues)]
        if len(asked) == 1:
            wanted = asked[0]
    elif top in _SOCIAL and (
        any(s.entity in ("procedure", "tracking_code") for s in spans)
        or any(f" {c} " in text for cues in _QUESTION_CUES.values() for c in cues)
    ):
        # "cảm ơn cháu, cho bác hỏi làm khai tử...": politeness around a request.
        wanted = next((r["name"] for r in ranking if r["name"] not in _SOCIAL), None)
    if wanted is None or wanted == top:
        return ranking
    names = [r["name"] for r in ranking]
    if wanted not in names:
        return ranking
    moved = ranking[names.index(wanted)]
    first = {"name": wanted, "confidence": max(moved["confidence"], ranking[0]["confidence"])}
    return [first, *(r for r in ranking if r["name"] != wanted)]


@lru_cache(maxsize=1)
def _code_hash() -> str:
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in (
        "catalog.py",
        "classifier.py",
        "engine.py",
        "normalize.py",
        "numbers.py",
        "procedures.py",
        "tracking.py",
    ):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:12]


def _load_cache(path: Path) -> Model | None:
    try:
        with path.open("rb") as fh:
            obj = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None
    if (
        isinstance(obj, tuple)
        and len(obj) == 4
        and isinstance(obj[0], IntentClassifier)
        and isinstance(obj[2], Lexicon)
    ):
        return obj[0], set(obj[1]), obj[2], frozenset(obj[3])
    return None


def _save_cache(path: Path, model: Model) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        for old in path.parent.glob("model-*.pkl"):  # models of older data or code
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:  # a read-only home must not stop the bot
        log.warning("cannot cache the NLU model at %s: %s", path, exc)
