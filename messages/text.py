"""Text normalisation shared by every layer: NFC and cleaning on the way in, diacritic-insensitive
keys. A leaf module (standard library only): storage/, handlers/ and bot/ all use it."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")

#: The most of one message the bot reads; a longer one is cut and the user is told so.
MAX_TEXT = 4000
_ASCII_DIGITS = re.compile(r"[0-9]+")
#: Format characters kept: the zero-width joiner and the tag characters that build emoji.
_KEPT_FORMAT = re.compile(r"[\u200d\U000e0020-\U000e007f]")
#: A keycap emoji digit ("1️⃣": the digit, an optional U+FE0F, U+20E3), and the keycap ten.
_KEYCAP = re.compile("([0-9])\ufe0f?\u20e3")
_KEYCAP_TEN = "\U0001f51f"


def nfc(text: str) -> str:
    """Unicode NFC form with surrounding white space removed (what we store)."""
    return unicodedata.normalize("NFC", text).strip()


def clean_text(text: str, limit: int = MAX_TEXT) -> tuple[str, bool]:
    """What the bot stores and reads of a typed text, and whether it had to be cut: surrogate
    pairs joined and lone surrogates replaced (they cannot be stored as UTF-8), control and
    invisible format characters dropped (line breaks kept, tabs as spaces), NFC, keycap emoji
    digits as their plain digits ("2️⃣" is "2": it answers the second option), stripped, at
    most ``limit`` characters."""
    # NFC can at most triple a text; cutting first bounds the work a huge message costs.
    head = text[: limit * 3 + 1]
    if head.isprintable():
        # The usual case, checked in C: no control, format, separator or surrogate character.
        cleaned = nfc(head)
    else:
        joined = head.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        cleaned = nfc("".join(_kept(ch) for ch in joined.replace("\r\n", "\n")))
    if "\u20e3" in cleaned or _KEYCAP_TEN in cleaned:
        cleaned = _KEYCAP.sub(r"\1", cleaned).replace(_KEYCAP_TEN, "10")
    cut = len(cleaned) > limit or len(text) > len(head)
    return cleaned[:limit].rstrip(), cut


def _kept(ch: str) -> str:
    if ch in "\n\r":
        return "\n"
    if ch == "\t":
        return " "
    category = unicodedata.category(ch)
    if category == "Cc" or (category == "Cf" and not _KEPT_FORMAT.match(ch)):
        return ""
    return ch


def ascii_digits(text: str) -> bool:
    """Only 0-9, at least one: "²", "①" and "٣" pass str.isdigit() but are not numbers here."""
    return bool(_ASCII_DIGITS.fullmatch(text))


def ascii_number(text: str, max_digits: int = 9) -> int | None:
    """The number ``text`` spells in at most ``max_digits`` ASCII digits, else None (int() of a
    few thousand digits is slow, and of more than 4,300 raises)."""
    return int(text) if len(text) <= max_digits and ascii_digits(text) else None


def fold_aligned(text: str) -> str:
    """``text`` folded letter by letter, its length kept (white space as it is): a match found in
    it is at the same place in ``text``. For finding and replacing a phrase however it is
    accented; ``fold`` is the key to compare on."""
    return "".join(_fold_letter(ch) for ch in text)


@lru_cache(maxsize=1024)
def _fold_letter(ch: str) -> str:
    folded = fold(ch) if not ch.isspace() else ch
    return folded if len(folded) == 1 else ch


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lower-case, diacritics removed (đ → d), white space collapsed: the key we compare on.
    Cached: every turn folds the same button labels and trigger phrases again."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip()
