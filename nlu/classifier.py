"""Intent classifier: TF-IDF character and word n-grams with a linear SVM.

scikit-learn fits the TF-IDF weights and the model; the fitted numbers (vocabulary,
idf, coefficients) are then kept as plain dicts and numpy arrays, so a parse is a
few dictionary look-ups and one small matrix product, and loading a cached model
does not import scikit-learn at all.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


def char_wb_ngrams(text: str, lo: int, hi: int) -> list[str]:
    """Character n-grams inside word boundaries, as scikit-learn's "char_wb" analyzer."""
    grams: list[str] = []
    for word in text.split():
        w = f" {word} "
        size = len(w)
        for n in range(lo, hi + 1):
            if size < n:
                if n == lo:
                    grams.append(w)
                break
            grams.extend(w[i : i + n] for i in range(size - n + 1))
    return grams


def word_ngrams(text: str, lo: int, hi: int) -> list[str]:
    words = text.split()
    grams: list[str] = []
    for n in range(lo, hi + 1):
        grams.extend(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    return grams


_ANALYZERS: dict[str, Callable[[str, int, int], list[str]]] = {
    "char_wb": char_wb_ngrams,
    "word": word_ngrams,
}

# (view, analyzer, n-gram range). Views: 0 the folded repaired text, 1 the accented
# text with canonical tone placement, 2 the message's last clause.
FEATURES: tuple[tuple[int, str, tuple[int, int]], ...] = (
    (0, "char_wb", (2, 5)),
    (0, "word", (1, 2)),
    (1, "char_wb", (2, 4)),
    (2, "word", (1, 2)),
)


@dataclass
class _Block:
    view: int
    analyzer: str
    ngrams: tuple[int, int]
    vocabulary: dict[str, int]
    idf: list[float]
    offset: int

    @property
    def idf_array(self) -> NDArray[np.float64]:
        cached: NDArray[np.float64] | None = self.__dict__.get("_idf_array")
        if cached is None:
            cached = np.asarray(self.idf, dtype=np.float64)
            self.__dict__["_idf_array"] = cached
        return cached

    def grams(self, text: str) -> list[str]:
        return _ANALYZERS[self.analyzer](text, *self.ngrams)


class IntentClassifier:
    def __init__(
        self,
        blocks: list[_Block],
        coef: NDArray[np.float64],
        intercept: NDArray[np.float64],
        classes: list[str],
    ) -> None:
        self.blocks = blocks
        self.coef = np.ascontiguousarray(coef.T)  # (features, classes): row gathers are cheap
        self.intercept = intercept
        self.classes = classes
        # SVM margins scaled into a softmax: a margin lead of 1 gives about 0.9.
        self.temperature = 4.0
        self._word_cache: dict[int, dict[str, list[int]]] = {}

    def __getstate__(self) -> dict[str, object]:
        state = self.__dict__.copy()
        state["_word_cache"] = {}
        return state

    @classmethod
    def train(
        cls, views: Sequence[tuple[str, ...]], labels: Sequence[str], c: float = 0.5
    ) -> IntentClassifier:
        # scikit-learn is needed only here, not to load or run a trained model.
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        blocks: list[_Block] = []
        matrices = []
        offset = 0
        for view, analyzer, ngrams in FEATURES:
            fn = _ANALYZERS[analyzer]
            vec = TfidfVectorizer(
                analyzer=lambda text, fn=fn, ngrams=ngrams: fn(text, *ngrams),
                sublinear_tf=True,
                dtype=np.float64,
            )
            matrices.append(vec.fit_transform([v[view] for v in views]))
            vocabulary = {str(k): int(i) for k, i in vec.vocabulary_.items()}
            blocks.append(
                _Block(view, analyzer, ngrams, vocabulary, [float(x) for x in vec.idf_], offset)
            )
            offset += len(vocabulary)
        x = hstack(matrices).tocsr()
        # liblinear's coordinate descent trains in a tenth of a second here, where
        # L-BFGS logistic regression took seconds; margins become probabilities below.
        model = LinearSVC(C=c, random_state=0, max_iter=5000)
        model.fit(x, list(labels))
        return cls(blocks, model.coef_, model.intercept_, [str(k) for k in model.classes_])

    def _block_indices(self, block: _Block, text: str) -> list[int]:
        vocab = block.vocabulary
        if block.analyzer != "char_wb":
            return [vocab[g] for g in block.grams(text) if g in vocab]
        # Character n-grams never cross a word, so each word's feature indices are
        # computed once and remembered: people reuse a small set of syllables.
        cache = self._word_cache.setdefault(block.offset, {})
        out: list[int] = []
        for word in text.split():
            hit = cache.get(word)
            if hit is None:
                hit = [vocab[g] for g in block.grams(word) if g in vocab]
                if len(cache) < 100_000:
                    cache[word] = hit
            out.extend(hit)
        return out

    def _features(self, views: tuple[str, ...]) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        all_idx: list[NDArray[np.intp]] = []
        all_val: list[NDArray[np.float64]] = []
        for block in self.blocks:
            found = self._block_indices(block, views[block.view])
            if not found:
                continue
            # np.unique's sorting machinery cost more than the counting for a message's
            # few hundred grams: counted here, in the same (sorted) order.
            tally = Counter(found)
            order = sorted(tally)
            idx = np.array(order, dtype=np.intp)
            counts = np.array([tally[i] for i in order], dtype=np.intp)
            vals = (1.0 + np.log(counts)) * block.idf_array[idx]
            vals /= math.sqrt(float(vals @ vals))
            all_idx.append(idx + block.offset)
            all_val.append(vals)
        if not all_idx:
            return np.empty(0, dtype=np.intp), np.empty(0)
        return np.concatenate(all_idx), np.concatenate(all_val)

    def predict_proba(self, views: tuple[str, ...]) -> NDArray[np.float64]:
        indices, values = self._features(views)
        scores = self.intercept.copy()
        if len(indices):
            scores += values @ self.coef[indices]
        scores = scores * self.temperature
        scores -= scores.max()
        exp = np.exp(scores)
        result: NDArray[np.float64] = exp / exp.sum()
        return result
