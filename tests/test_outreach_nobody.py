"""An announcement that would reach nobody (a scam warning "to all communes" reaches only the
subscribers of that topic: 0 in a trial) is not offered to send as if it would reach people:
the preview says so and why, and offers to choose the communes or the topic again. Who an
announcement reaches is the office's policy (storage.outreach_repo.audience): unchanged."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from bot.app import App
from handlers.types import Channel
from messages import t
from storage.models import Broadcast
from tests.helpers import Clock, intents, press, say, texts
from tests.officials_helpers import make_officer
from tests.outreach_support import person, unit_id

CHANNELS = [Channel.CONSOLE, Channel.ZALO]
WARNING = "Cảnh báo: không nộp tiền cho người tự xưng môi giới đi Nhật."


async def _broadcasts(app: App) -> int:
    async with app.db.session() as session:
        return int(await session.scalar(select(func.count(Broadcast.id))) or 0)


async def _to_preview(app: App, channel: Channel, when: str = "gửi ngay") -> list[dict]:
    for text in ("/thongbao", WARNING, "ko co", "tat ca", "lua dao"):
        await say(app, "vp", text, channel=channel)
    return await say(app, "vp", when, channel=channel)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_warning_to_nobody_says_why_and_offers_another_audience(
    app: App, clock: Clock, channel: Channel
) -> None:
    await make_officer(app, clock, "vp", "office", channel=channel)
    pl = await unit_id(app, "Phù Lưu")
    await person(app, "mai", clock.now(), unit=pl, topics=["training"])  # not a scam subscriber
    lines = await _to_preview(app, channel)
    assert intents(lines) == ["flow:broadcast.preview"] and lines[0]["meta"]["recipients"] == 0
    shown = texts(lines) + str(lines[0].get("buttons", ""))
    assert t("compose.reaches.scam") in shown and t("compose.nobody_now") in shown
    assert "Gửi tới 0" not in shown
    offered = [b for row in lines[0].get("buttons", []) for b in row] or re.findall(
        r"^\d+\. (.+)$", texts(lines), re.MULTILINE)
    assert offered == [t("compose.button.change_interest"), t("compose.button.change_units"),
                       t("compose.button.change_text"), t("compose.button.cancel")]
    # "gửi" typed anyway: nothing is scheduled, the preview again.
    again = await say(app, "vp", "gửi", channel=channel)
    assert intents(again) == ["flow:broadcast.preview"] and await _broadcasts(app) == 0
    # «Đổi chủ đề» (1 on Zalo): a topic someone wants, then the preview straight away.
    choose = "1" if channel == Channel.ZALO else t("compose.button.change_interest")
    lines = await (say if channel == Channel.ZALO else press)(app, "vp", choose, channel=channel)
    assert intents(lines) == ["flow:broadcast.interest"]
    lines = await say(app, "vp", "lop hoc nghe", channel=channel)
    assert intents(lines) == ["flow:broadcast.preview"] and lines[0]["meta"]["recipients"] == 1
    assert intents(await say(app, "vp", "gửi", channel=channel)) == ["flow:broadcast.created"]
    assert await _broadcasts(app) == 1


async def test_other_communes_chosen_from_the_preview(app: App, clock: Clock) -> None:
    await make_officer(app, clock, "vp", "office")
    await person(app, "an", clock.now(), unit=await unit_id(app, "Yên Phú"), topics=["scam"])
    for text in ("/thongbao", WARNING, "ko co", "phu luu", "lua dao"):
        await say(app, "vp", text)
    assert (await say(app, "vp", "gửi ngay"))[0]["meta"]["recipients"] == 0
    assert intents(await say(app, "vp", "đổi xã")) == ["flow:broadcast.units"]
    lines = await say(app, "vp", "yen phu")
    assert intents(lines) == ["flow:broadcast.preview"] and lines[0]["meta"]["recipients"] == 1
    assert "Gửi tới 1 người" in texts(lines)


async def test_a_commune_officer_is_offered_the_topic_only(app: App, clock: Clock) -> None:
    await make_officer(app, clock, "cb", "commune", "Phù Lưu")
    for text in ("/thongbao", WARNING, "ko co", "lua dao"):
        await say(app, "cb", text)
    lines = await say(app, "cb", "gửi ngay")
    assert t("compose.nobody_now_own") in texts(lines)
    labels = [b for row in lines[0]["buttons"] for b in row]
    assert labels == [t("compose.button.change_interest"), t("compose.button.change_text"),
                      t("compose.button.cancel")]


async def test_scheduled_for_later_it_may_still_be_kept(app: App, clock: Clock) -> None:
    """Counted again at the time of sending: "Vẫn lên lịch" says what it does."""
    await make_officer(app, clock, "vp", "office")
    lines = await _to_preview(app, Channel.CONSOLE, when="9h ngay mai")
    assert lines[0]["meta"]["recipients"] == 0
    assert "bot đếm lại người nhận" in texts(lines)
    lines = await press(app, "vp", t("compose.button.send_later"))
    assert intents(lines) == ["flow:broadcast.created"] and await _broadcasts(app) == 1
