"""Found by a tester (trial 127) in the announcements' subscription: the ways people really ask
the bot to stop messaging them ("đừng nhắn nữa", "bỏ theo dõi", "hủy đăng ký nhận tin", "đừng
làm phiền") opened the topics or the confirmation, whose "ok" subscribed them again; and a Zalo
sticker in the middle of subscribing dropped the step for the main menu (the general mechanism,
in the router, for every flow that does not read stickers itself: tests/test_unusable_in_step.py).
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.app import App, build_app
from handlers.textnorm import fold
from handlers.types import Channel
from messages import raw
from storage.models import Subscription
from storage.survey_repo import open_round
from tests.conftest import make_settings
from tests.helpers import Clock, intents, say
from tests.outreach_support import person, unit_id

CHANNELS = [Channel.CONSOLE, Channel.ZALO]

#: As the tester and the trials' people typed them, with and without diacritics.
SAID = [
    "đừng nhắn nữa", "dung nhan nua", "Đừng gửi tin nữa!", "thôi đừng gửi", "thoi dung gui",
    "hủy đăng ký nhận tin", "huy dang ky nhan tin", "bỏ theo dõi", "bo theo doi",
    "không muốn nhận tin nữa", "ko muon nhan tin nua", "đừng làm phiền", "dung lam phien nua",
    "đừng làm phiền em nữa ạ", "em đừng nhắn nữa nhé", "cho em hủy đăng ký nhận tin",
]

#: Questions about stopping (answered, never acted on) and messages about something else.
NOT_A_STOP = [
    "làm sao để dừng nhận tin?", "làm sao để bỏ theo dõi?", "đừng nhắn cho cán bộ",
    "nhắn tin cho cán bộ", "đừng gửi hồ sơ nữa", "em không muốn dừng nhận tin",
]


async def _subscription(app: App, contact_id: int) -> Subscription:
    async with app.db.session() as session:
        found = await session.scalar(
            select(Subscription).where(Subscription.contact_id == contact_id))
    assert found is not None
    return found


@pytest.mark.parametrize("text", SAID)
async def test_the_ways_people_ask_to_stop_stop_at_once_and_can_be_undone(
    app: App, clock: Clock, text: str
) -> None:
    pl = await unit_id(app, "Phù Lưu")
    who = await person(app, "u", clock.now(), unit=pl, topics=["training"], channel="zalo")
    lines = await say(app, "u", text, channel=Channel.ZALO)
    assert intents(lines) == ["flow:subscribe.stop"], lines
    assert (await _subscription(app, who)).stopped_at is not None
    lines = await say(app, "u", "nhận lại thông báo", channel=Channel.ZALO)
    assert intents(lines) == ["flow:subscribe.resume"], lines
    assert (await _subscription(app, who)).stopped_at is None


@pytest.mark.parametrize("text", NOT_A_STOP)
async def test_questions_about_stopping_and_other_messages_do_not_stop(
    app: App, clock: Clock, text: str
) -> None:
    pl = await unit_id(app, "Phù Lưu")
    who = await person(app, "u", clock.now(), unit=pl, topics=["training"], channel="zalo")
    lines = await say(app, "u", text, channel=Channel.ZALO)
    assert "flow:subscribe.stop" not in intents(lines), lines
    assert (await _subscription(app, who)).stopped_at is None


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_stop_at_the_confirmation_drops_it_and_ok_subscribes_nobody_again(
    app: App, clock: Clock, channel: Channel
) -> None:
    """Subscribed, adding scam warnings, "đừng nhắn nữa" under «Đồng ý không?»: the stop, then
    "ok" (to the stop) confirmed the subscription still waiting."""
    pl = await unit_id(app, "Phù Lưu")
    who = await person(app, "u", clock.now(), unit=pl, topics=["training"],
                       channel=channel.value)
    lines = await say(app, "u", "nhận tin lừa đảo", channel=channel)
    assert intents(lines) == ["flow:subscribe.confirm"], lines
    lines = await say(app, "u", "đừng nhắn nữa", channel=channel)
    assert intents(lines) == ["flow:subscribe.stop"], lines
    lines = await say(app, "u", "ok", channel=channel)
    assert not any(x.startswith("flow:subscribe") for x in intents(lines)), lines
    sub = await _subscription(app, who)
    assert sub.stopped_at is not None and sub.topics == ["training"]


def _variants(phrase: str) -> st.SearchStrategy[str]:
    """The phrase as people type it: without diacritics or in capitals, "thôi"/"ok" before it,
    a particle or a sign after it."""
    typed = st.sampled_from([phrase, fold(phrase), phrase.upper(), phrase.capitalize()])
    lead = st.sampled_from(["", *(f"{w} " for w in raw("outreach_stop.lead_words"))])
    tail = st.sampled_from(["", " ạ", "!", ".", " nhé", " 🙏"])
    return st.tuples(lead, typed, tail).map("".join)


STOP_TYPED = st.sampled_from(raw("outreach_stop.phrases")).flatmap(_variants)

#: Where a person may be when they ask to stop: nothing open, choosing announcements, a form,
#: a question for an officer, the survey.
STATES = {
    "menu": [],
    "subscribe": ["nhận tin lừa đảo"],
    "intake": ["đăng ký học nghề"],
    "handoff": ["gặp cán bộ"],
    "survey": ["khao sat nhu cau hoc nghe", "1"],
}


def test_any_stop_phrase_however_typed_stops_in_any_state(fresh_sqlite: Path) -> None:
    """Hypothesis: a phrase of ``outreach_stop.phrases``, with or without diacritics, with a
    lead word or a particle, typed in any of these states by a subscriber, stops everything at
    once, in one reply."""
    clock = Clock()
    users = itertools.count()
    with asyncio.Runner() as runner:
        context = build_app(make_settings(fresh_sqlite), clock=clock.now)
        app = runner.run(context.__aenter__())
        try:
            pl = runner.run(unit_id(app, "Phù Lưu"))

            async def opened() -> None:
                async with app.db.transaction() as session:
                    await open_round(session, [], "2026-12", clock.now())

            runner.run(opened())

            @settings(max_examples=40, derandomize=True, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            @given(STOP_TYPED, st.sampled_from(sorted(STATES)), st.sampled_from(CHANNELS))
            def stops(text: str, state: str, channel: Channel) -> None:
                user = f"p{next(users)}"
                who = runner.run(person(app, user, clock.now(), unit=pl, topics=["training"],
                                        channel=channel.value))
                for said in STATES[state]:
                    runner.run(say(app, user, said, channel=channel))
                lines = runner.run(say(app, user, text, channel=channel))
                assert intents(lines) == ["flow:subscribe.stop"], (state, text, lines)
                assert runner.run(_subscription(app, who)).stopped_at is not None

            stops()
        finally:
            runner.run(context.__aexit__(None, None, None))
