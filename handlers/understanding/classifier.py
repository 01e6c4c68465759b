"""A text classifier: TF-IDF features (word 1–2-grams, character 2–5-grams inside words) and
multinomial logistic regression, fitted with scikit-learn and kept as plain numpy arrays.

Why arrays and not the fitted scikit-learn objects: the fitted model is saved to disk
(``classifier_cache``) and read back at every start. Arrays load with ``allow_pickle=False``, so
no code is ever unpickled from the cache directory, and predicting from them needs only numpy:
importing scikit-learn and SciPy costs more than a second and tens of megabytes at start-up,
while the prediction is a sparse dot product. scikit-learn is imported only to fit.

Training and prediction share :func:`word_grams` and :func:`char_grams` (scikit-learn is given
them as its analyzers), so the features cannot differ between the two; the weighting below is
scikit-learn's (sublinear tf × idf, l2 per block; softmax of the decision function), and
tests/test_classifier.py checks the probabilities against scikit-learn's own.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import chain
from operator import is_not
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

#: scikit-learn's default token pattern: words of two or more word characters.
_WORD = re.compile(r"(?u)\b\w\w+\b")
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 5)
MAX_ITER = 3000


def word_grams(text: str) -> list[str]:
    """Words and word pairs (scikit-learn ``analyzer="word"``, ``ngram_range=(1, 2)``)."""
    words = _WORD.findall(text.lower())
    low, high = WORD_NGRAMS
    return [
        " ".join(words[i : i + n])
        for n in range(low, high + 1)
        for i in range(len(words) - n + 1)
    ]


def char_grams(text: str) -> list[str]:
    """Character n-grams inside space-padded words (scikit-learn ``analyzer="char_wb"``)."""
    return list(chain.from_iterable(map(_word_char_grams, text.lower().split())))


@lru_cache(maxsize=16384)
def _word_char_grams(word: str) -> tuple[str, ...]:
    # Kept per word: messages repeat a few thousand words, and cutting a long message into
    # grams was a third of reading it with each of the four classifiers.
    grams: list[str] = []
    low, high = CHAR_NGRAMS
    padded = f" {word} "
    for n in range(low, high + 1):
        grams.extend(padded[i : i + n] for i in range(max(len(padded) - n, 0) + 1))
        if len(padded) <= n:  # a short word counts once, not once per n
            break
    return tuple(grams)


_is_column = partial(is_not, None)  # a gram the block has a column for


@dataclass(frozen=True, eq=False)
class Block:
    """One TF-IDF feature block: term → column, and each column's idf."""

    terms: tuple[str, ...]
    idf: FloatArray
    index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {t: i for i, t in enumerate(self.terms)})

    def weights(self, grams: list[str]) -> tuple[npt.NDArray[np.intp], FloatArray]:
        """Columns and l2-normalised sublinear tf-idf values of one text's grams."""
        counts = Counter(filter(_is_column, map(self.index.get, grams)))
        columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
        values = tf * self.idf[columns]
        norm = float(np.sqrt(values @ values))
        return columns, values / norm if norm else values


@dataclass(frozen=True, eq=False)
class Classifier:
    """A fitted classifier: ``probabilities`` is pure and needs only numpy."""

    classes: tuple[str, ...]
    words: Block
    chars: Block
    #: (classes, features) for three or more classes; (1, features) for two, as scikit-learn.
    coef: FloatArray
    intercept: FloatArray

    def probabilities(self, text: str) -> FloatArray:
        """The probability of each class (in ``classes`` order) for ``text``."""
        word_cols, word_vals = self.words.weights(word_grams(text))
        char_cols, char_vals = self.chars.weights(char_grams(text))
        columns = np.concatenate([word_cols, char_cols + len(self.words.terms)])
        scores = self.coef[:, columns] @ np.concatenate([word_vals, char_vals]) + self.intercept
        if len(self.classes) == 2:
            positive = 1.0 / (1.0 + np.exp(-scores[0]))
            return np.array([1.0 - positive, positive])
        exp = np.exp(scores - scores.max())
        return np.asarray(exp / exp.sum(), dtype=np.float64)

    def check(self) -> None:
        """Raise ValueError if the arrays do not fit together (a damaged cache file)."""
        features = len(self.words.terms) + len(self.chars.terms)
        rows = 1 if len(self.classes) == 2 else len(self.classes)
        if (
            len(self.classes) < 2
            or self.words.idf.shape != (len(self.words.terms),)
            or self.chars.idf.shape != (len(self.chars.terms),)
            or self.coef.shape != (rows, features)
            or self.intercept.shape != (rows,)
            or not (np.isfinite(self.coef).all() and np.isfinite(self.intercept).all())
            or not (np.isfinite(self.words.idf).all() and np.isfinite(self.chars.idf).all())
        ):
            raise ValueError("classifier arrays do not fit together")


def vectorizers() -> tuple[Any, Any]:
    """The two unfitted scikit-learn vectorizers (word block, character block)."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

    return (
        TfidfVectorizer(sublinear_tf=True, analyzer=word_grams),
        TfidfVectorizer(sublinear_tf=True, analyzer=char_grams),
    )


def fit(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    regularisation: float,
    balanced: bool = False,
    margin: bool = False,
    weights: Sequence[float] | None = None,
) -> Classifier:
    """Fit on ``texts`` (already normalised) with their ``labels``; seconds, not milliseconds.
    ``balanced`` weighs each class by the inverse of its size (scikit-learn's
    ``class_weight="balanced"``): a class with few examples counts as much as a large one.
    ``margin`` fits a linear support-vector machine instead (``LinearSVC``, one class against
    the rest): a second opinion that errs elsewhere. Its "probabilities" are the softmax of
    its scores: they rank the classes, they are not calibrated. ``weights``, one per text,
    make some examples count more than others (scikit-learn's ``sample_weight``)."""
    from scipy.sparse import hstack  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
    from sklearn.svm import LinearSVC  # type: ignore[import-untyped]
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    word_vec, char_vec = vectorizers()
    features = hstack([word_vec.fit_transform(texts), char_vec.fit_transform(texts)]).tocsr()
    per_class = "balanced" if balanced else None
    model = (LinearSVC(C=regularisation, class_weight=per_class) if margin else
             LogisticRegression(C=regularisation, max_iter=MAX_ITER, class_weight=per_class))
    # One BLAS thread: the fit's products are small, and on a busy two-core machine the
    # threads mostly wait for each other (measured: the same fit in 1.3 s of CPU instead of
    # 6.4 s, and the same number of iterations).
    with threadpool_limits(limits=1):
        model.fit(features, list(labels),
                  sample_weight=None if weights is None else np.asarray(weights, dtype=float))
    return Classifier(
        classes=tuple(str(c) for c in model.classes_),
        words=Block(tuple(str(t) for t in word_vec.get_feature_names_out()), word_vec.idf_),
        chars=Block(tuple(str(t) for t in char_vec.get_feature_names_out()), char_vec.idf_),
        coef=np.asarray(model.coef_, dtype=np.float64),
        intercept=np.asarray(model.intercept_, dtype=np.float64),
    )
