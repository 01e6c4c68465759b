"""The reading lexicon (``messages/lexicon.toml``): abbreviations, units and filler words."""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

LEXICON_FILE = Path(__file__).parent / "lexicon.toml"


class LexiconError(ValueError):
    """The lexicon file is malformed (message names the table or key)."""


@dataclass(frozen=True, slots=True)
class SharedFact:
    """One fact several topics each answer part of (``[[shared]]``): a message holding one of
    ``phrases`` (and, when given, one of ``alongside``) that one of ``topics`` answers, with
    another of them close, gets both answers."""

    phrases: tuple[tuple[str, ...], ...]
    topics: tuple[str, ...]
    alongside: tuple[tuple[str, ...], ...] = ()
    #: How likely another topic must be to join the first, which tells the fact in full,
    #: when that one is answered (None: the matcher's bar for a clarify's options). 0 where
    #: the words themselves name the other ("EPS" is Korea's).
    close: float | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Lexicon:
    """Compared and hashed by identity, so caches can be keyed on it."""

    abbreviations: dict[str, tuple[str, ...]]
    units: dict[str, str]
    particles: frozenset[str]
    #: Longest first, so "cho em hoi chut" is removed before "cho em hoi".
    phrases: tuple[tuple[str, ...], ...]
    #: Topic id of a country → the (normalised) words naming it, longest first.
    countries: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    #: Topic id → phrases that make a message about something else ("vay mua xe máy" is not
    #: a loan to work abroad): a topic is never answered to a message holding one of them.
    not_topic: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    #: Words joining two questions in one message ("với lại"), compared with diacritics.
    joiners: tuple[str, ...] = ()
    #: Letters typed for others inside a word ("tjen" → "tien"), and at its start ("jo" →
    #: "gio"), for words not in ``abbreviations``.
    letters: dict[str, str] = field(default_factory=dict)
    letters_initial: dict[str, str] = field(default_factory=dict)
    #: Word sequences read as others in context ("di han" → "di han quoc"), longest first.
    rewrites: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    #: Phrases that place a message's matter in Vietnam ("cong ty o bac giang no luong"), and
    #: the words that place it abroad after all: a message with the first and none of the
    #: second (nor a country) is not about working abroad.
    domestic: tuple[tuple[str, ...], ...] = ()
    abroad: tuple[tuple[str, ...], ...] = ()
    #: Topics about vocational classes not answered to a message about working abroad that
    #: holds none of ``class_words`` (``[abroad_not_class]``).
    abroad_not_class: frozenset[str] = frozenset()
    class_words: tuple[tuple[str, ...], ...] = ()
    #: A last word that is padding after one of its words ("ai vay": "vậy" typed without
    #: diacritics, not a loan), folded.
    endings: dict[str, frozenset[str]] = field(default_factory=dict)
    #: Topic id → phrases one of which the message must hold (folded, particles kept) for the
    #: topic to be answered: the bot itself is answered only to a message that speaks of it.
    needs: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    #: Words naming a phone or ID number typed right before it ("sdt", "căn cước"), and the
    #: words that may sit between them ("của em là"), longest first (``[personal_numbers]``).
    number_labels: tuple[tuple[str, ...], ...] = ()
    number_links: tuple[tuple[str, ...], ...] = ()
    birth_labels: tuple[tuple[str, ...], ...] = ()
    birth_not_after: tuple[tuple[str, ...], ...] = ()
    shared: tuple[SharedFact, ...] = ()
    #: Words around a country's name that ask the last question again about it ("thế còn",
    #: "thì sao"): a message of nothing else is a follow-up (``[follow_up]``), longest first.
    follow_up: tuple[tuple[str, ...], ...] = ()
    #: Topic → its twin of the other group (``[twins]``, both ways): the same question about
    #: classes or about working abroad ("bao giờ được tiền hỗ trợ"), answered as the person's
    #: own matter is when the message names neither.
    twins: dict[str, str] = field(default_factory=dict)
    #: Topic → the other group's topic its question is there (``[twins_unranked]``, one way),
    #: taken however the classifier ranks it: "đăng ký kiểu gì" is ranked as the class
    #: registration's question only.
    twins_unranked: dict[str, str] = field(default_factory=dict)
    #: Words telling someone is in the country already ("đang làm việc ở Nhật",
    #: ``[already_there]``): a clause saying so and asking nothing is the story, not a
    #: question about the country.
    already_there: tuple[tuple[str, ...], ...] = ()
    #: Words naming the bot itself (``[bot]``), folded: a question naming it about its own
    #: topics is its own to answer.
    bot_names: tuple[tuple[str, ...], ...] = ()


def _str_table(data: dict[str, object], name: str) -> dict[str, str]:
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise LexiconError(f"[{name}] must be a table")
    out: dict[str, str] = {}
    for key, value in table.items():
        if not isinstance(value, str):
            raise LexiconError(f"[{name}] {key}: the value must be a string")
        out[key.lower()] = value.lower()
    return out


def _table(data: dict[str, object], name: str) -> dict[str, object]:
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise LexiconError(f"[{name}] must be a table")
    return table


def _str_list(table: dict[str, object], name: str, section: str = "particles") -> list[str]:
    values = table.get(name, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise LexiconError(f"[{section}] {name} must be a list of strings")
    return [unicodedata.normalize("NFC", v).lower() for v in values]


def _phrase_table(data: dict[str, object], name: str) -> dict[str, tuple[tuple[str, ...], ...]]:
    """A table of topic id → list of phrases (each kept as its words, longest first)."""
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise LexiconError(f"[{name}] must be a table")
    out: dict[str, tuple[tuple[str, ...], ...]] = {}
    for topic, words in table.items():
        if not isinstance(words, list) or not all(isinstance(w, str) and w.split() for w in words):
            raise LexiconError(f"[{name}] {topic}: a list of words")
        out[topic] = _longest_first({tuple(w.lower().split()) for w in words})
    return out


def _phrases(table: dict[str, object], name: str, section: str) -> tuple[tuple[str, ...], ...]:
    """A list of phrases, each kept as its words, longest first."""
    return _longest_first({tuple(p.split()) for p in _str_list(table, name, section)
                           if p.split()})


def _longest_first(phrases: set[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    """Longest first, and phrases of one length in a fixed order: a set's order changes from
    one process to the next, and with it which of two overlapping phrases is found first."""
    return tuple(sorted(phrases, key=lambda phrase: (-len(phrase), phrase)))


def _rewrites(data: dict[str, object]) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    pairs = [(tuple(k.split()), tuple(v.split())) for k, v in _str_table(data, "rewrites").items()]
    if any(not k or not v for k, v in pairs):
        raise LexiconError("[rewrites] keys and values must hold words")
    return tuple(sorted(pairs, key=lambda kv: -len(kv[0])))


def parse_lexicon(data: dict[str, object]) -> Lexicon:
    """A Lexicon from the parsed TOML document."""
    particles = data.get("particles", {})
    if not isinstance(particles, dict):
        raise LexiconError("[particles] must be a table")
    phrases = _longest_first({tuple(p.split()) for p in _str_list(particles, "phrases")})
    return Lexicon(
        abbreviations={k: tuple(v.split()) for k, v in _str_table(data, "abbreviations").items()},
        units=_str_table(data, "units"),
        particles=frozenset(_str_list(particles, "words")),
        phrases=tuple(phrases),
        countries=_phrase_table(data, "countries"),
        not_topic=_phrase_table(data, "not_topic"),
        joiners=tuple(_str_list(_table(data, "clauses"), "joiners", "clauses")),
        rewrites=_rewrites(data),
        letters=_str_table(data, "letters"),
        letters_initial=_str_table(data, "letters_initial"),
        domestic=_phrases(_table(data, "domestic"), "phrases", "domestic"),
        abroad=_phrases(_table(data, "domestic"), "abroad", "domestic"),
        abroad_not_class=frozenset(
            _str_list(_table(data, "abroad_not_class"), "topics", "abroad_not_class")),
        class_words=_phrases(_table(data, "abroad_not_class"), "class_words", "abroad_not_class"),
        endings=_endings(particles),
        needs=_phrase_table(data, "needs"),
        number_labels=_phrases(_table(data, "personal_numbers"), "labels", "personal_numbers"),
        number_links=_phrases(_table(data, "personal_numbers"), "links", "personal_numbers"),
        birth_labels=_phrases(_table(data, "personal_numbers"), "birth_labels",
                              "personal_numbers"),
        birth_not_after=_phrases(_table(data, "personal_numbers"), "birth_not_after",
                                 "personal_numbers"),
        shared=_shared(data),
        follow_up=_phrases(_table(data, "follow_up"), "words", "follow_up"),
        already_there=_phrases(_table(data, "already_there"), "words", "already_there"),
        bot_names=_phrases(_table(data, "bot"), "names", "bot"),
        twins=_twins(data),
        twins_unranked=_str_table(data, "twins_unranked"),
    )


def _twins(data: dict[str, object]) -> dict[str, str]:
    pairs = _str_table(data, "twins")
    both = {**pairs, **{twin: topic for topic, twin in pairs.items()}}
    if len(both) != 2 * len(pairs):
        raise LexiconError("[twins]: a topic has two twins")
    return both


def _shared(data: dict[str, object]) -> tuple[SharedFact, ...]:
    facts = data.get("shared", [])
    if not isinstance(facts, list) or not all(isinstance(f, dict) for f in facts):
        raise LexiconError("[[shared]] must be an array of tables")
    out = []
    for number, fact in enumerate(facts, 1):
        section = f"shared #{number}"
        phrases = _phrases(fact, "phrases", section)
        topics = tuple(_str_list(fact, "topics", section))
        if not phrases or len(topics) < 2:
            raise LexiconError(f"[[shared]] #{number}: phrases and at least two topics")
        close = fact.get("close")
        if close is not None and (not isinstance(close, int | float) or not 0 <= close <= 1):
            raise LexiconError(f"[[shared]] #{number}: close must be a number from 0 to 1")
        out.append(SharedFact(phrases, topics, _phrases(fact, "alongside", section),
                              None if close is None else float(close)))
    return tuple(out)


def _endings(particles: dict[str, object]) -> dict[str, frozenset[str]]:
    table = particles.get("endings", {})
    if not isinstance(table, dict):
        raise LexiconError("[particles] endings must be a table")
    return {word: frozenset(_str_list(table, word)) for word in table}


@cache
def load_lexicon(path: Path = LEXICON_FILE) -> Lexicon:
    """The lexicon, read once per process."""
    with path.open("rb") as fh:
        return parse_lexicon(tomllib.load(fh))
