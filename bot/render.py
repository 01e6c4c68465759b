"""Channel renderers: a neutral Reply → the messages one platform can show.

Telegram keeps buttons (an inline keyboard) and splits at 4,096 characters; Zalo has no buttons,
so options become a numbered list ("Trả lời 1, 2 hoặc 3") and text is split at 2,000; the console
shows numbered buttons. Answers by number or label are resolved by bot.choices on every channel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from handlers.shown_text import LIMITS, SPELLED_OUT, numbered_options, shown_text
from handlers.types import Attachment, Button, Channel, Reply

__all__ = ["LIMITS", "SPELLED_OUT", "Rendered", "numbered_options", "render", "split_text"]

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


def render(reply: Reply, channel: Channel) -> list[Rendered]:
    """The platform messages for ``reply`` on ``channel`` (at least one)."""
    keep_buttons = channel != Channel.ZALO
    parts = split_text(shown_text(reply, channel), LIMITS[channel]) or [""]
    messages = [Rendered(part) for part in parts]
    if keep_buttons:
        messages[-1].buttons = reply.buttons
    messages[-1].attachments = reply.attachments
    return messages
