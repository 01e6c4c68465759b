"""Sixth user trial (a young man on Zalo registering for a class in chat short forms, then
asking about his class and quitting): what broke, kept from breaking again. Each test failed
on the code before its fix."""

from __future__ import annotations

import pytest

from bot.app import App
from handlers.types import Channel
from tests.helpers import intents, say, texts
from tests.intake_support import all_cases, fill_form

CHANNELS = [Channel.CONSOLE, Channel.ZALO]
COURSE = "Trồng và chế biến chè"


async def _at_summary(app: App, channel: Channel) -> None:
    lines = await fill_form(app, "y1", channel=channel, kind="Học nghề", choice=COURSE)
    assert intents(lines)[-1] == "flow:intake.summary"


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("text", ["chuan r", "ok r", "dc r a"])
async def test_a_confirmation_in_short_forms_confirms(
    app: App, channel: Channel, text: str
) -> None:
    # "chuan r" ("chuẩn rồi") got "answer by number" and the whole summary again.
    await _at_summary(app, channel)
    lines = await say(app, "y1", text, channel=channel)
    assert intents(lines)[0] == "flow:intake.done"


@pytest.mark.parametrize("channel", CHANNELS)
async def test_quitting_in_a_sentence_on_the_summary_asks_to_cancel(
    app: App, channel: Channel
) -> None:
    # "thoi e ko hoc nua" on the summary got "answer by number" and the summary again.
    await _at_summary(app, channel)
    lines = await say(app, "y1", "thoi e ko hoc nua", channel=channel)
    assert intents(lines) == ["flow:intake.cancel"]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_registered_he_asks_about_his_class_and_then_quits(
    app: App, channel: Channel
) -> None:
    await _at_summary(app, channel)
    await say(app, "y1", "chuẩn rồi", channel=channel)
    [case] = await all_cases(app)
    # "lop cua e bao h hoc" got the general timetable and every class.
    lines = await say(app, "y1", "lop cua e bao h hoc", channel=channel)
    assert len(lines) == 1 and intents(lines)[0].startswith("faq:training.")
    assert lines[0]["text"].startswith(f"Lớp đã đăng ký ({case.ref}): {COURSE} – ")
    assert "khai giảng" in lines[0]["text"]
    # "thoi e ko hoc nua" got "which topic?" among free classes and the timetable.
    lines = await say(app, "y1", "thoi e ko hoc nua", channel=channel)
    assert intents(lines) == ["flow:cases.withdraw_confirm"]
    assert case.ref in texts(lines)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_registered_when_or_where_is_his_class(app: App, channel: Channel) -> None:
    await _at_summary(app, channel)
    await say(app, "y1", "chuẩn rồi", channel=channel)
    [case] = await all_cases(app)
    # "hoc o dau a" got the general timetable and every class.
    for text in ("hoc o dau a", "bao gio thi hoc"):
        lines = await say(app, "y1", text, channel=channel)
        assert len(lines) == 1 and intents(lines) == ["faq:training.schedule"], lines
        assert lines[0]["text"].startswith(f"Lớp đã đăng ký ({case.ref}): {COURSE} – ")
    # The other classes are one option away.
    lines = await say(app, "y1", "1", channel=channel)
    assert intents(lines)[0] == "faq:training.courses"
    assert "Chọn số lớp để đăng ký" in texts(lines), lines
    # Another trade or commune named is a question about those classes.
    for text in ("lop nau an o dau", "lop o bach xa bao gio hoc"):
        lines = await say(app, "y1", text, channel=channel)
        assert not lines[0]["text"].startswith("Lớp đã đăng ký"), (text, lines)
        assert len(lines) == 2, (text, lines)


async def test_someone_registered_for_no_class_gets_the_timetable(app: App) -> None:
    lines = await say(app, "n1", "lop cua em bao gio hoc")
    assert len(lines) == 2 and "Các lớp sắp khai giảng" in lines[1]["text"]
