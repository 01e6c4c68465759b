"""What one reply looks like as text on a channel, before it is split to the channel's length:
the limits and the numbered options Zalo shows instead of buttons. The renderers
(bot/render.py) use it, and a handler that must keep a reply within one message (an
announcement's preview) measures with the same rules."""

from __future__ import annotations

from handlers.types import Button, Channel, Reply
from messages import t

#: A message's most characters on each channel (longer text is split into several).
LIMITS = {Channel.TELEGRAM: 4096, Channel.ZALO: 2000, Channel.CONSOLE: 4096}

#: Up to this many options the hint names every number; beyond it, the range.
SPELLED_OUT = 5


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


def shown_text(reply: Reply, channel: Channel) -> str:
    """The reply's whole text on ``channel``: on Zalo (no buttons) its options written under
    it; elsewhere the text alone (the buttons are the platform's)."""
    buttons = reply.all_buttons()
    if channel != Channel.ZALO or not buttons:
        return reply.text
    options = numbered_options(buttons, min(reply.listed, len(buttons)))
    return f"{reply.text}\n\n{options}" if reply.text else options
