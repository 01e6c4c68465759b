"""Greetings, thanks, "ok", "đợi chút" and goodbyes: recognised, answered kindly, never taken
as topics."""

from __future__ import annotations

from enum import StrEnum
from functools import cache

from handlers.understanding.normalise import drop_phrases, tokens
from messages import raw
from messages.lexicon import Lexicon, load_lexicon


class SmallTalk(StrEnum):
    GREETING = "greetings"
    THANKS = "thanks"
    ACK = "ack"
    BYE = "bye"
    HARD_TO_READ = "hard_to_read"
    #: "đợi chút", "từ từ": the person will go on in a moment ("doi chut" at the name question
    #: was saved as the name; "tu tu" got "which topic?").
    WAIT = "wait"


@cache
def _phrases(lexicon: Lexicon) -> tuple[tuple[tuple[str, ...], SmallTalk], ...]:
    found: list[tuple[tuple[str, ...], SmallTalk]] = []
    for kind in SmallTalk:
        for phrase in raw(f"faq.smalltalk.{kind.value}"):
            words = tuple(tokens(phrase, lexicon))
            if words:
                found.append((words, kind))
    # Longest first: "cam on nhieu" is one phrase, not "cam on" plus a stray word.
    return tuple(sorted(found, key=lambda pk: -len(pk[0])))


@cache
def _fillers(lexicon: Lexicon) -> frozenset[str]:
    """Words that may ride along small talk without making it a question ("ok em cảm ơn nha")."""
    phrases = raw("understanding.smalltalk_fillers")
    return frozenset(w for phrase in phrases for w in tokens(phrase, lexicon))


def without_courtesies(words: list[str], lexicon: Lexicon | None = None) -> list[str]:
    """``words`` without greetings and thanks ("dạ em chào anh, … em cảm ơn"): riding along a
    question, they say nothing about its topic."""
    lex = lexicon or load_lexicon()
    courtesies = (SmallTalk.GREETING, SmallTalk.THANKS)
    phrases = tuple(p for p, kind in _phrases(lex) if kind in courtesies)
    return drop_phrases(words, phrases)


def content_words(words: list[str], lexicon: Lexicon | None = None) -> list[str]:
    """``words`` without the pronouns and fillers that ride along small talk ("em", "chị")."""
    fillers = _fillers(lexicon or load_lexicon())
    return [w for w in words if w not in fillers]


def smalltalk_words(lexicon: Lexicon | None = None) -> frozenset[str]:
    """Every word of the small-talk phrases (normalised)."""
    lex = lexicon or load_lexicon()
    return frozenset(w for phrase, _ in _phrases(lex) for w in phrase) | _fillers(lex)


def smalltalk_kind(key: str, lexicon: Lexicon | None = None) -> SmallTalk | None:
    """The kind of small talk if ``key`` (a normalised message) is made only of it, else None.

    A message with nothing left after normalisation (an emoji, "ạ") counts as an acknowledgement.
    """
    words = key.split()
    if not words:
        return SmallTalk.ACK
    lex = lexicon or load_lexicon()
    fillers = _fillers(lex)
    words = [w for w in words if w not in fillers]
    if not words:
        return None
    phrases = _phrases(lex)
    kinds: list[SmallTalk] = []
    i = 0
    while i < len(words):
        for phrase, kind in phrases:
            if tuple(words[i : i + len(phrase)]) == phrase:
                kinds.append(kind)
                i += len(phrase)
                break
        else:
            return None
    # "ok cảm ơn" is thanks; "chào, cảm ơn nhé" too: thanks and goodbyes outrank the rest.
    # Saying one reads with difficulty asks for help, whatever rides along; "ok đợi chút" waits.
    for kind in (SmallTalk.HARD_TO_READ, SmallTalk.WAIT, SmallTalk.THANKS, SmallTalk.BYE,
                 SmallTalk.GREETING):
        if kind in kinds:
            return kind
    return SmallTalk.ACK
