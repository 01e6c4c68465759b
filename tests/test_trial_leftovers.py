"""Leftovers of the user trials, each driven through the engine on the console and Zalo (and
on SQLite and PostgreSQL through the ``app`` fixture)."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from sqlalchemy import select

from bot.app import App
from handlers.textnorm import clean_text
from handlers.types import Channel
from storage.models import Case, Contact, Course, Unit
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


async def _unit_id(app: App, name: str) -> int:
    async with app.db.session() as session:
        unit_id = await session.scalar(
            select(Unit.id).where(Unit.name == name, Unit.valid_to.is_(None)))
    assert unit_id is not None
    return unit_id


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_class_with_no_seat_left_says_it_is_full(app: App, channel: Channel) -> None:
    """A class whose seats were all taken read "… 0 chỗ" (or its number of seats, as if
    free): the list says the seats still free, «hết chỗ» when none is, and nothing of seats
    when the class data gives none (it read "0 chỗ")."""
    await say(app, "u1", "chào", channel=channel)
    bach_xa = await _unit_id(app, "Bạch Xa")
    async with app.db.session() as session, session.begin():
        contact_id = await session.scalar(select(Contact.id))
        full, free, unset = (
            Course(code=code, occupation=trade, unit_id=bach_xa, start_date=date(2026, 8, day),
                   seats=seats)
            for code, trade, day, seats in [("BXF", "Nghề may", 3, 2), ("BXO", "Nghề mộc", 4, 5),
                                            ("BXU", "Nghề hàn", 5, 0)])
        session.add_all([full, free, unset])
        await session.flush()
        taken = [(full.id, "new"), (full.id, "called"), (free.id, "new"), (free.id, "waitlist")]
        session.add_all([
            Case(ref=f"HY-2026-0990{n}", contact_id=contact_id, kind="course", course_id=course,
                 unit_id=bach_xa, status=status)
            for n, (course, status) in enumerate(taken)])
    lines = await say(app, "u1", "lớp ở Bạch Xa", channel=channel)
    listing = lines[-1]["text"].splitlines()
    details = {line.split(".")[1].split("–")[0].strip(): after
               for line, after in pairwise(listing) if line.endswith("– Bạch Xa")}
    assert details == {
        "Nghề may": "   03/08, thời gian chưa rõ, hết chỗ",
        "Nghề mộc": "   04/08, thời gian chưa rõ, 4 chỗ",
        "Nghề hàn": "   05/08, thời gian chưa rõ",
    }, listing
    assert "0 chỗ" not in lines[-1]["text"]
