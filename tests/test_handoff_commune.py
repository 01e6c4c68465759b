"""The commune is asked once (issue 13): chosen for «Gặp cán bộ» in the middle of the form, it
fills the form's commune question; answered in the form, the hand-off does not ask it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App
from handlers.types import Channel
from storage.models import Thread, ThreadMessage, Unit
from tests.helpers import intents, press, say, texts

CHANNELS = [Channel.CONSOLE, Channel.ZALO]
QUESTION = "Cho em hỏi bao giờ có đợt tuyển đi Nhật?"
REQUEST = "tôi muốn đăng ký đi làm việc nước ngoài"
#: The form's answers up to its commune question.
TO_COMMUNE = [("say", "Nguyễn Thị Mai"), ("say", "12/3/1999"), ("press", "Nữ"),
              ("say", "0912345678")]


async def _hand_off(app: App, channel: Channel, commune: str = "Phù Lưu") -> list[dict[str, Any]]:
    """«Gặp cán bộ», the commune, the question; returns the last turn's lines."""
    assert intents(await say(app, "u1", "gặp cán bộ", channel=channel)) == [
        "flow:handoff.commune"
    ]
    assert intents(await press(app, "u1", commune, channel=channel)) == ["flow:handoff.ask"]
    return await say(app, "u1", QUESTION, channel=channel)


async def _agreed(app: App, channel: Channel) -> None:
    await say(app, "u1", REQUEST, channel=channel)
    await press(app, "u1", "Đồng ý", channel=channel)


async def _finish(app: App, channel: Channel, answers: list[tuple[str, str]]) -> list[str]:
    """Answer the form's questions; returns every step it asked on the way (and, last, the
    text of the last message)."""
    asked: list[str] = []
    lines: list[dict[str, Any]] = []
    for how, text in answers:
        lines = await (say if how == "say" else press)(app, "u1", text, channel=channel)
        asked.append(intents(lines)[-1])
    return [*asked, texts(lines)]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_commune_chosen_at_the_commune_step_is_not_asked_again(
    app: App, channel: Channel
) -> None:
    await _agreed(app, channel)
    assert (await _finish(app, channel, TO_COMMUNE))[-2] == "flow:intake.commune"

    lines = await _hand_off(app, channel)
    assert intents(lines) == ["flow:handoff.done", "flow:intake.village"], lines
    assert "Xã: Phù Lưu" in lines[-1]["text"]
    asked = await _finish(app, channel, [
        ("say", "Thôn Khuổi Lếch"), ("press", "Tày"), ("press", "Hộ nghèo"),
        ("press", "Nhật Bản"), ("say", "025199004321"),
    ])
    *steps, summary = asked
    assert "flow:intake.commune" not in steps and steps[-1] == "flow:intake.summary"
    assert "Phù Lưu" in summary


@pytest.mark.parametrize("channel", CHANNELS)
async def test_commune_chosen_before_the_commune_step_fills_it(
    app: App, channel: Channel
) -> None:
    await _agreed(app, channel)
    assert (await _finish(app, channel, TO_COMMUNE[:1]))[-2] == "flow:intake.dob"

    lines = await _hand_off(app, channel, "Thái Hòa")
    # Back at the question it left, told what the form now holds.
    assert intents(lines) == ["flow:handoff.done", "flow:intake.dob"], lines
    assert "Xã: Thái Hòa" in lines[-1]["text"]
    asked = await _finish(app, channel, TO_COMMUNE[1:])
    assert asked[-2] == "flow:intake.village", asked


@pytest.mark.parametrize("channel", CHANNELS)
async def test_commune_chosen_before_consent_fills_the_new_form(
    app: App, channel: Channel
) -> None:
    lines = await say(app, "u1", REQUEST, channel=channel)
    assert intents(lines) == ["flow:intake.consent"]
    lines = await _hand_off(app, channel)
    assert intents(lines) == ["flow:handoff.done", "flow:intake.consent"], lines
    lines = await press(app, "u1", "Đồng ý", channel=channel)
    assert "Xã: Phù Lưu" in lines[-1]["text"]
    asked = await _finish(app, channel, TO_COMMUNE)
    assert asked[-2] == "flow:intake.village", asked


@pytest.mark.parametrize("channel", CHANNELS)
async def test_commune_answered_in_the_form_is_not_asked_by_the_hand_off(
    app: App, channel: Channel
) -> None:
    await _agreed(app, channel)
    await _finish(app, channel, [*TO_COMMUNE, ("say", "phu luu")])
    lines = await say(app, "u1", "gặp cán bộ", channel=channel)
    assert intents(lines) == ["flow:handoff.ask"], lines
    lines = await say(app, "u1", QUESTION, channel=channel)
    assert intents(lines) == ["flow:handoff.done", "flow:intake.village"], lines


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_typed_commune_is_taken_with_or_without_the_question(
    app: App, channel: Channel
) -> None:
    """At «Anh/chị ở xã nào?», "em o xa phu luu" was kept as the question (sent to the
    officers later) and the commune asked again; a question naming the commune is sent."""
    await say(app, "u1", "gặp cán bộ", channel=channel)
    lines = await say(app, "u1", "em o xa phu luu", channel=channel)
    assert intents(lines) == ["flow:handoff.ask"], lines
    await say(app, "u1", "hủy", channel=channel)
    await say(app, "u2", "gặp cán bộ", channel=channel)
    lines = await say(app, "u2", "em o thai hoa, muon hoi lich phong van di han", channel=channel)
    assert intents(lines) == ["flow:handoff.done"], lines
    async with app.db.session() as session:
        unit = await session.scalar(
            select(Unit.name).join(Thread, Thread.unit_id == Unit.id)
        )
    assert unit == "Thái Hòa"


@pytest.mark.parametrize("channel", CHANNELS)
async def test_going_back_to_the_form_at_the_question_step_sends_nothing(
    app: App, channel: Channel
) -> None:
    await _agreed(app, channel)
    await _finish(app, channel, TO_COMMUNE[:1])
    await say(app, "u1", "gặp cán bộ", channel=channel)
    await press(app, "u1", "Phù Lưu", channel=channel)
    lines = await say(app, "u1", "tiep tuc dang ky", channel=channel)
    assert intents(lines) == ["flow:handoff.cancelled", "flow:intake.dob"], lines
    # "quay lại" (the form's own word for back) there too: tried in the simulator, it was
    # sent to the officer as the question.
    await say(app, "u1", "gặp cán bộ", channel=channel)
    lines = await say(app, "u1", "Quay lại", channel=channel)
    assert intents(lines) == ["flow:handoff.cancelled", "flow:intake.dob"], lines
    async with app.db.session() as session:
        assert (await session.scalars(select(Thread))).all() == []
    # A real question at that step is still sent (the commune chosen is the form's now).
    assert intents(await say(app, "u1", "gặp cán bộ", channel=channel)) == ["flow:handoff.ask"]
    lines = await say(app, "u1", QUESTION, channel=channel)
    assert intents(lines)[0] == "flow:handoff.done"


@pytest.mark.parametrize("channel", CHANNELS)
async def test_going_back_to_the_form_at_the_commune_step_keeps_nothing(
    app: App, channel: Channel
) -> None:
    # Tried in the simulator: "quay lại" while the commune was asked was kept as the
    # question, and the commune list came again.
    await _agreed(app, channel)
    assert intents(await say(app, "u1", "gặp cán bộ", channel=channel)) == [
        "flow:handoff.commune"]
    lines = await say(app, "u1", "quay lại", channel=channel)
    assert intents(lines) == ["flow:handoff.cancelled", "flow:intake.full_name"], lines
    # A question typed at that step is still kept for the officer, as before.
    await say(app, "u1", "gặp cán bộ", channel=channel)
    await say(app, "u1", QUESTION, channel=channel)
    lines = await press(app, "u1", "Phù Lưu", channel=channel)
    assert intents(lines)[0] == "flow:handoff.done"
    async with app.db.session() as session:
        assert [m.text for m in await session.scalars(select(ThreadMessage))] == [QUESTION]


async def test_a_request_naming_the_commune_and_asking_is_sent_as_it_is(app: App) -> None:
    """Second user trial: "cho toi gap can bo xa yen phu, hoi lop may ..." asked for the
    commune; a "8" typed next was kept as the question and, once the commune was typed, the
    officers read «8»; her question was lost."""
    asked = "cho toi gap can bo xa yen phu, hoi lop may bao gio khai giang"
    lines = await say(app, "u1", asked, channel=Channel.ZALO)
    assert "flow:handoff.done" in intents(lines), lines
    async with app.db.session() as session:
        thread = await session.scalar(select(Thread))
        assert thread is not None
        unit = await session.get(Unit, thread.unit_id)
    assert unit is not None and unit.name == "Yên Phú"
    lines = await say(app, "u2", "cho toi gap can bo xa yen phu", channel=Channel.ZALO)
    assert intents(lines)[0] == "flow:handoff.ask", lines


async def test_a_bare_number_at_the_commune_step_is_not_the_question(app: App) -> None:
    await say(app, "u1", "gặp cán bộ", channel=Channel.ZALO)
    await say(app, "u1", "hỏi lớp may khi nào học", channel=Channel.ZALO)
    lines = await say(app, "u1", "12", channel=Channel.ZALO)
    assert intents(lines) == ["flow:handoff.commune"], lines
    lines = await say(app, "u1", "yen phu", channel=Channel.ZALO)
    assert "flow:handoff.done" in intents(lines), lines
    async with app.db.session() as session:
        asked = list(await session.scalars(select(ThreadMessage.text)))
    assert asked == ["hỏi lớp may khi nào học"]


async def test_questions_at_the_commune_step_are_kept_together_and_said_so(app: App) -> None:
    # Found in the simulator on Zalo: each text at «Anh/chị ở xã nào?» replaced the question
    # kept before, without a word, so the officers read "thui cam on nha" and neither question.
    zalo = Channel.ZALO
    await say(app, "u1", "gap can bo", channel=zalo)
    lines = await say(app, "u1", "di nhat mat bao lau va chi phi bao nhieu", channel=zalo)
    assert intents(lines) == ["flow:handoff.commune"]
    assert lines[0]["text"].startswith("Dạ, bot đã ghi câu hỏi")
    for text in ("gap can bo", "cho e hoi them lam ho chieu o dau", "thui cam on nha"):
        lines = await say(app, "u1", text, channel=zalo)
        assert intents(lines) == ["flow:handoff.commune"], text
    assert not lines[0]["text"].startswith("Dạ, bot đã ghi")  # thanks are no question
    lines = await say(app, "u1", "yen phu", channel=zalo)
    assert "flow:handoff.done" in intents(lines), lines
    async with app.db.session() as session:
        asked = list(await session.scalars(select(ThreadMessage.text)))
    assert asked == ["di nhat mat bao lau va chi phi bao nhieu\ncho e hoi them lam ho chieu o dau"]


async def test_going_back_at_the_commune_step_without_a_form_sends_nothing(app: App) -> None:
    await say(app, "u1", "gặp cán bộ", channel=Channel.ZALO)
    lines = await say(app, "u1", "quay lai", channel=Channel.ZALO)
    assert intents(lines) == ["flow:handoff.cancelled"]  # it was kept as the question
    async with app.db.session() as session:
        assert (await session.scalars(select(Thread))).all() == []
