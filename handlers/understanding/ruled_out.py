"""The lexicon's rules that take topics out of a ranking: the message is clearly about
something else (``[not_topic]``, ``[domestic]``), or does not speak of what the topic needs
(``[needs]``). Applied wherever topics are chosen: the ranking, the second opinion, the answered
topics (handlers/understanding/matcher.py)."""

from __future__ import annotations

from functools import lru_cache

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
    needs = lexicon.needs if words is not None else {}
    ranked = [c for c in ranked if c.topic not in needs or any_in(words or "", needs[c.topic])]
    held, at_home = _rules_held(lexicon, key)
    return [c for c in ranked
            if not (c.topic.startswith(ABROAD_GROUP) and at_home)
            and c.topic not in held and f"{c.topic.partition('.')[0]}.*" not in held]


@lru_cache(maxsize=256)
def _rules_held(lexicon: Lexicon, key: str) -> tuple[frozenset[str], bool]:
    """The ``[not_topic]`` names whose phrases ``key`` holds (and ``[abroad_not_class]``'s
    topics), and whether it speaks of a matter at home (``[domestic]``, no word of abroad):
    read once per message, not once for each of the several rankings a message's decision
    filters."""
    padded = f" {key} "
    held = frozenset(name for name, phrases in lexicon.not_topic.items()
                     if any_in(padded, phrases))
    held |= class_topics_set_aside(lexicon, key)
    return held, any_in(padded, lexicon.domestic) and not _abroad(lexicon, padded, key)


@lru_cache(maxsize=256)
def class_topics_set_aside(lexicon: Lexicon, key: str) -> frozenset[str]:
    """The topics about classes set aside because the message is about working abroad and
    says nothing of a class (``[abroad_not_class]``)."""
    padded = f" {key} "
    if _abroad(lexicon, padded, key) and not any_in(padded, lexicon.class_words):
        return lexicon.abroad_not_class
    return frozenset()


def names_a_group(lexicon: Lexicon, key: str) -> bool:
    """Does the message say whether it is about working abroad or about classes (a word of
    going abroad or a country; a word of learning)?"""
    padded = f" {key} "
    return _abroad(lexicon, padded, key) or any_in(padded, lexicon.class_words)


def _abroad(lexicon: Lexicon, padded: str, key: str) -> bool:
    """Does the message speak of going abroad (a word of it, or a country's name)?"""
    return any_in(padded, lexicon.abroad) or bool(countries_named(lexicon, key))
