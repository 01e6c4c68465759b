"""The remit check: after a topic wins, is the message about the office's work at all?

Short questions that pair a word the labour topics use ("hỗ trợ", "vay", "hồ sơ", "học phí",
"đăng ký", a country's name) with another matter ("hỗ trợ giống bò", "vay tiền làm nhà") get a
topic with high probability from the topic classifier: the one shared word is all it knows of
the message, and its out-of-remit class, one among thirty, stays small. The check looks at the
message once more with two models fitted on the same texts plus many more out-of-remit
questions (``[remit_check]`` of messages/faq), classes balanced so that the many out-of-remit
questions teach their words without making "outside" the default:

- in the remit or not, whatever the topic (two classes);
- the topics and out-of-remit again (every class weighted alike): how the answered topic
  compares with out-of-remit, since a question's own topic words ("đi Nhật", "lớp nghề") keep
  it in when the first model doubts a long message.

The check's probability is the mean of the two. Both models live in the classifier cache like
the topic classifier (one file each, fitted once per knowledge-base version).
"""

from __future__ import annotations

from collections.abc import Sequence

from handlers.understanding.classifier import Classifier
from handlers.understanding.classifier_cache import Training
from handlers.understanding.decision import IN_REMIT, OUT_OF_REMIT


class RemitCheck:
    """The two models fitted on :func:`trainings`."""

    def __init__(self, sides: Classifier, classes: Classifier) -> None:
        self._sides = sides
        self._classes = classes

    @staticmethod
    def trainings(
        texts: Sequence[str],
        labels: Sequence[str],
        weights: Sequence[float],
        outside: Sequence[tuple[str, float]],
        *,
        regularisation: float,
    ) -> tuple[Training, Training]:
        """What the two models learn from: the topic classifier's ``texts``, ``labels`` and
        ``weights`` plus ``outside``, more out-of-remit texts, each with its weight."""
        all_texts = [*texts, *(text for text, _ in outside)]
        all_weights = [*weights, *(weight for _, weight in outside)]
        classes = [*labels, *(OUT_OF_REMIT for _ in outside)]
        sides = [OUT_OF_REMIT if c == OUT_OF_REMIT else IN_REMIT for c in classes]
        return (Training("remit", all_texts, sides, regularisation, balanced=True,
                         weights=all_weights),
                Training("remit-topics", all_texts, classes, regularisation, balanced=True,
                         weights=all_weights))

    def outside(self, key: str, *topics: str) -> float:
        """How likely the message (its normalised ``key``) is outside the remit, when the
        topic classifier answers it with ``topics`` (topic ids or ``act:<action>``): against
        the likelier of them, each model read once."""
        either = _probability(self._sides, key, OUT_OF_REMIT)
        by_class = dict(zip(self._classes.classes, self._classes.probabilities(key),
                            strict=True))
        out = by_class[OUT_OF_REMIT]

        def against(topic: str) -> float:
            answered = by_class.get(topic)
            return float(out if answered is None else out / (out + answered))

        return (either + min(against(topic) for topic in topics)) / 2


def _probability(model: Classifier, key: str, label: str) -> float:
    return float(model.probabilities(key)[model.classes.index(label)])
