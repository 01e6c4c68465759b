"""A question typed at a form step is a question, whatever the matcher makes of it (issue 13):
answered, or "which topic?" with the topics offered first among the step's options, or told it
was not understood; then the step's question again. Never saved as a name, never "not a name".
Through the engine on the console and on Zalo (no buttons: numbered options)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App
from handlers.types import Channel
from messages import t
from messages.faq_loader import load_kb
from storage.models import IntakeDraft
from tests.helpers import intents, press, say, shipped_matcher, texts
from tests.test_escapes import ANSWERS

CHANNELS = [Channel.CONSOLE, Channel.ZALO]
NAME_STEP = "flow:intake.full_name"
DOB_STEP = "flow:intake.dob"
NOT_A_NAME = "không phải họ tên"


async def _at_name_step(app: App, channel: Channel) -> None:
    await say(app, "u1", "tôi muốn đăng ký", channel=channel)
    await press(app, "u1", "Đồng ý", channel=channel)
    await press(app, "u1", "Cho bản thân tôi", channel=channel)
    lines = await press(app, "u1", "Học nghề", channel=channel)
    assert intents(lines)[-1] == NAME_STEP


def _options(lines: list[dict[str, Any]], channel: Channel) -> str:
    """The options of the last message as the person sees them."""
    last = lines[-1]
    if channel == Channel.ZALO:
        return str(last["text"])
    return " | ".join(label for row in last.get("buttons", []) for label in row)


async def _saved_name(app: App) -> object:
    async with app.db.session() as session:
        draft = await session.scalar(select(IntakeDraft))
        assert draft is not None
        return draft.data.get("full_name")


@pytest.mark.parametrize("channel", CHANNELS)
# ("có mất tiền không" was one: in the form it is now answered for the form's kind, see
# tests/test_trial_father.py.)
@pytest.mark.parametrize("question", ["thủ tục thế nào ạ", "mất bao lâu vậy"])
async def test_a_question_the_matcher_only_narrows_is_clarified_at_the_name_step(
    app: App, channel: Channel, question: str
) -> None:
    decision = shipped_matcher().decide(question)
    assert decision.outcome == "clarify", decision  # the case under test
    await _at_name_step(app, channel)
    lines = await say(app, "u1", question, channel=channel)
    assert NOT_A_NAME not in texts(lines)
    assert intents(lines) == ["clarify", NAME_STEP]
    assert lines[0]["meta"]["suggestions"] == decision.suggestions
    # The topics come first among the step's options, so "1" is the first topic.
    kb = load_kb()
    titles = [kb.entries[s].title for s in decision.suggestions]
    shown = _options(lines, channel)
    assert all(title in shown for title in titles)
    assert shown.index(titles[0]) < shown.index(t("intake.button.back"))
    assert await _saved_name(app) is None

    # Choosing a topic by its number answers it, then the name is asked again.
    lines = await (say if channel == Channel.ZALO else press)(app, "u1", "1", channel=channel)
    # (A class topic's answer is followed by the class list, in a message of its own.)
    answer = f"faq:{decision.suggestions[0]}"
    assert intents(lines)[0] == answer and intents(lines)[-1] == NAME_STEP
    assert set(intents(lines)[1:-1]) <= {answer}
    assert await _saved_name(app) is None

    # The name typed after that is the name.
    lines = await say(app, "u1", "Nguyễn Văn An", channel=channel)
    assert intents(lines)[-1] == "flow:intake.dob"
    assert await _saved_name(app) == "Nguyễn Văn An"


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_question_answered_at_the_name_step_asks_the_name_again(
    app: App, channel: Channel
) -> None:
    await _at_name_step(app, channel)
    lines = await say(app, "u1", "hoc nghe co duoc ho tro tien an khong", channel=channel)
    assert intents(lines) == ["faq:training.support", NAME_STEP]
    assert NOT_A_NAME not in texts(lines)
    assert await _saved_name(app) is None


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_question_outside_the_remit_is_still_not_a_name(
    app: App, channel: Channel
) -> None:
    await _at_name_step(app, channel)
    lines = await say(app, "u1", "giá lúa hôm nay bao nhiêu", channel=channel)
    assert intents(lines) == ["fallback", NAME_STEP]
    assert NOT_A_NAME not in texts(lines)
    # Told it is not the office's work (not "not understood"), the form kept.
    assert t("intake.faq_outside") in texts(lines)
    assert await _saved_name(app) is None


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_sentence_on_another_matter_without_a_question_word_is_told_so(
    app: App, channel: Channel
) -> None:
    # Last session's leftover: "mấy môn" is no question word the form knows ("may" is
    # sewing, "Mây" a name), so this was refused as a name: "Họ tên không có chữ số".
    text = "nam nay lop 9 thi vao 10 thi may mon"
    assert not shipped_matcher().is_question(text)  # the case under test
    await _at_name_step(app, channel)
    lines = await say(app, "u1", text, channel=channel)
    assert intents(lines) == ["fallback", NAME_STEP]
    assert t("intake.faq_outside") in texts(lines)
    assert t("intake.invalid.name_digits") not in texts(lines)
    assert await _saved_name(app) is None

    # A name typed wrong is still told why, even where the answerer finds it outside the
    # remit: only a sentence (more words than a name has) is taken for another matter.
    lines = await say(app, "u1", "Hoàng Thị 1990 Mai", channel=channel)
    assert intents(lines) == [NAME_STEP]
    assert t("intake.invalid.name_digits") in texts(lines)
    assert t("intake.faq_outside") not in texts(lines)
    # A name, then its year of birth: both kept, the day and month asked.
    lines = await say(app, "u1", "Hoàng Thị Mai 1990", channel=channel)
    assert intents(lines)[-1] == "flow:intake.dob"
    assert t("intake.invalid.date_day_month", year=1990) in texts(lines)
    assert await _saved_name(app) == "Hoàng Thị Mai"


@pytest.mark.parametrize("channel", CHANNELS)
async def test_words_on_another_matter_at_the_date_question_are_told_so(
    app: App, channel: Channel
) -> None:
    # Words without a digit are no try at a date: on another matter, told so (they got the
    # date's accepted forms).
    await _at_name_step(app, channel)
    assert intents(await say(app, "u1", "Nguyễn Văn Nam", channel=channel))[-1] == DOB_STEP
    lines = await say(app, "u1", "em muốn gặp bác sĩ tư vấn trực tiếp", channel=channel)
    assert intents(lines) == ["fallback", DOB_STEP]
    assert t("intake.faq_outside") in texts(lines)
    assert t("intake.invalid.date_format") not in texts(lines)
    # A date typed wrong is still shown the accepted forms.
    lines = await say(app, "u1", "ngay 15 thang 13 nam 2005", channel=channel)
    assert intents(lines) == [DOB_STEP]
    assert t("intake.faq_outside") not in texts(lines)
    assert intents(await say(app, "u1", "15/8/2005", channel=channel))[-1] == "flow:intake.gender"


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_narrowed_question_is_clarified_at_every_step_of_the_form(
    app: App, channel: Channel
) -> None:
    question = "mất bao lâu vậy"
    suggestions = shipped_matcher().decide(question).suggestions
    assert suggestions

    async def send(how: str, text: str) -> list[dict[str, Any]]:
        return await (say if how == "say" else press)(app, "u1", text, channel=channel)

    lines = await send("say", "đăng ký")
    seen: list[str] = []
    while (where := intents(lines)[-1]) != "flow:intake.summary":
        step = where.removeprefix("flow:intake.")
        seen.append(step)
        lines = await send("say", question)
        assert intents(lines) == ["clarify", where], step
        assert lines[0]["meta"]["suggestions"] == suggestions, step
        assert "không phải" not in texts(lines).lower(), step
        lines = await send(*ANSWERS[step])
    assert len(seen) == len(ANSWERS)
    lines = await send("say", question)
    assert intents(lines) == ["clarify", "flow:intake.summary"]
    assert t("intake.choose_option") not in texts(lines)


@pytest.mark.parametrize("answer", ["ko biet", "không biết ạ", "chua biet"])
async def test_not_knowing_the_optional_id_skips_it(app: App, answer: str) -> None:
    # Second user trial: a grandmother's "ko biet" for the grandchild's ID got "Số căn cước
    # chỉ gồm chữ số." and the question again.
    from tests.intake_support import fill_form

    lines = await fill_form(app, "u1", channel=Channel.ZALO, person={"cid": answer})
    assert intents(lines) == ["flow:intake.summary"]
    async with app.db.session() as session:
        draft = await session.scalar(select(IntakeDraft))
    assert draft is not None and draft.data["citizen_id_enc"] == ""  # skipped
