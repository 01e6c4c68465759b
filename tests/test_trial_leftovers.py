"""Leftovers of the user trials, each driven through the engine on the console and Zalo (and
on SQLite and PostgreSQL through the ``app`` fixture)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from handlers.textnorm import clean_text
from handlers.types import Channel
from storage.models import Contact
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


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("sign", ["👍", "👍🏽", "👌👌", "🙆\u200d♀\ufe0f"])
async def test_a_thumbs_up_at_the_consent_screen_agrees(
    app: App, channel: Channel, sign: str
) -> None:
    """«👍» under "Anh/chị có đồng ý không?" re-sent the whole consent text; it agrees, as
    "ok" and "có" do (intake.words_answer.consent_yes)."""
    await say(app, "u1", "tôi muốn đăng ký", channel=channel)
    lines = await say(app, "u1", sign, channel=channel)
    assert intents(lines) == ["flow:intake.who"], lines
    assert await _consent_version(app, "u1") == "dk-2026-3"


@pytest.mark.parametrize("sign", ["!!!", "😀"])
async def test_other_signs_at_the_consent_screen_ask_again(app: App, sign: str) -> None:
    await say(app, "u1", "tôi muốn đăng ký")
    lines = await say(app, "u1", sign)
    assert intents(lines)[-1] == "flow:intake.consent", lines
    assert await _consent_version(app, "u1") is None


async def _consent_version(app: App, user: str) -> str | None:
    async with app.db.session() as session:
        contact = await session.scalar(select(Contact).where(Contact.platform_user_id == user))
    assert contact is not None
    return contact.consent_version
