"""A fact several topics each answer part of (lexicon ``[[shared]]``): "kí quỹ nộp rồi có lấy
lại được không" sits between the costs (what the deposit is) and coming home (getting it
back). Where the matcher answers one of them, or asks which, with another close, both are
answered, briefly (handlers/understanding/matcher.py applies it to each decision)."""

from __future__ import annotations

from handlers.understanding.decision import OUT_OF_REMIT, Candidate, Decision
from handlers.understanding.phrases import any_in
from messages.lexicon import Lexicon, SharedFact


def facts_about(lexicon: Lexicon, key: str) -> list[SharedFact]:
    """The shared facts whose words (and words alongside, when given) the key holds."""
    padded = f" {key} "
    return [fact for fact in lexicon.shared if any_in(padded, fact.phrases) and (
        not fact.alongside or any_in(padded, fact.alongside))]


def answered_together(lexicon: Lexicon, decision: Decision, ranked: list[Candidate],
                      bar: float) -> Decision | None:
    """Both topics of a shared fact the message is about, the decided one first, when the
    decision answers one of them alone: the topic that tells the fact in full joins however
    it is ranked (the message holds the fact's words); beside that one answered, another of
    the fact's among the three best-ranked topics, at least the fact's ``close`` or else
    ``bar``, a clarify's option bar. Or when it asks "which topic?" with one of them first
    and the full topic, or another of them next, offered (a third beside the full one is far
    behind: "năm ngoái học lớp chăn nuôi rồi, năm nay có lớp may … được miễn phí nữa không"
    asks who may learn free)."""
    if decision.outcome == "answer" and len(decision.candidates) == 1:
        first = decision.candidates[0]
        others = [c for c in ranked if c.topic != OUT_OF_REMIT][:3]
    elif decision.outcome == "clarify" and decision.candidates:
        first, others = decision.candidates[0], list(decision.candidates[1:])
    else:
        return None
    for fact in facts_about(lexicon, decision.key):
        if first.topic not in fact.topics:
            continue
        # The fact's first topic tells it in full: one of the two is always that one, and
        # when it is answered already, another is added only if it is a real contender.
        home = fact.topics[0]
        close = bar if fact.close is None else fact.close
        # Beside the full topic in "which topic?", only the one offered next.
        near = others[:1] if decision.outcome == "clarify" and first.topic == home else others
        other = next((c for c in near if c.topic in fact.topics and c.topic != first.topic
                      and (c.topic == home or (first.topic == home and c.probability >= close))),
                     None)
        if other is None and first.topic != home and decision.outcome == "answer":
            # The fact's words are in the message: the topic that tells it joins, however the
            # classifier ranked it ("kí quỹ là gì, nộp rồi có lấy lại được không").
            other = next((c for c in ranked if c.topic == home), Candidate(home, 0.0))
        if other is not None:
            return Decision("answer", decision.key, (first, other), offers=decision.offers)
    return None
