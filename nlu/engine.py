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

from nlu import numbers, procedures, tracking
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
from nlu.training_data import DATA_DIR, data_hash, load

log = logging.getLogger(__name__)

RANKING_SIZE: Final = 10
# Bump when the features or the model change, so stale cached artifacts are ignored.
ENGINE_VERSION: Final = "1"
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


class EmbeddedNLU:
    """Understands a message offline; trains from nlu/data at start-up or loads the cache."""

    def __init__(
        self,
        data_dir: Path = DATA_DIR,
        cache_dir: Path | str | None = None,
        use_cache: bool = True,
    ) -> None:
        self.data_dir = data_dir
        key = f"{ENGINE_VERSION}-{data_hash(data_dir)}-{_code_hash()}"
        cache_path = (Path(cache_dir) if cache_dir else default_cache_dir()) / f"model-{key}.pkl"
        loaded = _load_cache(cache_path) if use_cache else None
        if loaded is None:
            loaded = self._train()
            if use_cache:
                _save_cache(cache_path, loaded)
        self.classifier, vocabulary = loaded
        self._correct = _Corrector(vocabulary)

    def _train(self) -> tuple[IntentClassifier, set[str]]:
        data = load(self.data_dir)
        vocabulary = set(procedures.lexicon_words())
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
            views.append(self._views(norm, spans + _procedure_span(norm, spans, vocabulary)))
        labels = [intent for _, intent in data.examples]
        return IntentClassifier.train(views, labels), vocabulary

    @staticmethod
    def _views(norm: Normalized, spans: list[numbers.Span]) -> tuple[str, str, str]:
        words: list[str] = []
        tones: list[str] = []
        clause_start = 0  # index in `words` where the last clause begins
        prev_end = 0
        for tok in norm.tokens:
            if any(ch in _CLAUSE_MARKS for ch in norm.nfc[prev_end : tok.start]):
                clause_start = len(words)
            prev_end = tok.end
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
        # Long messages put the request last: "..., cho hỏi làm khai sinh mất mấy ngày".
        if len(words) - clause_start < 4:
            clause_start = max(len(words) - 10, 0)
        tail = words[max(clause_start, len(words) - 12) :]
        # A named procedure is a strong hint on its own (a bare "mở quán" is a request).
        if any(s.entity == "procedure" for s in spans):
            words.append(_PLACEHOLDERS["procedure"])
            tail.append(_PLACEHOLDERS["procedure"])
        return " ".join(words), " ".join(tones), " ".join(tail)

    def parse(self, text: str, lang_hint: str | None = None) -> dict[str, Any]:
        """Rasa `/model/parse`-shaped result; `lang_hint` is accepted for interface parity."""
        norm = normalize(text, self._correct)
        spans = _number_spans(norm)
        proc_spans = _procedure_span(norm, spans, self._correct.vocabulary)
        probs = self.classifier.predict_proba(self._views(norm, spans + proc_spans))
        order = probs.argsort()[::-1][:RANKING_SIZE]
        ranking = [
            {"name": self.classifier.classes[i], "confidence": round(float(probs[i]), 4)}
            for i in order
        ]
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


def _procedure_span(
    norm: Normalized, spans: list[numbers.Span], vocabulary: set[str]
) -> list[numbers.Span]:
    """The procedure meant, as a span of the NFC text (empty list when none)."""
    words: list[str] = []
    owner: list[int] = []
    for k, tok in enumerate(norm.tokens):
        if any(s.start <= tok.start < s.end for s in spans):
            continue
        for w in tok.norm.split():
            words.append(w)
            owner.append(k)
    # Approximate matching only helps when some word is still unknown after repair.
    fuzzy = any(w not in vocabulary for w in words)
    found = procedures.resolve(words, fuzzy)
    if found is None:
        return []
    mention, slug = found
    first, last = norm.tokens[owner[mention.first]], norm.tokens[owner[mention.last - 1]]
    extra = (("fuzzy", True),) if mention.fuzzy else ()
    return [numbers.Span("procedure", slug, first.start, last.end, extra)]


@lru_cache(maxsize=1)
def _code_hash() -> str:
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in (
        "classifier.py",
        "engine.py",
        "normalize.py",
        "numbers.py",
        "procedures.py",
        "tracking.py",
    ):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:12]


def _load_cache(path: Path) -> tuple[IntentClassifier, set[str]] | None:
    try:
        with path.open("rb") as fh:
            obj = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    if isinstance(obj, tuple) and len(obj) == 2 and isinstance(obj[0], IntentClassifier):
        return obj[0], set(obj[1])
    return None


def _save_cache(path: Path, model: tuple[IntentClassifier, set[str]]) -> None:
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
