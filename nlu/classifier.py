"""Intent classifier: TF-IDF character and word n-grams with a linear model.

Training uses scikit-learn; prediction re-implements only the cheap part of
`TfidfVectorizer.transform` (the analyzers are scikit-learn's own) and a dot
product, because sklearn's per-call input validation costs more than the maths
for a single short message.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

# (view index, analyzer, ngram range): view 0 is the folded repaired text, view 1
# the accented text with canonical tone placement, view 2 the message's last clause.
_FEATURES: tuple[tuple[int, str, tuple[int, int]], ...] = (
    (0, "char_wb", (2, 5)),
    (0, "word", (1, 2)),
    (1, "char_wb", (2, 4)),
    (2, "word", (1, 2)),
)


@dataclass
class _Block:
    view: int
    analyze: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: NDArray[np.float64]
    offset: int


class IntentClassifier:
    def __init__(
        self,
        vectorizers: list[tuple[int, TfidfVectorizer]],
        coef: NDArray[np.float64],
        intercept: NDArray[np.float64],
        classes: list[str],
    ) -> None:
        self.vectorizers = vectorizers
        self.coef = np.ascontiguousarray(coef.T)  # (features, classes): row gathers are cheap
        self.intercept = intercept
        self.classes = classes
        # SVM margins scaled into a softmax: a margin lead of 1 gives about 0.9.
        self.temperature = 4.0
        self._blocks: list[_Block] = []
        offset = 0
        for view, vec in vectorizers:
            vocab = {str(k): int(v) for k, v in vec.vocabulary_.items()}
            self._blocks.append(
                _Block(view, vec.build_analyzer(), vocab, np.asarray(vec.idf_), offset)
            )
            offset += len(vocab)

    @classmethod
    def train(
        cls, views: Sequence[tuple[str, ...]], labels: Sequence[str], c: float = 0.5
    ) -> IntentClassifier:
        vectorizers: list[tuple[int, TfidfVectorizer]] = []
        matrices = []
        for view, analyzer, ngrams in _FEATURES:
            vec = TfidfVectorizer(
                analyzer=analyzer,
                ngram_range=ngrams,
                sublinear_tf=True,
                lowercase=False,
                token_pattern=r"(?u)\b\w+\b" if analyzer == "word" else None,
                dtype=np.float64,
            )
            matrices.append(vec.fit_transform([v[view] for v in views]))
            vectorizers.append((view, vec))
        x = hstack(matrices).tocsr()
        # liblinear's coordinate descent trains in a tenth of a second here, where
        # L-BFGS logistic regression took seconds; margins become probabilities below.
        model = LinearSVC(C=c, random_state=0, max_iter=5000)
        model.fit(x, list(labels))
        return cls(vectorizers, model.coef_, model.intercept_, [str(c) for c in model.classes_])

    def _features(self, views: tuple[str, ...]) -> tuple[list[int], list[float]]:
        indices: list[int] = []
        values: list[float] = []
        for block in self._blocks:
            counts = Counter(g for g in block.analyze(views[block.view]) if g in block.vocabulary)
            if not counts:
                continue
            idx = [block.vocabulary[g] for g in counts]
            vals = [
                (1.0 + math.log(n)) * block.idf[i]
                for i, n in zip(idx, counts.values(), strict=True)
            ]
            norm = math.sqrt(sum(v * v for v in vals))
            indices.extend(block.offset + i for i in idx)
            values.extend(v / norm for v in vals)
        return indices, values

    def predict_proba(self, views: tuple[str, ...]) -> NDArray[np.float64]:
        indices, values = self._features(views)
        scores = self.intercept.copy()
        if indices:
            scores += np.asarray(values) @ self.coef[indices]
        scores = scores * self.temperature
        scores -= scores.max()
        exp = np.exp(scores)
        result: NDArray[np.float64] = exp / exp.sum()
        return result
