"""The classifier as arrays: same features and probabilities as scikit-learn's own objects."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from handlers.understanding.classifier import (
    CHAR_NGRAMS,
    MAX_ITER,
    WORD_NGRAMS,
    Classifier,
    char_grams,
    fit,
    word_grams,
)
from handlers.understanding.decision import OUT_OF_REMIT
from handlers.understanding.normalise import normalise
from messages.faq_loader import load_kb

#: Letters, digits, spaces and the odd symbol, as typed (keys are normalised, but the
#: classifier must not depend on it).
TEXT = st.text(alphabet=st.sampled_from("abcdeghiklmnoqrstuvxy đăơ0123 \t\n-_.,"), max_size=60)

BUILTIN_WORD = TfidfVectorizer(ngram_range=WORD_NGRAMS).build_analyzer()
BUILTIN_CHAR = TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS).build_analyzer()


@given(TEXT)
def test_word_grams_are_scikit_learns(text: str) -> None:
    assert Counter(word_grams(text)) == Counter(BUILTIN_WORD(text))


@given(TEXT)
def test_char_grams_are_scikit_learns(text: str) -> None:
    assert Counter(char_grams(text)) == Counter(BUILTIN_CHAR(text))


def _training_set(per_topic: int) -> tuple[list[str], list[str]]:
    kb = load_kb()
    texts: list[str] = []
    labels: list[str] = []
    for entry in kb.entries.values():
        for example in entry.examples[:per_topic]:
            texts.append(normalise(example))
            labels.append(entry.id)
    for example in kb.out_of_remit[: per_topic * 2]:
        texts.append(normalise(example))
        labels.append(OUT_OF_REMIT)
    return texts, labels


class Reference:
    """The same model as scikit-learn objects, predicting through scikit-learn."""

    def __init__(self, texts: list[str], labels: list[str], regularisation: float,
                 class_weight: str | None = None) -> None:
        self.vectorizers = (
            TfidfVectorizer(sublinear_tf=True, ngram_range=WORD_NGRAMS),
            TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=CHAR_NGRAMS),
        )
        features = hstack([v.fit_transform(texts) for v in self.vectorizers]).tocsr()
        self.model = LogisticRegression(C=regularisation, max_iter=MAX_ITER,
                                        class_weight=class_weight)
        self.model.fit(features, labels)

    def probabilities(self, text: str) -> Any:
        features = hstack([v.transform([text]) for v in self.vectorizers]).tocsr()
        return self.model.predict_proba(features)[0]


@pytest.fixture(scope="module")
def fitted() -> tuple[Classifier, Reference, list[str]]:
    texts, labels = _training_set(per_topic=3)
    return fit(texts, labels, regularisation=1.0), Reference(texts, labels, 1.0), texts


def test_probabilities_equal_scikit_learns(fitted: tuple[Classifier, Reference, list[str]]) -> None:
    ours, reference, texts = fitted
    assert list(ours.classes) == [str(c) for c in reference.model.classes_]
    held_out, _ = _training_set(per_topic=6)
    for text in [*texts, *held_out, "", "qwz xkcd", "di di di di nhat nhat"]:
        np.testing.assert_allclose(ours.probabilities(text), reference.probabilities(text),
                                   rtol=0, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(TEXT)
def test_probabilities_equal_scikit_learns_on_any_text(
    fitted: tuple[Classifier, Reference, list[str]], text: str
) -> None:
    ours, reference, _ = fitted
    probabilities = ours.probabilities(text)
    np.testing.assert_allclose(probabilities, reference.probabilities(text), rtol=0, atol=1e-12)
    assert abs(float(probabilities.sum()) - 1.0) < 1e-9


def test_two_classes_use_the_logistic_function() -> None:
    texts = ["vay von ngan hang", "lai suat vay", "chi phi di nhat", "tien dich vu"]
    labels = ["loan", "loan", "costs", "costs"]
    ours = fit(texts, labels, regularisation=10.0)
    reference = Reference(texts, labels, 10.0)
    assert ours.coef.shape[0] == 1
    for text in [*texts, "vay tien di nhat", ""]:
        np.testing.assert_allclose(ours.probabilities(text), reference.probabilities(text),
                                   rtol=0, atol=1e-12)


def test_balanced_classes_are_scikit_learns_class_weight() -> None:
    """Three small classes and one large: each class weighs as much in the fit."""
    texts, labels = _training_set(per_topic=2)
    texts += [normalise(x) for x in load_kb().out_of_remit[:40]]
    labels += [OUT_OF_REMIT] * 40
    ours = fit(texts, labels, regularisation=10.0, balanced=True)
    reference = Reference(texts, labels, 10.0, class_weight="balanced")
    plain = fit(texts, labels, regularisation=10.0)
    held_out, _ = _training_set(per_topic=5)
    for text in [*texts[:20], *held_out, "vay tien lam nha", ""]:
        np.testing.assert_allclose(ours.probabilities(text), reference.probabilities(text),
                                   rtol=0, atol=1e-9)
    outside = ours.classes.index(OUT_OF_REMIT)
    # The large class no longer takes what nothing else explains.
    assert ours.probabilities("qwz xkcd")[outside] < plain.probabilities("qwz xkcd")[outside]
