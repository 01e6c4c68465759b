"""Channel renderers: a neutral Reply → the messages one platform can show.

Telegram keeps buttons (an inline keyboard) and splits at 4,096 characters; Zalo has no buttons,
so options become a numbered list ("Trả lời 1, 2 hoặc 3") and text is split at 2,000; the console
shows numbered buttons. Answers by number or label are resolved by bot.choices on every channel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from handlers.types import Attachment, Button, Channel, Reply
from messages import t

LIMITS = {Channel.TELEGRAM: 4096, Channel.ZALO: 2000, Channel.CONSOLE: 4096}

#: Up to this many options the hint names every number; beyond it, the range.
SPELLED_OUT = 5

_SENTENCE_END = re.compile(r"(?<=[.!?…:;])\s+|\n")


@dataclass(slots=True)
class Rendered:
    """One platform message."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


def split_text(text: str, limit: int) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` characters, at paragraph, line or sentence
    boundaries where possible, at a space otherwise, mid-word only for a word longer than a part."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = window.rfind("\n\n")
        if cut < limit // 3:
            cut = max(
                (m.end() for m in _SENTENCE_END.finditer(window) if m.end() <= limit), default=-1
            )
        if cut < limit // 3:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return [p for p in parts if p]


def numbered_options(buttons: list[Button], listed: int = 0) -> str:
    """The options as a numbered list and the hint how to answer; the first ``listed`` are
    already numbered in the text (Reply.listed), so only the numbers after them are written."""
    lines = [f"{i}. {b.label}" for i, b in enumerate(buttons, start=1)][listed:]
    numbers = [str(i) for i in range(1, len(buttons) + 1)]
    if len(numbers) > SPELLED_OUT:
        # "1, 2, 3, 4, 5, 6, 7, 8, 9, 10 hoặc 11" is longer than the list it explains.
        return "\n".join([*lines, t("menu.choose_range", last=len(numbers))])
    if len(numbers) == 1:
        spoken = numbers[0]
    else:
        spoken = f"{', '.join(numbers[:-1])} {t('menu.choose_or')} {numbers[-1]}"
    return "\n".join([*lines, t("menu.choose_hint", numbers=spoken)])


def render(reply: Reply, channel: Channel) -> list[Rendered]:
    """The platform messages for ``reply`` on ``channel`` (at least one)."""
    buttons = reply.all_buttons()
    text = reply.text
    keep_buttons = channel != Channel.ZALO
    if buttons and not keep_buttons:
        options = numbered_options(buttons, min(reply.listed, len(buttons)))
        text = f"{text}\n\n{options}" if text else options
    parts = split_text(text, LIMITS[channel]) or [""]
    messages = [Rendered(part) for part in parts]
    if keep_buttons:
        messages[-1].buttons = reply.buttons
    messages[-1].attachments = reply.attachments
    return messages
