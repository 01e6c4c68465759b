"""Undoing a stop ("nhận lại") restores whatever the stop stopped, and says what the person
receives now: a case-holder with no topics of their own gets the news of their case's kind
(see ``storage.outreach_repo.audience``), and /stop took it away; "nhận lại" used to leave it
stopped and say "chưa đăng ký nhận tin"."""

from __future__ import annotations

import pytest

from bot.app import App
from handlers.types import Channel
from messages import t
from storage.outreach_repo import audience
from tests.helpers import Clock, intents, say, texts
from tests.outreach_support import person, unit_id

CHANNELS = [Channel.CONSOLE, Channel.ZALO]


async def _reached(app: App, contact_id: int, unit: int) -> bool:
    async with app.db.session() as session:
        return contact_id in (await audience(session, [unit], "training")).contact_ids


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("stop", ["/stop", "dừng nhận tin"])
@pytest.mark.parametrize("undo", ["nhận lại", "nhan tin lai"])
async def test_a_case_holder_without_topics_undoes_a_stop(
    app: App, clock: Clock, channel: Channel, stop: str, undo: str
) -> None:
    pl = await unit_id(app, "Phù Lưu")
    me = await person(app, "me", clock.now(), case=("course", pl), channel=channel.value)
    assert await _reached(app, me, pl)
    stopped = await say(app, "me", stop, channel=channel)
    assert intents(stopped) == ["flow:subscribe.stop"] and "nhận lại" in texts(stopped)
    assert not await _reached(app, me, pl)
    lines = await say(app, "me", undo, channel=channel)
    assert intents(lines) == ["flow:subscribe.resume"]
    assert texts(lines) == t("outreach.resumed_for_case", topics=t("outreach.topic.training"))
    assert await _reached(app, me, pl)
    # Nothing to undo any more: what they still receive, said plainly.
    again = await say(app, "me", undo, channel=channel)
    assert texts(again) == t("outreach.not_stopped_case", topics=t("outreach.topic.training"))


async def test_topics_and_a_case_are_both_said(app: App, clock: Clock) -> None:
    pl = await unit_id(app, "Phù Lưu")
    await person(app, "me", clock.now(), unit=pl, topics=["scam"], case=("course", pl),
                 channel="console")
    await say(app, "me", "/stop")
    lines = texts(await say(app, "me", "nhận lại"))
    assert t("outreach.topic.scam") in lines and "Phù Lưu" in lines
    assert t("outreach.also_for_case", topics=t("outreach.topic.training")) in lines


async def test_nothing_to_restore_says_so(app: App, clock: Clock) -> None:
    """No topics, no open case: the stop is undone (a case registered later brings its news
    again) and the person is told they receive nothing yet."""
    await person(app, "me", clock.now(), case=("course", None), case_status="cancelled",
                 channel="console")
    stopped = await say(app, "me", "/stop")
    assert "nhận lại" not in texts(stopped)
    assert texts(await say(app, "me", "nhận lại")) == t("outreach.resumed_nothing")
    assert texts(await say(app, "me", "nhận lại")) == t("outreach.nothing_to_resume")


@pytest.mark.parametrize("stop", ["dừng nhận tin ạ", "Dừng nhận tin.", "dừng nhận tin 🙏",
                                  "thôi không nhận tin nữa", "đừng gửi tin nữa",
                                  # requests saying it (each started a subscription)
                                  "cho tôi dừng nhận tin", "tôi muốn hủy nhận thông báo",
                                  "gửi hoài vậy, dừng nhận tin giùm",
                                  "ko muon nhan thong bao nua dau", "em muon ngung nhan tin"])
async def test_a_stop_typed_with_particles_signs_or_in_other_words_stops(
    app: App, clock: Clock, stop: str
) -> None:
    # Each of these used to start a subscription ("Anh/chị ở xã nào?") (third user trial).
    pl = await unit_id(app, "Phù Lưu")
    me = await person(app, "me", clock.now(), case=("course", pl), channel="zalo")
    stopped = await say(app, "me", stop, channel=Channel.ZALO)
    assert intents(stopped) == ["flow:subscribe.stop"]
    assert not await _reached(app, me, pl)
    # "nhận lại ạ" undoes it, particles aside.
    assert intents(await say(app, "me", "nhận lại ạ", channel=Channel.ZALO)) == [
        "flow:subscribe.resume"]
    assert await _reached(app, me, pl)


@pytest.mark.parametrize("said", ["tôi không muốn dừng nhận tin",
                                  "nếu dừng nhận tin thì có nhận lại được không"])
async def test_a_stop_denied_or_supposed_stops_nothing(
    app: App, clock: Clock, said: str
) -> None:
    pl = await unit_id(app, "Phù Lưu")
    me = await person(app, "me", clock.now(), case=("course", pl), channel="zalo")
    lines = await say(app, "me", said, channel=Channel.ZALO)
    assert "flow:subscribe.stop" not in intents(lines)
    assert await _reached(app, me, pl)
