"""Masking phone- and ID-like numbers in text that is kept or logged without the person.

A run of 9 or more digits (spaces, dots or dashes between them, an optional leading ``+``) is
what phones (0912 345 678, +84…), citizen ids (12 digits) and old ID cards (9) look like; it
becomes ``***``. Kept as they are: case references (``HY-2026-00042``), which officials need
to follow a question up, and amounts grouped in thousands (``150.000.000``).
"""

from __future__ import annotations

import re

MASK = "***"

_PATTERN = re.compile(
    r"(?P<ref>\b[A-Za-z]{1,10}-\d{4}-\d{1,6}\b)"
    r"|(?P<run>\+?\d(?:[ .\-]?\d){8,})"
)
_AMOUNT = re.compile(r"\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+")


def mask_numbers(text: str) -> str:
    """``text`` with every phone- or ID-like digit run replaced by ``***``."""
    return _PATTERN.sub(_replace, text)


def _replace(match: re.Match[str]) -> str:
    found = match.group()
    if match.group("ref") or _AMOUNT.fullmatch(found):
        return found
    return MASK
