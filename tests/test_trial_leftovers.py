"""Leftovers of the user trials, each driven through the engine on the console and Zalo (and
on SQLite and PostgreSQL through the ``app`` fixture)."""

from __future__ import annotations

import pytest

from bot.app import App
from handlers.textnorm import clean_text
from handlers.types import Channel
from tests.helpers import intents, say

CHANNELS = [Channel.CONSOLE, Channel.ZALO]


def test_keycap_digits_are_cleaned_to_plain_digits() -> None:
    assert clean_text("2\ufe0f\u20e3") == ("2", False)
    assert clean_text("3\u20e3") == ("3", False)  # without the variation selector
    assert clean_text(" 1\ufe0f\u20e3 ạ") == ("1 ạ", False)
    assert clean_text("\U0001f51f") == ("10", False)
    assert clean_text("#\ufe0f\u20e3") == ("#\ufe0f\u20e3", False)  # not a digit: left as is


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_keycap_emoji_digit_answers_the_option(app: App, channel: Channel) -> None:
    """«1️⃣» typed under the numbered consent options was read as text (the consent screen
    came again): a keycap digit is the plain digit, everywhere numbers answer options."""
    lines = await say(app, "u1", "tôi muốn đăng ký", channel=channel)
    assert intents(lines) == ["flow:intake.consent"]
    lines = await say(app, "u1", "1\ufe0f\u20e3", channel=channel)  # «Đồng ý»
    assert intents(lines)[-1] == "flow:intake.who", lines
    lines = await say(app, "u1", "1\u20e3", channel=channel)  # «Cho bản thân tôi»
    assert intents(lines)[-1] == "flow:intake.kind", lines
