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
from collections.abc import Container
from functools import cache, lru_cache

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


#: Keys of the Telex and VNI input methods left in a word when the phone's keyboard did not
#: turn them into marks ("hocj", "nhaatj", "dduwowcj", "tie6ng1"): a tone key at the end, a
#: doubled vowel or "dd", a "w" for the horn or breve, VNI's digits after a letter.
_VNI_DIGITS = re.compile(r"(?<=[a-z])[1-9]")
_TELEX_TONE_END = re.compile(r"(?<=[aeiouycmnptgh])[sfrxj]$")
_TELEX_HORN = re.compile(r"(?<=[aou])w")
_TELEX_DOUBLE = re.compile(r"(aa|ee|oo)")
#: ... or typed before the word's last consonants ("nhajt", "tiesn").
_TELEX_TONE_INSIDE = re.compile(r"(?<=[aeiouy])[sfrxj](?=[cmnptgh]+$)")


def untelex(token: str) -> str:
    """``token`` without the input-method keys left in it (see above); only a reading to try:
    the caller keeps it when the result is a known word."""
    plain = _VNI_DIGITS.sub("", token)
    plain = _TELEX_HORN.sub("", plain.replace("uow", "uo")).replace("w", "u")
    plain = _TELEX_TONE_END.sub("", plain) if _TELEX_TONE_END.search(plain) \
        else _TELEX_TONE_INSIDE.sub("", plain, count=1)
    if plain.startswith("dd"):
        plain = plain[1:]
    return _TELEX_DOUBLE.sub(lambda m: m.group(1)[0], plain)


def other_i(token: str) -> str | None:
    """The other spelling of a word ending in "i" or "y" after a consonant: Vietnamese writes
    "quỹ" and "quĩ", "kỹ" and "kĩ", "lý" and "lí" alike ("kí quĩ" is the deposit). Only a
    reading to try, as ``untelex``."""
    stem = token[:-1]
    # "qu" is a consonant: "quĩ" ends in a vowel after one, "tuy" does not.
    if not stem or (stem[-1] in "aeiouy" and not stem.endswith("qu")):
        return None
    if token[-1] == "i":
        return token[:-1] + "y"
    if token[-1] == "y":
        return token[:-1] + "i"
    return None


#: One Vietnamese syllable without diacritics: an unknown word of this shape is one word
#: misspelt or rare ("suong"), not two glued together.
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?")


#: Letters next to each other on a phone's keyboard (QWERTY, as Vietnamese is typed).
_KEY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS = {
    key: "".join(
        row2[i2] for row2_index, row2 in enumerate(_KEY_ROWS)
        for i2 in range(len(row2))
        if abs(row2_index - row_index) <= 1 and abs(i2 - i) <= 1 and row2[i2] != key)
    for row_index, row in enumerate(_KEY_ROWS) for i, key in enumerate(row)
}


def slipped_key(token: str, known: Container[str]) -> str | None:
    """The one known word ``token`` becomes with one letter replaced by a key next to it
    ("hab" → "han", "nuox" → "nuoc", "luomg" → "luong"); None when none or several do. Only a
    reading to try, for a word otherwise unknown, and one that cannot be a Vietnamese syllable
    as typed: an unknown real word ("trộm") must not become a known one ("trốn")."""
    if not token.isalpha() or not 3 <= len(token) <= 7 or _SYLLABLE.fullmatch(token):
        return None
    found = {token[:i] + other + token[i + 1:]
             for i, letter in enumerate(token) for other in _NEIGHBOURS.get(letter, "")}
    found = {w for w in found if w in known}
    return found.pop() if len(found) == 1 else None


def unglue(token: str, known: Container[str], most: int = 4) -> list[str] | None:
    """``token`` as the fewest known words typed without the spaces between them
    ("hocmaythang", "dangky", "maybay"), each of two letters or more; None if it is not.
    Only a reading to try, for a word otherwise unknown."""
    if not token.isalpha() or len(token) < 4 or _SYLLABLE.fullmatch(token):
        return None
    # best[i]: the fewest words that make up token[:i].
    best: list[list[str] | None] = [[]] + [None] * len(token)
    for end in range(2, len(token) + 1):
        for start in range(max(0, end - 7), end - 1):
            before = best[start]
            part = token[start:end]
            if before is not None and len(before) < most and part in known and (
                    best[end] is None or len(before) + 1 < len(best[end] or ())):
                best[end] = [*before, part]
    found = best[len(token)]
    return found if found is not None and len(found) >= 2 else None


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
    return rewrite(tokens, _as_removals(phrases))


@cache
def _as_removals(phrases: tuple[tuple[str, ...], ...]
                 ) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    return tuple((phrase, ()) for phrase in phrases)


Rules = tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]


@cache
def _by_first_word(rules: Rules) -> dict[str, Rules]:
    """The rules grouped by their first word, each group in the rules' order (longest first):
    a message's word is compared with the few rules that can start there, not all of them."""
    groups: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
    for phrase, reading in rules:
        if phrase:
            groups.setdefault(phrase[0], []).append((phrase, reading))
    return {word: tuple(group) for word, group in groups.items()}


def rewrite(tokens: list[str], rules: Rules) -> list[str]:
    """Each word sequence of ``rules`` (longest first) replaced by its reading."""
    starting = _by_first_word(rules)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for phrase, reading in starting.get(tokens[i], ()):
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
    return list(_tokens(text, lexicon or load_lexicon()))


#: One message is read by several readers (its key, the request's slots, the particulars…):
#: its words are worked out once.
@lru_cache(maxsize=1024)
def _tokens(text: str, lex: Lexicon) -> tuple[str, ...]:
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
    return tuple(drop_phrases(rewrite(out, lex.rewrites), lex.phrases))


def normalise(text: str, lexicon: Lexicon | None = None) -> str:
    """The matching key of ``text``: normalised words joined by single spaces."""
    return " ".join(tokens(text, lexicon))


#: Digits in a phone number (10, 11 with the country code) or an ID number (9 old, 12 new).
PERSONAL_DIGITS = range(9, 13)
#: How they start: a phone 0… or 84…, an ID number its province's code 0… (Tuyên Quang's is
#: 008 on the new card, 07… on the old): a sum of money ("150000000") is not one.
_PERSONAL_START = ("0", "84")
#: Years of birth of the people the office serves, said after ``birth_labels``.
_BIRTH_YEARS = range(1930, 2021)
#: A message shorter than this once the number is gone says nothing else: kept whole.
_WORDS_LEFT = 2


def _ends_with(words: list[str], phrases: tuple[tuple[str, ...], ...]) -> int:
    """How many last words of ``words`` are one of ``phrases`` (the longest), or 0."""
    return next((len(p) for p in phrases if p and tuple(words[-len(p):]) == p), 0)


def without_personal_numbers(
    words: list[str], lexicon: Lexicon | None = None, *, least: int = _WORDS_LEFT,
    births: bool = True,
) -> list[str]:
    """``words`` without the phone or ID numbers in them, and the words naming each number
    right around it (lexicon ``[personal_numbers]``: "so dien thoai 0912345678", "can cuoc
    008099001234 cua em"): the number does not say what the message asks, and its label would
    pull it to the office's phone or to privacy. A number typed in groups ("0912 345 678") is
    one number. A year of birth with its label ("sinh năm 1975") is left out too: it read as a
    birth certificate's business. When fewer than ``least`` words are left, the words are
    returned as they were ("sdt 0912345678" alone)."""
    lex = lexicon or load_lexicon()
    out: list[str] = []
    i = 0
    while i < len(words):
        if births and len(words[i]) == 4 and words[i].isascii() and words[i].isdigit() \
                and int(words[i]) in _BIRTH_YEARS:
            label = _ends_with(out, lex.birth_labels)
            # "thực tập sinh năm 2023", "hy sinh năm 1979": not a birth.
            if label and not _ends_with(out[: len(out) - label], lex.birth_not_after):
                del out[len(out) - label:]
                i += 1
                continue
        j, digits = i, 0
        while j < len(words) and words[j].isdigit() and digits < max(PERSONAL_DIGITS):
            digits += len(words[j])
            j += 1
        if j == i or digits not in PERSONAL_DIGITS or not words[i].startswith(_PERSONAL_START):
            out.append(words[i])
            i += 1
            continue
        # Before it: "của em là", then the label; after it, "của em".
        link = _ends_with(out, lex.number_links)
        label = _ends_with(out[: len(out) - link], lex.number_labels)
        if label:
            del out[len(out) - link - label:]
        after = next((len(p) for p in lex.number_links
                      if p[0] == "cua" and tuple(words[j:j + len(p)]) == p), 0)
        i = j + after
    if len(out) < least or len(out) == len(words):
        return words
    # The words around the number meet: "em [sdt 0912345678] muốn hỏi" is the padding "em
    # muốn hỏi", removed as in ``tokens``.
    return drop_phrases(out, lex.phrases)
