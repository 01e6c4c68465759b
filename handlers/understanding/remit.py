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
the topic classifier (one file each, fitted once per knowledge-base version). ``RemitCheck.judge``
holds the rules by which a decision the check finds outside falls back.
"""

from __future__ import annotations

from collections.abc import Sequence

from handlers.understanding.classifier import Classifier
from handlers.understanding.classifier_cache import Training
from handlers.understanding.decision import (
    ACTION_PREFIX,
    GENERAL_GROUP,
    IN_REMIT,
    OUT_OF_REMIT,
    Candidate,
    Decision,
    Thresholds,
)
from handlers.understanding.phrases import any_in


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

    def of(self, decision: Decision) -> float:
        """How likely an answered, acted-on or clarified message is outside the office's
        remit (0 for other outcomes)."""
        topics = judged_topics(decision)
        if topics:
            # Two topics: outside only as much as against the likelier of them ("sang đài
            # loan cần giấy tờ gì" is the papers AND Taiwan).
            return self.outside(decision.key, *topics)
        if decision.outcome == "action" and decision.action is not None:
            return self.outside(decision.key, ACTION_PREFIX + decision.action)
        return 0.0

    def judge(self, decision: Decision, th: Thresholds, words: str,
              bot_names: tuple[tuple[str, ...], ...]) -> Decision:
        """An answer, an action or a "which topic?" the check finds outside the remit falls
        back, out-of-remit first among the candidates: the reply says it seems not the office's
        work and offers the topics set aside (one tap, as a "which topic?" costs; offering the
        office's topics for "bệnh viện ở đâu" misled). Messages of one or two words are not
        checked; answers longer than ``Thresholds.outside_max_words`` are held to
        ``outside_long``, a "which topic?" to ``outside_clarify``. A request is held to the
        lower bar at any length: it starts a flow, and a long request is rarely a story ("xin
        hỗ trợ bê tông hóa đường thôn thì làm đơn gửi ai" is not the dossier). A question
        naming the bot (``bot_names`` in ``words``, the message as typed) about its own topics
        is not checked: "bot có đòi mã OTP không" is the bot's to answer, never another matter
        ("bot" is not in the matching key)."""
        length = len(decision.key.split())
        topics = judged_topics(decision)
        about_the_bot = (bool(topics) and all(t.startswith(GENERAL_GROUP) for t in topics)
                         and any_in(words, bot_names))
        if length < th.outside_words or about_the_bot:
            return decision
        outside = self.of(decision)
        short = length <= th.outside_max_words or decision.outcome == "action"
        bar = (th.outside_clarify if decision.outcome == "clarify" else
               th.outside if short else th.outside_long)
        if outside < bar:
            return decision
        ranked = [c for c in decision.candidates if c.topic != OUT_OF_REMIT]
        return Decision("fallback", decision.key, (Candidate(OUT_OF_REMIT, outside), *ranked),
                        set_aside=decision.topics or topics)


def judged_topics(decision: Decision) -> tuple[str, ...]:
    """The topics the remit check weighs a decision against: those answered, or the two
    likeliest a "which topic?" offers."""
    if decision.outcome == "answer":
        return decision.topics
    if decision.outcome == "clarify":
        return tuple(c.topic for c in decision.candidates if c.topic != OUT_OF_REMIT)[:2]
    return ()


def _probability(model: Classifier, key: str, label: str) -> float:
    return float(model.probabilities(key)[model.classes.index(label)])
