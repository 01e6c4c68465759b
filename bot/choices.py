"""Turns a typed answer into the button it names: its number, its label without diacritics,
or the first words of exactly one label."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from handlers.callbacks import BadCallback, parse
from handlers.textnorm import fold, folded_phrases, is_phrases, option_number
from handlers.types import Inbound, InboundKind

#: Third element of a remembered option that answers to its label but has no number (an
#: option of an earlier message of the same turn: numbers belong to the latest message).
LABEL_ONLY = "label"


def typed_number(event: Inbound, last_buttons: list[Any]) -> int | None:
    """The number a TEXT event is, when it would pick one of the numbered ``last_buttons``."""
    if event.kind != InboundKind.TEXT:
        return None
    number = option_number(event.text)
    numbered = [b for b in last_buttons if len(b) == 2]
    return number if number is not None and 1 <= number <= len(numbered) else None


def resolve_choice(event: Inbound, last_buttons: list[Any], *, numbers: bool = True) -> Inbound:
    """A TEXT or label-only BUTTON event matching one of ``last_buttons`` ([[id, label], ...])
    becomes a BUTTON event carrying that button's id; anything else is returned unchanged.
    ``numbers=False``: a number picks nothing (the options belong to an older message)."""
    if event.kind not in (InboundKind.TEXT, InboundKind.BUTTON) or event.button_id:
        return event
    if not last_buttons:
        return _as_text(event)
    answer = event.text.strip().rstrip(".").strip()
    number = option_number(answer) if numbers else None
    if number is not None:
        index = number - 1
        numbered = [b for b in last_buttons if len(b) == 2]
        if 0 <= index < len(numbered):
            button_id, label = numbered[index]
            return replace(event, kind=InboundKind.BUTTON, button_id=button_id, text=label)
    key = fold(answer)
    for button_id, label, *_ in last_buttons:
        if fold(label) == key:
            return replace(event, kind=InboundKind.BUTTON, button_id=button_id, text=label)
    words = _words(answer)
    if len(words) >= MIN_PREFIX_WORDS:
        # "da goi" for «Đã gọi, chờ hồ sơ»: the first words of exactly one label.
        starting = [(b[0], b[1]) for b in last_buttons
                    if len(b) >= 2 and _words(str(b[1]))[: len(words)] == words]
        if len(starting) == 1:
            button_id, label = starting[0]
            return replace(event, kind=InboundKind.BUTTON, button_id=button_id, text=label)
    if event.kind == InboundKind.TEXT and is_phrases(answer, folded_phrases(YES_WORDS)):
        # "có" under "Đổi HY-… sang lớp May?": its one confirmation that takes a typed yes.
        yes = [(b[0], b[1]) for b in last_buttons if len(b) == 2 and _takes_yes(str(b[0]))]
        if len(yes) == 1:
            button_id, label = yes[0]
            return replace(event, kind=InboundKind.BUTTON, button_id=button_id, text=label)
    return _as_text(event)


#: The words that say yes (the registration's consent reads the same list).
YES_WORDS = "intake.words_answer.consent_yes"


def _takes_yes(button_id: str) -> bool:
    try:
        return parse(button_id).typed_yes
    except BadCallback:
        return False


#: A label's first words name it when they are at least this many ("có" alone must not
#: confirm «Có, xóa hết»).
MIN_PREFIX_WORDS = 2
_PUNCTUATION = re.compile(r"[^\w\s]")


def _words(text: str) -> list[str]:
    return _PUNCTUATION.sub(" ", fold(text)).split()


def _as_text(event: Inbound) -> Inbound:
    # A pressed label we no longer know is treated as what it says.
    return replace(event, kind=InboundKind.TEXT) if event.kind == InboundKind.BUTTON else event
