"""Text normalisation shared by every matcher: NFC on the way in, diacritic-insensitive keys."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from messages import raw

_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    """Unicode NFC form with surrounding white space removed (what we store)."""
    return unicodedata.normalize("NFC", text).strip()


def fold(text: str) -> str:
    """Lower-case, diacritics removed (đ → d), white space collapsed: the key we compare on."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip()


@cache
def folded_phrases(key: str) -> frozenset[str]:
    """The phrase list under a messages key, folded for matching; folded once, because the
    router offers every free text to several such lists."""
    return frozenset(fold(p) for p in raw(key))
