"""How the lexicon's phrases are found in a normalised message (a key: folded words joined by
single spaces): whole words only, ``#`` for any number, a group of phrases as one regular
expression; where a message asking two things is cut; a commune's name read as "commune"."""

from __future__ import annotations

import re
from functools import cache


def clause_pattern(joiners: tuple[str, ...]) -> re.Pattern[str]:
    """Where a message asking two things is cut: punctuation, and the joining words of the
    lexicon ([clauses])."""
    words = "|".join(re.escape(j) for j in sorted(joiners, key=len, reverse=True))
    return re.compile(r"[,;?!.\n]+" + (rf"|\b(?:{words})\b" if words else ""))


#: In a ``[not_topic]`` phrase, any number: "con học lớp 7" is a child's school.
NUMBER = "#"


def phrase_in(padded: str, phrase: tuple[str, ...]) -> bool:
    """Whether the words of ``phrase`` are in ``padded`` (a key with a space each side)."""
    return _any_pattern((phrase,)).search(padded) is not None


def any_in(padded: str, phrases: tuple[tuple[str, ...], ...]) -> bool:
    """Whether any of ``phrases`` is in ``padded``: one regular expression for them all (a
    ``[not_topic]`` group holds a hundred phrases, looked at for every ranked topic)."""
    return bool(phrases) and _any_pattern(phrases).search(padded) is not None


@cache
def _any_pattern(phrases: tuple[tuple[str, ...], ...]) -> re.Pattern[str]:
    alternatives = (" ".join(r"\d+" if w == NUMBER else re.escape(w) for w in phrase)
                    for phrase in phrases)
    # Overlapping phrases need a lookahead for the closing space: " a b " and " b c " may
    # share the space between them.
    return re.compile(f" (?:{'|'.join(alternatives)})(?= )")


#: What a commune's name is read as (the word for commune, without diacritics).
COMMUNE_WORD = "xa"


def commune_as_word(words: list[str], communes: tuple[tuple[str, ...], ...]) -> list[str]:
    """Every commune name in ``words`` replaced by the word for commune ("xã Phù Lưu" → "xa");
    where names overlap, the first of ``communes`` that matches."""
    starting = _by_first_word(communes)
    out: list[str] = []
    i = 0
    while i < len(words):
        name = next((c for c in starting.get(words[i], ()) if tuple(words[i:i + len(c)]) == c),
                    None)
        if name is None:
            out.append(words[i])
            i += 1
            continue
        if not out or out[-1] != COMMUNE_WORD:
            out.append(COMMUNE_WORD)
        i += len(name)
    return out


@cache
def _by_first_word(
    communes: tuple[tuple[str, ...], ...],
) -> dict[str, tuple[tuple[str, ...], ...]]:
    """The names by their first word, in their order: each word of every message looks up
    its own few names instead of trying them all."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for name in communes:
        if name:
            index.setdefault(name[0], []).append(name)
    return {word: tuple(names) for word, names in index.items()}
