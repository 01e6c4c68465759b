"""Found by trying the product as its users would (a worker and a mother on Zalo): subscribing to
announcements and stopping them (announcements and the survey: tests/test_trial_outreach.py).
Each fix is kept here, through the real engine, on the console and on Zalo where the rendering
matters."""

from __future__ import annotations

from functools import partial

import pytest
from sqlalchemy import select

from bot.app import App
from handlers.outreach.subscribe_words import topics_answered, topics_in
from handlers.types import Channel
from messages import t
from storage.models import Subscription
from tests.helpers import Clock, intents, say, texts
from tests.outreach_support import person, unit_id

CHANNELS = [Channel.CONSOLE, Channel.ZALO]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_subscription_request_is_only_confirmed_and_ok_confirms_it(
    app: App, clock: Clock, channel: Channel
) -> None:
    """"ok" under the confirmation used to be small talk: the person left with nothing saved."""
    pl = await unit_id(app, "Phù Lưu")
    await person(app, "ba", clock.now(), case=("course", pl), channel=channel.value)
    lines = await say(app, "ba", "bao cho toi khi co lop moi", channel=channel)
    assert intents(lines) == ["flow:subscribe.confirm"] and "Lớp học nghề mới" in texts(lines)
    assert intents(await say(app, "ba", "ok", channel=channel)) == ["flow:subscribe.done"]
    lines = await say(app, "ba", "nhan thong bao", channel=channel)
    assert intents(lines) == ["flow:subscribe.topics"]
    await say(app, "ba", "lua dao", channel=channel)  # a topic typed by name
    lines = await say(app, "ba", "xong", channel=channel)
    assert intents(lines) == ["flow:subscribe.confirm"] and "lừa đảo" in texts(lines)
    await say(app, "ba", "dong y", channel=channel)
    async with app.db.session() as session:
        sub = await session.scalar(select(Subscription))
    assert sub is not None and sub.topics == ["training", "scam"]  # the classes kept


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_subscription_request_naming_a_commune_takes_it(
    app: App, clock: Clock, channel: Channel
) -> None:
    """Registered in Bạch Xa, "nhan thong bao lop moi o phu luu" was confirmed for Bạch Xa."""
    bx = await unit_id(app, "Bạch Xa")
    await person(app, "ba", clock.now(), case=("course", bx), channel=channel.value)
    lines = await say(app, "ba", "nhan thong bao lop moi o phu luu", channel=channel)
    assert intents(lines) == ["flow:subscribe.confirm"]
    assert "Phù Lưu" in texts(lines) and "Bạch Xa" not in texts(lines)
    await say(app, "ba", "ok", channel=channel)
    async with app.db.session() as session:
        sub = await session.scalar(select(Subscription))
    assert sub is not None and sub.unit_id == await unit_id(app, "Phù Lưu")
    # Nothing named: the person's own commune, as before.
    lines = await say(app, "ba", "bao cho toi khi co lop moi", channel=channel)
    assert "Bạch Xa" in texts(lines)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_subscription_right_after_an_answer_takes_its_news(
    app: App, clock: Clock, channel: Channel
) -> None:
    """"đi Nhật cần điều kiện gì", then "có đợt tuyển thì báo em nhé": the topics were asked
    as if Japan had not just been the matter. Now only the commune, then the confirmation."""
    await say(app, "q", "di nhat can dieu kien gi", channel=channel)
    lines = await say(app, "q", "co dot tuyen thi bao e nhe", channel=channel)
    assert intents(lines) == ["flow:subscribe.unit"]
    lines = await say(app, "q", "yen phu", channel=channel)
    assert intents(lines) == ["flow:subscribe.confirm"] and "(Nhật Bản)" in texts(lines)
    await say(app, "q", "dong y", channel=channel)
    async with app.db.session() as session:
        sub = await session.scalar(select(Subscription))
    assert sub is not None and sub.topics == ["abroad:japan"]
    # An answer naming no news (the costs) leaves the topics to choose.
    await say(app, "c", "chi phi di xuat khau lao dong het bao nhieu", channel=channel)
    assert intents(await say(app, "c", "nhan thong bao", channel=channel)) == [
        "flow:subscribe.unit"]
    assert intents(await say(app, "c", "yen phu", channel=channel)) == ["flow:subscribe.topics"]


def test_news_wanted_after_an_answer() -> None:
    assert topics_answered(["abroad.eligibility", "abroad.japan"]) == ["abroad:japan"]
    assert topics_answered(["training.courses"]) == ["training"]
    assert topics_answered(["abroad.costs"]) == []
    assert topics_answered(["training.support", "abroad.scam"]) == []  # two kinds of news


def test_topics_named_in_a_request() -> None:
    assert topics_in("báo cho tôi khi có lớp mới") == ["training"]
    assert topics_in("nhận tin tuyển đi hàn") == ["abroad:korea"]
    assert topics_in("cho e nhan tin xkld va canh bao lua dao") == ["abroad", "scam"]
    assert topics_in("nhận thông báo") == []


@pytest.mark.parametrize("channel", CHANNELS)
async def test_undoing_a_stop_mid_form_brings_the_form_question_back(
    app: App, clock: Clock, channel: Channel
) -> None:
    pl = await unit_id(app, "Phù Lưu")
    await person(app, "me", clock.now(), unit=pl, topics=["scam"], channel=channel.value)
    for text in ("toi muon dang ky", "dong y"):
        await say(app, "me", text, channel=channel)
    lines = await say(app, "me", "dung nhan tin", channel=channel)
    assert intents(lines) == ["flow:subscribe.stop"]  # one sentence, the form kept
    lines = await say(app, "me", "1", channel=channel)  # «Nhận lại thông báo»
    assert intents(lines) == ["flow:subscribe.resume", "flow:intake.who"]
    assert intents(await say(app, "me", "ban than", channel=channel)) == ["flow:intake.kind"]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_escapes_while_subscribing(app: App, channel: Channel) -> None:
    lines = await say(app, "me", "nhan thong bao", channel=channel)
    assert intents(lines) == ["flow:subscribe.unit"]
    lines = await say(app, "me", "giúp", channel=channel)
    assert "xã" in lines[0]["text"] and lines[0]["text"] != t("escapes.help.any")
    assert intents(lines)[-1] == "flow:subscribe.unit"
    lines = await say(app, "me", "di nhat het bao nhieu tien", channel=channel)
    assert intents(lines)[0].startswith("faq:") and intents(lines)[-1] == "flow:subscribe.unit"
    lines = await say(app, "me", "5", channel=channel)  # the latest message: the communes
    assert intents(lines) == ["flow:subscribe.topics"]
    lines = await say(app, "me", "hủy", channel=channel)
    assert lines[0]["text"].startswith(t("outreach.cancelled"))


async def test_a_second_subscription_request_adds_to_the_topics_received(
    app: App, clock: Clock
) -> None:
    """Saving replaces the topics: "nhận tin lừa đảo" after "báo cho tôi khi có lớp mới"
    silently dropped the classes."""
    pl = await unit_id(app, "Phù Lưu")
    await person(app, "me", clock.now(), unit=pl, topics=["training", "abroad:korea"],
                 channel="console")
    for request in ("cho e nhan tin lua dao", "nhận tin tuyển đi nhật"):
        lines = await say(app, "me", request)
        assert intents(lines) == ["flow:subscribe.confirm"], request
        await say(app, "me", "ok")
    async with app.db.session() as session:
        sub = await session.scalar(select(Subscription))
    # Japan replaces Korea (one country at a time), the rest is kept.
    assert sub is not None and sub.topics == ["training", "scam", "abroad:japan"]
    lines = await say(app, "me", "nhan thong bao")  # nothing named: the topics, pre-chosen
    assert intents(lines) == ["flow:subscribe.topics"]
    assert "Đã chọn: Lớp học nghề mới" in texts(lines)


async def test_a_topic_asked_for_at_the_commune_question_is_added(app: App) -> None:
    # "cho em nhận cả tin cảnh báo lừa đảo" there dropped the classes asked for first.
    await say(app, "me", "em muon nhan them tin lop hoc nghe", channel=Channel.ZALO)
    lines = await say(app, "me", "cho em nhan ca tin canh bao lua dao", channel=Channel.ZALO)
    assert intents(lines) == ["flow:subscribe.unit"]
    await say(app, "me", "thai hoa", channel=Channel.ZALO)
    await say(app, "me", "dong y", channel=Channel.ZALO)
    async with app.db.session() as session:
        sub = await session.scalar(select(Subscription))
    assert sub is not None and sub.topics == ["training", "scam"]


@pytest.mark.parametrize(("said", "left"), [
    ("dừng nhận tin Hàn", ["training", "scam"]),
    ("thoi dung nhan tin han, chi nhan lop hoc thoi", ["training"]),
    ("dừng nhận tin, chỉ nhận lớp học thôi", ["training"]),
])
async def test_a_stop_naming_topics_stops_those_only(
    app: App, clock: Clock, said: str, left: list[str]
) -> None:
    # It stopped every announcement (or, before, started a subscription adding Korea).
    pl = await unit_id(app, "Phù Lưu")
    await person(app, "me", clock.now(), unit=pl, topics=["training", "scam", "abroad:korea"],
                 channel="zalo")
    lines = await say(app, "me", said, channel=Channel.ZALO)
    assert intents(lines) == ["flow:subscribe.confirm"]
    await say(app, "me", "dong y", channel=Channel.ZALO)
    async with app.db.session() as session:
        sub = await session.scalar(select(Subscription))
    assert sub is not None and sub.stopped_at is None and sub.topics == left


async def test_the_topic_named_at_the_confirmation_is_a_yes_and_another_is_added(
    app: App,
) -> None:
    """"hoc nghe" under «Bot sẽ gửi tin về: Lớp học nghề mới… Đồng ý không?» got the training
    answer and the class list (two long messages), then the question again."""
    zalo = partial(say, app, "an", channel=Channel.ZALO)
    await zalo("co lop hoc nghe moi thi bao cho e voi nhe")
    assert intents(await zalo("bach xa")) == ["flow:subscribe.confirm"]
    assert intents(await zalo("lua dao")) == ["flow:subscribe.topics"]  # added
    assert intents(await zalo("xong")) == ["flow:subscribe.confirm"]
    assert intents(await zalo("hoc nghe")) == ["flow:subscribe.done"]
    async with app.db.session() as session:
        subscription = await session.scalar(select(Subscription))
    assert subscription is not None and sorted(subscription.topics) == ["scam", "training"]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_country_named_is_its_recruitment_and_topics_can_be_typed_in_a_sentence(
    app: App, channel: Channel
) -> None:
    """Tried on Telegram: "khi nao nhat tuyen thi bao em voi" asked the commune, then every
    topic as if none were said; "them ca lop hoc nghe nua" at the topics got the class list
    from the FAQ."""
    assert topics_in("khi nao nhat tuyen thi bao em voi") == ["abroad:japan"]
    await say(app, "t1", "khi nao nhat tuyen thi bao em voi", channel=channel)
    lines = await say(app, "t1", "thai son", channel=channel)
    assert intents(lines) == ["flow:subscribe.confirm"], lines
    assert "Nhật Bản" in texts(lines)
    # The request first, its condition after: it got the Korea answer.
    lines = await say(app, "t3", "bao cho em khi nao co dot tuyen di han nhe", channel=channel)
    assert intents(lines) == ["flow:subscribe.unit"], lines
    lines = await say(app, "t3", "thai son", channel=channel)
    assert "Hàn Quốc" in texts(lines)
    await say(app, "t2", "nhan thong bao", channel=channel)
    await say(app, "t2", "thai son", channel=channel)
    lines = await say(app, "t2", "them ca lop hoc nghe nua", channel=channel)
    assert intents(lines) == ["flow:subscribe.topics"], lines
    assert t("outreach.topic.training") in texts(lines)
    assert intents(await say(app, "t2", "xong", channel=channel)) == ["flow:subscribe.confirm"]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_ok_at_the_subscriptions_commune_question_is_no_commune_not_found(
    app: App, channel: Channel
) -> None:
    await say(app, "s1", "nhan thong bao lop hoc", channel=channel)
    for said in ("ok", "dung roi"):
        lines = await say(app, "s1", said, channel=channel)
        assert intents(lines) == ["flow:subscribe.unit"]
        assert "chưa chọn xã" in texts(lines) and "chưa tìm thấy" not in texts(lines)
    lines = await say(app, "s1", "tin nhan", channel=channel)
    assert "Bot chưa tìm thấy xã «tin nhan»" in texts(lines)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_told_when_something_happens_is_a_subscription(
    app: App, channel: Channel
) -> None:
    # It got the Japan answer.
    lines = await say(app, "s1", "bao em khi nao nhat tuyen nhe", channel=channel)
    assert intents(lines) == ["flow:subscribe.unit"], lines
    lines = await say(app, "s1", "thai son", channel=channel)
    assert "Nhật Bản" in texts(lines)
    # Being told of one's own case is its status, not announcements.
    lines = await say(app, "s2", "khi nao co ket qua ho so thi bao em nhe", channel=channel)
    assert not intents(lines)[0].startswith("flow:subscribe")


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_subscriber_asking_for_an_officer_is_not_asked_the_commune(
    app: App, clock: Clock, channel: Channel
) -> None:
    """A subscriber of Yên Phú with no case said "gặp cán bộ" and was asked which commune
    (an officer's trial): the subscription's commune is hers."""
    yp = await unit_id(app, "Yên Phú")
    await person(app, "mai", clock.now(), unit=yp, topics=["training"], channel=channel.value)
    lines = await say(app, "mai", "gặp cán bộ", channel=channel)
    assert intents(lines) == ["flow:handoff.ask"], lines
