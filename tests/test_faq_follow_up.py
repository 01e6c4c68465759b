"""A follow-up naming only a country ("thế còn Hàn Quốc?") asks the last question again about
that country, through the engine on the console and Zalo (SQLite and PostgreSQL: the ``app``
fixture); and the matcher's rule on its own."""

from __future__ import annotations

import pytest

from bot.app import App
from handlers.asked_before import FOLLOW_UP_WITHIN
from handlers.types import Channel
from handlers.understanding.matcher import Matcher
from tests.helpers import Clock, intents, say, shipped_matcher

CHANNELS = [Channel.CONSOLE, Channel.ZALO]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return shipped_matcher()


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_country_named_after_an_answer_gets_the_same_side_for_it(
    app: App, channel: Channel
) -> None:
    lines = await say(app, "u1", "di nhat het bao nhieu tien", channel=channel)
    assert intents(lines)[0] == "faq:abroad.costs"
    lines = await say(app, "u1", "thế còn hàn quốc?", channel=channel)
    assert intents(lines) == ["faq:abroad.costs", "faq:abroad.korea"]
    # And again, from the pair just answered: the costs, for Taiwan now.
    lines = await say(app, "u1", "con ben dai thi sao", channel=channel)
    assert intents(lines) == ["faq:abroad.costs", "faq:abroad.taiwan"]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_country_named_alone_later_or_first_is_the_country(
    app: App, clock: Clock, channel: Channel
) -> None:
    # Nothing asked before: the country's topic (this fell back as outside the remit).
    assert intents(await say(app, "u1", "thế còn hàn quốc", channel=channel)) == [
        "faq:abroad.korea"]
    await say(app, "u1", "ai duoc di xuat khau lao dong", channel=channel)
    clock.advance(seconds=FOLLOW_UP_WITHIN.total_seconds() + 60)
    assert intents(await say(app, "u1", "con nhat thi sao", channel=channel)) == [
        "faq:abroad.japan"]
    # Another person's last question is not this one's.
    await say(app, "u2", "di nhat het bao nhieu tien", channel=channel)
    assert intents(await say(app, "u3", "the con han quoc", channel=channel)) == [
        "faq:abroad.korea"]


@pytest.mark.parametrize(("text", "country"), [
    ("thế còn hàn quốc?", "abroad.korea"), ("con dai loan thi sao", "abroad.taiwan"),
    ("ben han thi the nao", "abroad.korea"), ("Nhật", "abroad.japan"),
    # More than a country: a question of its own.
    ("con nhat lam nong nghiep thi sao", None), ("nhat voi han cai nao hon", None),
    ("thi sao", None),
])
def test_a_message_of_a_country_and_follow_up_words_only(
    matcher: Matcher, text: str, country: str | None
) -> None:
    assert matcher._countries.only_named(matcher.key(text)) == country


def test_the_side_asked_again_is_never_a_country_or_the_markets(matcher: Matcher) -> None:
    asked = matcher.decide("the con han quoc", ("abroad.japan", "abroad.eligibility"))
    assert asked.topics == ("abroad.eligibility", "abroad.korea")
    assert matcher.decide("the con han quoc", ("abroad.markets",)).topics == ("abroad.korea",)
    assert matcher.decide("the con han quoc", ("training.courses",)).topics == (
        "abroad.korea",)
    # A question of its own is decided as ever, whatever came before.
    assert matcher.decide("lop may o dau", ("abroad.costs",)).topics != ("abroad.costs",)
