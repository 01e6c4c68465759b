"""Eighth user trial (a father on Zalo registering his son for a class, asking for a moment at
the name question, then for another class): what broke, kept from breaking again. Each test
failed on the code before its fix."""

from __future__ import annotations

import pytest

from bot.app import App
from handlers.types import Channel
from messages import t
from tests.helpers import intents, say, texts
from tests.intake_support import draft_data

CHANNELS = [Channel.CONSOLE, Channel.ZALO]


async def _at_the_name(app: App, channel: Channel) -> None:
    await say(app, "f1", "dang ky cho con trai toi hoc lop nau an", channel=channel)
    lines = await say(app, "f1", "dong y", channel=channel)
    assert intents(lines)[-1] == "flow:intake.full_name", lines


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("text", ["doi chut", "ok e doi chut nha", "de em tim giay", "tu tu"])
async def test_a_moment_asked_for_is_no_name(app: App, channel: Channel, text: str) -> None:
    # "doi chut" was saved as the son's name ("Doi Chut"), and his birth date asked next.
    await _at_the_name(app, channel)
    lines = await say(app, "f1", text, channel=channel)
    assert intents(lines) == ["flow:intake.full_name"], lines
    assert lines[0]["text"].startswith(t("intake.wait")), lines
    assert "full_name" not in await draft_data(app)
    lines = await say(app, "f1", "Nguyễn Văn Tùng", channel=channel)
    assert intents(lines) == ["flow:intake.dob"], lines


async def test_a_moment_asked_for_outside_a_form_is_waited_for(app: App) -> None:
    # "tu tu" got "which topic?" between the steps of going abroad and who may go.
    lines = await say(app, "f1", "tu tu", channel=Channel.ZALO)
    assert intents(lines) == ["smalltalk"] and lines[0]["text"] == t("faq.wait"), lines


@pytest.mark.parametrize("channel", CHANNELS)
async def test_another_class_asked_for_in_the_form_shows_the_classes(
    app: App, channel: Channel
) -> None:
    # "chuyen lop khac" at the name question was saved as the name ("Chuyen Lop Khac").
    await _at_the_name(app, channel)
    before = str((await draft_data(app))["course_label"])
    lines = await say(app, "f1", "chuyen lop khac", channel=channel)
    assert intents(lines) == ["flow:intake.course"], lines
    lines = await say(app, "f1", "2", channel=channel)
    assert intents(lines) == ["flow:intake.full_name"], lines
    # On from where the form was, not "back to the summary" that is not there yet.
    assert "tóm tắt" not in texts(lines), lines
    data = await draft_data(app)
    assert "full_name" not in data and data["course_label"] != before

