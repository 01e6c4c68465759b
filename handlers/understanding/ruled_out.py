"""The lexicon's rules that take topics out of a ranking: the message is clearly about
something else (``[not_topic]``, ``[domestic]``), or does not speak of what the topic needs
(``[needs]``). Applied wherever topics are chosen: the ranking, the second opinion, the answered
topics (handlers/understanding/matcher.py)."""

from __future__ import annotations

from handlers.textnorm import phrase_key
from handlers.understanding.decision import ABROAD_GROUP, Candidate
from handlers.understanding.phrases import any_in, phrase_in
from messages.lexicon import Lexicon


def spoken(text: str) -> str:
    """The message's words as typed, folded and padded, polite words and all: what ``[needs]``
    phrases are looked for in ("bot" is a particle of the matching key)."""
    return f" {phrase_key(text)} "


def countries_named(lexicon: Lexicon, key: str) -> list[str]:
    """The country topics whose names (lexicon ``[countries]``) the message holds."""
    padded = f" {key} "
    return [topic for topic, names in lexicon.countries.items()
            if any(phrase_in(padded, name) for name in names)]


def without_ruled_out(lexicon: Lexicon, key: str, ranked: list[Candidate],
                      words: str | None = None) -> list[Candidate]:
    """The ranking without the topics the message is clearly not about (lexicon
    ``[not_topic]``, where ``"abroad.*"`` is every topic of a group and ``#`` any number;
    ``[domestic]`` for a matter at home): "học phí bao nhiêu" is decided among the others, not
    left unanswered because the abroad costs ranked first. With ``words`` (the message as
    typed, see ``spoken``), also without the topics whose ``[needs]`` it lacks ("IM Japan là
    cái gì" does not speak of the bot)."""
    padded = f" {key} "
    needs = lexicon.needs if words is not None else {}
    ranked = [c for c in ranked if c.topic not in needs or any_in(words or "", needs[c.topic])]
    not_topic = lexicon.not_topic
    held: dict[str, bool] = {}

    def holds(name: str) -> bool:
        if name not in held:
            held[name] = any_in(padded, not_topic.get(name, ()))
        return held[name]

    at_home = any_in(padded, lexicon.domestic) and not (
        any_in(padded, lexicon.abroad) or countries_named(lexicon, key))
    return [c for c in ranked
            if not (c.topic.startswith(ABROAD_GROUP) and at_home)
            and not holds(c.topic) and not holds(f"{c.topic.partition('.')[0]}.*")]
