"""A question the same about classes and about working abroad is read as the person's own
matter: "bao gio thi duoc tien ho tro" in the papers of a support dossier for working abroad
got the class support (4 million a course, 50,000 a day for meals)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.app import App
from handlers.types import Channel
from handlers.understanding.own_matter import SIDES, for_own_matter
from tests.dossier_support import make_case
from tests.helpers import intents, press, say, shipped_matcher
from tests.intake_support import draft_data, fill_form

BOTH_SIDES = "bao gio thi duoc tien ho tro"


def _decided(text: str, side: str) -> tuple[str | None, str | None]:
    matcher = shipped_matcher()
    decision = matcher.decide(text)
    own = for_own_matter(decision, side, matcher.lexicon, matcher.rank)
    return decision.topic, own.topic


@pytest.mark.parametrize(
    ("text", "side", "topic"),
    [
        (BOTH_SIDES, "abroad", "abroad.support"),
        (BOTH_SIDES, "training", "training.support"),
        # A "which topic?" between the two twins: the person's own.
        ("tien ho tro bao nhieu", "abroad", "abroad.support"),
        ("tien ho tro bao nhieu", "training", "training.support"),
        # Named, it stays what it names, whoever asks.
        ("hoc nghe co duoc ho tro tien an khong", "abroad", "training.support"),
        ("di nhat co duoc ho tro gi khong", "training", "abroad.support"),
        # A topic without a twin is not moved.
        ("di nhat het bao nhieu tien", "training", "abroad.costs"),
        # Ranked as the class registration's only: on the abroad side, its steps.
        ("dang ky kieu gi", "abroad", "abroad.process"),
        ("dang ky kieu gi", "training", "training.register"),
        ("dang ky hoc nghe kieu gi", "abroad", "training.register"),
    ],
)
def test_twins_are_read_as_the_own_side(text: str, side: str, topic: str) -> None:
    assert _decided(text, side)[1] == topic


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200), st.sampled_from(SIDES))
def test_only_a_twin_of_the_own_side_is_ever_chosen(text: str, side: str) -> None:
    matcher = shipped_matcher()
    decision = matcher.decide(text)
    own = for_own_matter(decision, side, matcher.lexicon, matcher.rank)
    if own is decision:
        return
    [chosen] = own.topics
    assert chosen.startswith(f"{side}.")
    offered = {c.topic for c in decision.candidates}
    lexicon = matcher.lexicon
    assert (chosen in offered or lexicon.twins.get(chosen) in offered
            or any(lexicon.twins_unranked.get(topic) == chosen for topic in offered))


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.ZALO])
async def test_in_the_dossier_support_is_that_of_working_abroad(
    app: App, channel: Channel
) -> None:
    await make_case(app, "fam", channel=channel)
    await say(app, "fam", "hồ sơ", channel=channel)
    lines = await say(app, "fam", BOTH_SIDES, channel=channel)
    assert intents(lines)[0] == "faq:abroad.support", lines
    assert intents(lines)[-1] == "flow:dossier.checklist"  # the dossier goes on


async def test_registered_for_a_class_support_is_that_of_classes(app: App) -> None:
    await fill_form(app, "y1", kind="Học nghề", choice="Trồng và chế biến chè")
    await say(app, "y1", "đúng rồi")
    lines = await say(app, "y1", "tien ho tro bao nhieu")
    assert intents(lines) == ["faq:training.support"], lines
    # Someone with no case is asked which they mean, as before.
    lines = await say(app, "n1", "tien ho tro bao nhieu")
    assert intents(lines)[0] != "faq:training.support", lines


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.ZALO])
async def test_how_to_register_after_answers_about_going_abroad_is_going_abroad(
    app: App, channel: Channel
) -> None:
    # "đăng ký kiểu gì" after the costs and the loan of going abroad got how to register for
    # a class, with «Đăng ký học nghề».
    await say(app, "w", "di han het bn tien vay ad", channel=channel)
    await say(app, "w", "vay von o dau dc", channel=channel)
    lines = await say(app, "w", "the dang ky kieu gi", channel=channel)
    assert intents(lines) == ["faq:abroad.process"], lines
    await press(app, "w", "Đăng ký ngay", channel=channel)
    await say(app, "w", "dong y", channel=channel)
    assert (await draft_data(app))["kind"] == "abroad"
    # With no such answers before, it is the class registration's question still.
    lines = await say(app, "n", "the dang ky kieu gi", channel=channel)
    assert intents(lines) == ["faq:training.register"], lines
