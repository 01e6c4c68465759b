"""Matching helpers of the handlers on top of messages/text.py (where cleaning and folding live,
so that storage/ can use them without importing handlers/)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from functools import cache, lru_cache

from messages import raw
from messages.lexicon import load_lexicon
from messages.text import MAX_TEXT, ascii_digits, ascii_number, clean_text, fold, nfc

__all__ = [
    "MAX_TEXT", "after_lead", "ascii_digits", "ascii_number", "clean_text", "contains_phrase",
    "fold", "folded_phrases", "is_phrase", "is_phrases", "nfc", "option_number", "phrase_key",
]


def option_number(text: str) -> int | None:
    """The option number a typed answer is ("2", " 2. ", "２"), or None: at most 3 digits."""
    return ascii_number(text.strip().rstrip(".").strip(), max_digits=3)


@cache
def folded_phrases(key: str) -> frozenset[str]:
    """The phrase list under a messages key, folded for matching; folded once, because the
    router offers every free text to several such lists."""
    return frozenset(fold(p) for p in raw(key))


def is_word(word: str, key: str, plain: str | None = None) -> bool:
    """Is the typed word one of the words under ``key``: compared with its marks when typed
    with them ("Đặng" is a surname, "đang" is not); typed without, with the folded words of
    ``plain`` if given (those that are what they are with any marks: "lam" may be Lâm), else
    of ``key``."""
    lower = nfc(word).lower()
    if fold(lower) == lower:
        return lower in folded_phrases(plain or key)
    return lower in _marked(key)


@cache
def _marked(key: str) -> frozenset[str]:
    return frozenset(nfc(p).lower() for p in raw(key))


_PUNCT = re.compile(r"[^\w\s/]")
#: Politeness typed around a short answer ("không có ạ", "ok ạ", "đúng rồi nhé").
_PARTICLES = frozenset({"a", "ah", "ak", "nhe", "nha", "oi", "e", "em", "anh", "chi", "vay"})


def phrase_key(text: str) -> str:
    """Folded, punctuation and signs as spaces, single spaces: what typed words are compared as."""
    return " ".join(_PUNCT.sub(" ", fold(text)).split())


#: Signs that only say who makes a gesture ("🙆‍♀️" is "🙆"): set aside with skin tones.
_GENDER_SIGNS = frozenset("\u2640\u2642")


def signs_key(text: str) -> str:
    """The emoji signs of a text, each once, skin tones, genders and joiners aside ("👍🏽👍"
    is "👍"): what a message of signs alone is compared as."""
    signs = (ch for ch in text if unicodedata.category(ch) == "So" and ch not in _GENDER_SIGNS)
    return "".join(dict.fromkeys(signs))


def only_signs(text: str) -> bool:
    """Typed signs only ("@@", "...", "👍"): no letter or digit to answer or to ask with."""
    return bool(text.strip()) and not any(ch.isalnum() for ch in text)


def is_phrase(text: str, phrases: Collection[str]) -> bool:
    """Is the answer one of ``phrases`` (folded, punctuation and polite particles aside)? A
    message of signs alone ("👍", "👌👌") is one when its signs are ("👍" in the list)."""
    key = phrase_key(text)
    if not key:
        signs = signs_key(text)
        return bool(signs) and signs in phrases
    return any(k in phrases or " ".join(w for w in k.split() if w not in _PARTICLES) in phrases
               for k in dict.fromkeys((key, _spelt_out(key))))


def spelt_key(text: str) -> str:
    """``phrase_key`` with chat short forms written out ("giay to j" → "giay to gi")."""
    return _spelt_out(phrase_key(text))


@lru_cache(maxsize=4096)  # typed text: bounded, the bot runs for months
def _spelt_out(key: str) -> str:
    """``key`` with chat short forms written out ("chuan r" → "chuan roi", "k" → "khong"; the
    lexicon's ``[abbreviations]``), so a phrase list needs each phrase once."""
    short = load_lexicon().abbreviations
    return " ".join(w for word in key.split() for w in short.get(word, (word,)))


def is_phrases(text: str, phrases: Collection[str]) -> bool:
    """Is the answer one or more of ``phrases`` in a row ("ok đồng ý", "dạ vâng, đúng rồi ạ"),
    polite particles aside? For lists whose phrases all say one thing (a yes, a no): saying it
    twice says it still. Not for lists of different things (two communes are not a commune)."""
    if is_phrase(text, phrases):
        return True
    words = [w for w in _spelt_out(phrase_key(text)).split() if w not in _PARTICLES]
    longest = max((len(p.split()) for p in phrases), default=0)
    # ends[i]: the first i words are phrases of the list, one after another.
    ends = [True] + [False] * len(words)
    for i in range(1, len(words) + 1):
        ends[i] = any(ends[i - n] and " ".join(words[i - n:i]) in phrases
                      for n in range(1, min(longest, i) + 1))
    return len(words) > 1 and ends[-1]


def after_lead(text: str, leads: Collection[str]) -> str | None:
    """The words of ``text`` after one of ``leads`` (folded phrases, the longest first) that
    it starts with ("thôi đừng gửi tin nữa" → "dung gui tin nua"); None when it starts with
    none, or is nothing else."""
    words = phrase_key(text).split()
    for lead in sorted(leads, key=len, reverse=True):
        n = len(lead.split())
        if words[:n] == lead.split() and len(words) > n:
            return " ".join(words[n:])
    return None


def contains_phrase(text: str, phrases: Collection[str]) -> bool:
    """Does one of ``phrases`` (folded) stand as whole words in the text?"""
    key = phrase_key(text)
    return any(f" {p} " in f" {k} " for k in dict.fromkeys((key, _spelt_out(key)))
               for p in phrases)
