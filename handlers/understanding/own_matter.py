"""A question that is the same about classes and about working abroad, read as the person's
own matter: "bao giờ thì được tiền hỗ trợ" asked in the papers of a support dossier for
working abroad got the class support (4 million a course, 50,000 a day for meals).

The twins are the lexicon's ``[twins]``. A message that names neither side (no word of going
abroad, no country, no word of learning) and was answered with one twin, or offered both in a
"which topic?", gets the twin of the person's side, when the classifier ranks it at all (a twin
of ``[twins_unranked]`` however it ranks it).
"""

from __future__ import annotations

from collections.abc import Callable

from handlers.understanding.decision import OUT_OF_REMIT, Candidate, Decision
from handlers.understanding.ruled_out import names_a_group
from messages.lexicon import Lexicon

#: The two sides, as topic ids begin.
SIDES = ("abroad", "training")
#: A twin ranked below this is not what the message asks, whoever asks it.
LEAST = 0.1


def for_own_matter(decision: Decision, side: str, lexicon: Lexicon,
                   rank: Callable[[str], list[Candidate]]) -> Decision:
    """``decision`` for a person whose own matter is ``side`` (see the module docstring)."""
    if decision.outcome not in ("answer", "clarify") or names_a_group(lexicon, decision.key):
        return decision
    topics = [c.topic for c in decision.candidates if c.topic != OUT_OF_REMIT]
    if not topics or _side(topics[0]) == side:
        if decision.outcome == "clarify" and topics and lexicon.twins.get(topics[0]) in topics:
            return _answer(decision, topics[0], rank)  # "which?" between two twins
        return decision
    if decision.outcome == "answer" and len(topics) > 1:
        return decision  # two questions answered: each is what it is
    unranked = lexicon.twins_unranked.get(topics[0])
    twin = lexicon.twins.get(topics[0]) or unranked
    if twin is None or _side(twin) != side:
        return decision
    if decision.outcome == "clarify" and twin not in topics:
        return decision
    return _answer(decision, twin, rank, least=0.0 if twin == unranked else LEAST)


def _answer(decision: Decision, topic: str, rank: Callable[[str], list[Candidate]], *,
            least: float = LEAST) -> Decision:
    ranked = next((c for c in rank(decision.key) if c.topic == topic), None)
    if ranked is None or ranked.probability < least:
        return decision
    return Decision("answer", decision.key, (ranked,), offers=decision.offers)


def _side(topic: str) -> str:
    return topic.partition(".")[0]
