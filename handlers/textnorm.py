"""Matching helpers of the handlers on top of messages/text.py (where cleaning and folding live,
so that storage/ can use them without importing handlers/)."""

from __future__ import annotations

from functools import cache

from messages import raw
from messages.text import MAX_TEXT, ascii_digits, ascii_number, clean_text, fold, nfc

__all__ = [
    "MAX_TEXT", "ascii_digits", "ascii_number", "clean_text", "fold", "folded_phrases", "nfc",
    "option_number",
]


def option_number(text: str) -> int | None:
    """The option number a typed answer is ("2", " 2. ", "２"), or None: at most 3 digits."""
    return ascii_number(text.strip().rstrip(".").strip(), max_digits=3)


@cache
def folded_phrases(key: str) -> frozenset[str]:
    """The phrase list under a messages key, folded for matching; folded once, because the
    router offers every free text to several such lists."""
    return frozenset(fold(p) for p in raw(key))
