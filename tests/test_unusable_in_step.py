"""A sticker, a voice note or a file sent where a step asks for words or a choice: the step is
kept and asked again (handlers/router.py, ``Flow.reads_non_text``). A tester's Zalo sticker under
the subscription's «Đồng ý không?» got «Bot chỉ đọc được chữ và ảnh» and the main menu: the step
was lost, and the "1" meant for «Đồng ý» picked «Đi làm việc ở nước ngoài». The registration form
already kept its step («Câu này anh/chị trả lời bằng chữ nhé»): it reads stickers itself."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App
from handlers.types import Channel
from messages import t
from storage.models import ConversationState, Subscription
from tests.dossier_support import click, jpeg, make_case, make_officer, two_units
from tests.helpers import Clock, intents, say, send_file, simulate_lines
from tests.survey_support import open_survey_round

KINDS = ["sticker", "voice"]


async def _send(app: App, user: str, kind: str, channel: Channel) -> list[dict[str, Any]]:
    line = {"user": user, "channel": channel.value, kind: True}
    return [x for x in await simulate_lines(app, line) if x["to"] == user]


def _kept(lines: list[dict[str, Any]], flow: str, step: str) -> None:
    assert intents(lines) == [f"flow:{flow}.unreadable", f"flow:{flow}.{step}"], lines


@pytest.mark.parametrize("kind", KINDS)
async def test_the_subscription_keeps_every_step(app: App, kind: str) -> None:
    z = Channel.ZALO
    assert intents(await say(app, "u", "bao cho e khi co lop moi", channel=z)) == [
        "flow:subscribe.unit"]
    _kept(await _send(app, "u", kind, z), "subscribe", "unit")
    assert intents(await say(app, "u", "5", channel=z)) == ["flow:subscribe.confirm"]
    lines = await _send(app, "u", kind, z)
    _kept(lines, "subscribe", "confirm")
    assert lines[0]["text"] == t("escapes.text_in_step")
    assert "1. Đồng ý" in lines[-1]["text"]  # the options come last: "1" picks «Đồng ý»
    assert intents(await say(app, "u", "1", channel=z)) == ["flow:subscribe.done"]
    async with app.db.session() as session:
        sub = await session.scalar(select(Subscription))
    assert sub is not None and sub.topics == ["training"] and sub.stopped_at is None
    # Choosing the topics and the country.
    await say(app, "v", "nhan thong bao", channel=z)
    assert intents(await say(app, "v", "1", channel=z)) == ["flow:subscribe.topics"]
    _kept(await _send(app, "v", kind, z), "subscribe", "topics")
    assert intents(await say(app, "v", "2", channel=z)) == ["flow:subscribe.country"]
    _kept(await _send(app, "v", kind, z), "subscribe", "country")


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.TELEGRAM])
async def test_a_sticker_on_other_channels_keeps_the_confirmation(
    app: App, channel: Channel
) -> None:
    await say(app, "u", "bao cho e khi co lop moi", channel=channel)
    await say(app, "u", "Phù Lưu", channel=channel)
    lines = await _send(app, "u", "sticker", channel)
    _kept(lines, "subscribe", "confirm")
    assert lines[-1]["buttons"][0] == [t("outreach.button.yes"), t("outreach.button.no")]


async def test_the_survey_keeps_its_question_with_its_options(app: App, clock: Clock) -> None:
    """The survey cannot ask its step again by itself: the options of its question are given
    again, numbered as they were, and the number typed next answers it."""
    await open_survey_round(app, clock)
    z = Channel.ZALO
    await say(app, "an", "khao sat nhu cau hoc nghe", channel=z)
    assert intents(await say(app, "an", "1", channel=z)) == ["flow:survey.age_group"]
    for kind in ("sticker", "voice"):
        lines = await _send(app, "an", kind, z)
        assert intents(lines) == ["flow:survey.unreadable"], lines
        assert "2. 25–34 tuổi" in lines[0]["text"]
    assert intents(await say(app, "an", "2", channel=z)) == ["flow:survey.gender"]


async def test_an_officers_review_keeps_the_item(app: App) -> None:
    unit, _ = await two_units(app)
    case_id = await make_case(app, "fam", unit_id=unit)
    await make_officer(app, "cb", role="commune", unit_id=unit)
    await say(app, "fam", "hồ sơ")
    await click(app, "fam", "dossier:item:request_form")
    await send_file(app, "fam", jpeg(77))
    await say(app, "fam", "xong")
    opened = await click(app, "cb", f"review:open:{case_id}")
    assert opened[-1]["meta"]["item"] == "request_form"
    lines = await _send(app, "cb", "sticker", Channel.CONSOLE)
    assert intents(lines)[0] == "flow:review.unreadable", lines
    assert lines[-1]["meta"].get("item") == "request_form", lines


async def test_a_photo_in_the_middle_of_a_subscription_is_kept_for_the_dossier(app: App) -> None:
    """A family with a case sending a paper while a subscription asks «Đồng ý không?»: the
    photo is held for their dossier (the bot asks which paper it is), as outside a flow."""
    unit, _ = await two_units(app)
    await make_case(app, "fam", unit_id=unit)
    await say(app, "fam", "bao cho e khi co lop moi")
    lines = await send_file(app, "fam", jpeg(31))
    assert intents(lines)[-1] == "flow:dossier.held", lines
    async with app.db.session() as session:
        state = await session.scalar(select(ConversationState))
    assert state is not None and len(state.data["held_files"]) == 1


async def test_flows_that_read_stickers_themselves_answer_them_as_before(app: App) -> None:
    """The registration form says "trả lời bằng chữ" in its own step's message."""
    await say(app, "u", "đăng ký học nghề")
    lines = await say(app, "u", "đồng ý")
    step = intents(lines)[-1]
    lines = await _send(app, "u", "sticker", Channel.CONSOLE)
    assert intents(lines) == [step] and t("intake.text_only") in lines[0]["text"], lines
