"""A question asked inside a flow is answered for that flow (handlers.context.AskedIn): in a
registration that has chosen a class, "bao giờ học" is about HER class; and inside any flow a
class list numbers nothing, since the number typed next answers the flow's options."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from bot.app import App
from handlers.types import Channel
from messages import t
from storage.models import Course
from tests.helpers import intents, say, texts

CHANNELS = [Channel.CONSOLE, Channel.ZALO]
#: The seeded sewing class (messages/deployment data): Hàm Yên, 22/02/2027, 60 days.
SEWING = "MA-2027-04"
#: A class line of the list, numbered ("1. May công nghiệp – Hàm Yên").
NUMBERED_CLASS = re.compile(r"^\d+\. .+ – ", re.MULTILINE)


async def _in_sewing_form(app: App, channel: Channel) -> None:
    for text in ("dang ky hoc nghe may", "dong y", "ban than"):
        lines = await say(app, "me", text, channel=channel)
    assert intents(lines) == ["flow:intake.full_name"]


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("question", ["bao gio hoc", "khi nao hoc", "lop bat dau ngay nao"])
async def test_when_does_it_start_mid_form_is_her_class_then_the_form(
    app: App, channel: Channel, question: str
) -> None:
    """It used to get the list of five classes ("Chọn số lớp…"), then the form's question:
    "2" typed next, meant for a class, cancelled the form."""
    await _in_sewing_form(app, channel)
    lines = await say(app, "me", question, channel=channel)
    assert intents(lines) == ["faq:training.schedule", "flow:intake.full_name"]
    answer = lines[0]["text"]
    assert "May công nghiệp" in answer and "22/02/2027" in answer and "60 ngày" in answer
    assert not NUMBERED_CLASS.search(answer) and not lines[0].get("buttons")
    assert t("faq.courses.choose") not in texts(lines)
    # Not saved as the name: the next answer is the name.
    lines = await say(app, "me", "Nguyễn Thị Hoa", channel=channel)
    assert intents(lines) == ["flow:intake.dob"]


async def test_a_class_not_fixed_yet_is_said_so(app: App) -> None:
    async with app.db.session() as session, session.begin():
        await session.execute(update(Course).where(Course.code == SEWING).values(status="planned"))
    await _in_sewing_form(app, Channel.ZALO)
    lines = await say(app, "me", "bao gio hoc", channel=Channel.ZALO)
    assert "chưa chốt" in lines[0]["text"] and "22/02/2027" in lines[0]["text"]
    assert intents(lines)[-1] == "flow:intake.full_name"


async def test_before_consent_the_class_named_is_the_one_answered(app: App) -> None:
    await say(app, "me", "dang ky hoc nghe may")
    lines = await say(app, "me", "bao gio hoc")
    assert intents(lines) == ["faq:training.schedule", "flow:intake.consent"]
    assert "22/02/2027" in lines[0]["text"]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_the_class_list_inside_a_form_numbers_nothing(app: App, channel: Channel) -> None:
    """No class chosen (an abroad registration): the classes, unnumbered and without buttons,
    then the form's question, whose options the numbers are."""
    for text in ("dang ky di nhat", "dong y", "ban than"):
        await say(app, "me", text, channel=channel)
    lines = await say(app, "me", "co lop nao", channel=channel)
    assert intents(lines)[-1] == "flow:intake.full_name"
    listed = [line for line in lines if "May công nghiệp" in line["text"]]
    assert listed and not any(NUMBERED_CLASS.search(line["text"]) for line in listed)
    assert not any(line.get("buttons") for line in listed)
    assert t("faq.courses.choose") not in texts(lines)
    assert t("courses.asked_in.footer_intake") in texts(lines)


async def test_outside_any_flow_the_list_stays_numbered(app: App) -> None:
    lines = await say(app, "me", "bao gio hoc", channel=Channel.ZALO)
    assert NUMBERED_CLASS.search(texts(lines)) and t("faq.courses.choose") in texts(lines)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_in_another_flow_the_classes_are_listed_unnumbered_then_its_question(
    app: App, channel: Channel
) -> None:
    """At the subscription's commune question "co lop nao" was "no commune «co lop nao»"."""
    assert intents(await say(app, "me", "nhan thong bao", channel=channel)) == [
        "flow:subscribe.unit"]
    lines = await say(app, "me", "co lop nao", channel=channel)
    assert intents(lines)[0] == "faq:training.courses"
    assert intents(lines)[-1] == "flow:subscribe.unit"
    listed = next(line["text"] for line in lines if "May công nghiệp" in line["text"])
    assert not NUMBERED_CLASS.search(listed) and t("courses.asked_in.footer") in listed
    assert intents(await say(app, "me", "phu luu", channel=channel))[-1] != "flow:subscribe.unit"


async def test_at_the_class_question_the_form_lists_the_classes_once(app: App) -> None:
    """The FAQ's list above the form's own list of the same classes said it twice."""
    answers = ["dang ky hoc nghe", "dong y", "ban than", "Tran Van Nam", "1/2/1990", "nam",
               "0987654321", "phu luu", "thon 1", "tay", "khong"]
    for text in answers:
        lines = await say(app, "me", text, channel=Channel.ZALO)
    assert intents(lines) == ["flow:intake.course"]
    lines = await say(app, "me", "bao gio hoc", channel=Channel.ZALO)
    assert intents(lines)[-1] == "flow:intake.course"
    assert sum("May công nghiệp" in line["text"] for line in lines) == 1
    assert t("courses.asked_in.below") in texts(lines)
