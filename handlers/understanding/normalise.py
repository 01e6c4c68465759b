"""Informal Vietnamese → one comparable key: "Đi XKLĐ hàn hết bn tiềnnn ạ??" → "di xuat khau lao
dong han het bao nhieu tien".

Steps: NFC and lower case; punctuation and emoji become spaces; filler particles are dropped
while diacritics still tell "vậy" (so) from "vay" (a loan); diacritics folded (đ → d); letters
typed three times or more squeezed; short forms and teencode expanded (lexicon data); a last
word that is padding after a question word dropped ("ai vay" once "vậy" lost its marks); words
read in context ("đi hàn" is Korea, "hết hạn" is not); padding phrases ("cho em hỏi") removed.
"""

from __future__ import annotations

import re
import unicodedata

from handlers.textnorm import fold
from messages.lexicon import Lexicon, load_lexicon

#: Anything that is not a letter, a digit or white space (punctuation, symbols, emoji).
_NOT_WORD = re.compile(r"[^\w\s]|_", re.UNICODE)
_NUMBER_UNIT = re.compile(r"^(\d+(?:[.,]\d+)?)([a-z]+)$")
#: "khongggg", "diii": a letter three times or more is one letter. Doubles stay: folded "ưu"
#: is "uu" and "xoong" has "oo".
_REPEATS = re.compile(r"([a-z])\1{2,}")
#: Doubled final letters ("nhaa", "dcc") are typing noise except for the vowels above.
_DOUBLE_END = re.compile(r"([a-np-tv-z])\1$")


def _squeeze(token: str) -> str:
    return _DOUBLE_END.sub(r"\1", _REPEATS.sub(r"\1", token))


def _expand(token: str, lex: Lexicon) -> list[str]:
    match = _NUMBER_UNIT.match(token)
    if match:
        number, unit = match.groups()
        return [number, lex.units.get(unit, unit)]
    if token not in lex.abbreviations and (lex.letters or lex.letters_initial):
        token = _respell(token, lex)
    return list(lex.abbreviations.get(token, (token,)))


def _respell(token: str, lex: Lexicon) -> str:
    """Letters typed for others ("tjen" → "tien", "jo" → "gio"), per the lexicon."""
    head = next((f for f in lex.letters_initial if token.startswith(f) and len(token) > len(f)),
                None)
    if head is not None:
        token = lex.letters_initial[head] + token[len(head):]
        start = len(lex.letters_initial[head])
    else:
        start = 0
    rest = token[start:]
    for typed, meant in lex.letters.items():
        rest = rest.replace(typed, meant)
    return token[:start] + rest


def drop_phrases(tokens: list[str], phrases: tuple[tuple[str, ...], ...]) -> list[str]:
    """``tokens`` without each word sequence of ``phrases`` (a rewrite to nothing)."""
    return rewrite(tokens, tuple((phrase, ()) for phrase in phrases))


def rewrite(tokens: list[str], rules: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
            ) -> list[str]:
    """Each word sequence of ``rules`` (longest first) replaced by its reading."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for phrase, reading in rules:
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                out.extend(reading)
                i += len(phrase)
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def tokens(text: str, lexicon: Lexicon | None = None) -> list[str]:
    """The normalised words of ``text`` (see the module docstring)."""
    lex = lexicon or load_lexicon()
    lowered = unicodedata.normalize("NFC", text).lower()
    words = _NOT_WORD.sub(" ", lowered).split()
    out: list[str] = []
    for word in words:
        if word in lex.particles:
            continue
        folded = fold(word)
        # A listed short form is read before squeezing: "cccd" is not "cd".
        folded = folded if folded in lex.abbreviations else _squeeze(folded)
        if folded in lex.particles:
            continue
        out.extend(_expand(folded, lex))
    if len(out) >= 2 and out[-2] in lex.endings.get(out[-1], ()):
        out.pop()
    return drop_phrases(rewrite(out, lex.rewrites), lex.phrases)


def normalise(text: str, lexicon: Lexicon | None = None) -> str:
    """The matching key of ``text``: normalised words joined by single spaces."""
    return " ".join(tokens(text, lexicon))
