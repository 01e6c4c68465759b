"""Escapes work in every step (issue 13): help says what the step expects, a question is
answered and the step asked again, «Gặp cán bộ» hands off and then gives the place back,
cancel stops, "menu" leaves; on the console and on Zalo, in the form and in the dossier."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import App
from handlers.types import Channel
from tests.dossier_support import make_case, two_units
from tests.helpers import intents, press, say, texts
from tests.intake_support import fill_form

CHANNELS = [Channel.CONSOLE, Channel.ZALO]
QUESTION = "đi nhật hết bao nhiêu tiền?"
#: The question went to the officer: a new conversation, or a follow-up in the open one.
HANDED = ("flow:handoff.done", "flow:handoff.thread")

#: step → how to answer it (press a label or type a text).
ANSWERS: dict[str, tuple[str, str]] = {
    "consent": ("press", "Đồng ý"),
    "who": ("press", "Cho bản thân tôi"),
    "kind": ("press", "Đi làm việc ở nước ngoài"),
    "full_name": ("say", "Nguyễn Thị Mai"),
    "dob": ("say", "12/3/1999"),
    "gender": ("press", "Nữ"),
    "phone": ("say", "0912345678"),
    "commune": ("say", "phu luu"),
    "village": ("say", "Thôn Khuổi Lếch"),
    "ethnicity": ("press", "Tày"),
    "household": ("press", "Hộ nghèo"),
    "market": ("press", "Nhật Bản"),
    "citizen_id": ("say", "025199004321"),
}


def _step(lines: list[dict[str, Any]]) -> str:
    return intents(lines)[-1]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_escapes_from_every_step_of_the_form(app: App, channel: Channel) -> None:
    async def send(how: str, text: str) -> list[dict[str, Any]]:
        return await (say if how == "say" else press)(app, "u1", text, channel=channel)

    lines = await send("say", "đăng ký")
    seen: list[str] = []
    while (where := _step(lines)) != "flow:intake.summary":
        step = where.removeprefix("flow:intake.")
        assert step in ANSWERS, where
        seen.append(step)

        lines = await send("say", "hướng dẫn")
        assert intents(lines)[0] == "flow:intake.help" and _step(lines) == where, step

        lines = await send("say", QUESTION)
        assert intents(lines)[0] == "faq:abroad.costs" and _step(lines) == where, step

        lines = await send("say", "gặp cán bộ")
        if intents(lines) == ["flow:handoff.commune"]:  # no commune known yet: asked first
            # "Not sure": a commune chosen here would fill the form's commune question
            # (tests/test_handoff_commune.py), and this test walks every question.
            lines = await send("press", "Không rõ / xã khác")
        # The first time the question is asked for; later the open conversation is resumed.
        assert intents(lines) in (["flow:handoff.ask"], ["flow:handoff.thread"]), step
        lines = await send("say", "Cho em hỏi lịch phỏng vấn tháng sau")
        assert intents(lines)[0] in HANDED and _step(lines) == where, step

        if step != "consent":
            lines = await send("say", "hủy")
            assert _step(lines) == "flow:intake.cancel", step
            lines = await send("press", "Không, làm tiếp")
            assert _step(lines) == where, step

        lines = await send(*ANSWERS[step])
    assert len(seen) == len(ANSWERS)

    # The summary: the same escapes, and "menu" keeps the form for later.
    lines = await send("say", "giúp với")
    assert intents(lines) == ["flow:intake.help", "flow:intake.summary"]
    lines = await send("say", "menu")
    assert intents(lines) == ["flow:menu"] and "đăng ký" in texts(lines).lower()
    lines = await send("say", "đăng ký")
    assert _step(lines) == "flow:intake.resume"


@pytest.mark.parametrize("channel", CHANNELS)
async def test_escapes_from_the_dossier(app: App, channel: Channel) -> None:
    unit, _ = await two_units(app)
    await make_case(app, "fam", unit_id=unit, channel=channel)

    async def send(text: str) -> list[dict[str, Any]]:
        return await say(app, "fam", text, channel=channel)

    lines = await send("hồ sơ")
    assert _step(lines) == "flow:dossier.checklist"
    for where in ("flow:dossier.checklist", "flow:dossier.item"):
        lines = await send("hướng dẫn")
        assert intents(lines)[0] == "flow:dossier.help" and _step(lines) == where
        lines = await send("xin hỏi đi nhật hết bao nhiêu tiền")
        assert intents(lines)[0] == "faq:abroad.costs" and _step(lines) == where
        lines = await send("gap can bo")
        assert intents(lines) in (["flow:handoff.ask"], ["flow:handoff.thread"])
        lines = await send("Nhà em chưa có sổ hộ nghèo thì sao ạ")
        assert intents(lines)[0] in HANDED and _step(lines) == where
        if where == "flow:dossier.checklist":
            lines = await press(app, "fam", "1", channel=channel)
            assert _step(lines) == "flow:dossier.item"

    # A question in an item is not answered with "send the photos of the pages": this one,
    # about the dossier's own contract, by that item's state (tests/test_dossier_flow.py).
    lines = await send("chua ky hop dong thi lam sao")
    assert intents(lines)[0] == "flow:dossier.not_yet"
    assert "chưa cần gửi" in lines[0]["text"]
    # After an answer in the item, a number answers the item's options (the latest message).
    lines = await send(QUESTION)
    assert _step(lines) == "flow:dossier.item"
    lines = await press(app, "fam", "1", channel=channel)  # «Xong»
    assert intents(lines)[0].startswith("flow:dossier")
    assert "faq:" not in " ".join(intents(lines))

    lines = await send("thôi")
    assert intents(lines) == ["flow:dossier.cancelled"]
    lines = await send("2")  # the main menu's second door, not a dossier item
    assert intents(lines)[0] == "flow:faq.topics_training"


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.ZALO])
async def test_tiep_tuc_after_the_menu_resumes_the_unfinished_registration(
    app: App, channel: Channel
) -> None:
    await say(app, "r1", "e muon dang ky di han", channel=channel)
    await press(app, "r1", "Đồng ý", channel=channel)
    await say(app, "r1", "Nguyễn Văn Nam", channel=channel)
    assert intents(await say(app, "r1", "menu", channel=channel))[-1] == "flow:menu"
    lines = await say(app, "r1", "tiep tuc", channel=channel)
    assert intents(lines)[-1].startswith("flow:intake"), lines
    # With nothing unfinished, the same words are not an action.
    assert not intents(await say(app, "r2", "tiep tuc", channel=channel))[-1].startswith(
        "flow:intake")


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_short_message_with_the_word_menu_brings_the_menu(
    app: App, channel: Channel
) -> None:
    """"về lại menu đâu làm sao" was answered with the topic about coming home from abroad;
    a short message holding the word "menu" (or its usual slips) is the menu, in a form too."""
    assert _step(await say(app, "u1", "ve lai menu dau lm s", channel=channel)) == "flow:menu"
    await say(app, "u1", "tôi muốn đăng ký", channel=channel)
    assert _step(await say(app, "u1", "lam sao quay ve mebu", channel=channel)) == "flow:menu"
    # A longer question that mentions the menu is still a question.
    lines = await say(app, "u1", "bot co menu khong, toi muon hoi di nhat het bao nhieu tien",
                      channel=channel)
    assert "flow:menu" not in intents(lines)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # The summary says 'gõ «đúng»'; typed without tones, "dung" is also "dừng".
        ("dung", "flow:intake.done"),
        ("Dung roi.", "flow:intake.done"),
        ("dừng", "flow:intake.cancel"),  # typed with the cancel's own tones: a cancel
        ("huy", "flow:intake.cancel"),
    ],
)
async def test_a_word_both_yes_and_cancel_without_tones_is_the_summarys_yes(
    app: App, typed: str, expected: str
) -> None:
    await fill_form(app, "u1", channel=Channel.ZALO)
    lines = await say(app, "u1", typed, channel=Channel.ZALO)
    assert intents(lines)[-1] == expected


async def test_dung_away_from_a_confirmation_is_still_a_cancel(app: App) -> None:
    await say(app, "u1", "tôi muốn đăng ký")
    await press(app, "u1", "Đồng ý")
    lines = await say(app, "u1", "dung")
    assert intents(lines) == ["flow:intake.cancel"]


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.ZALO])
async def test_the_summary_and_the_edit_list_answered_in_words(app: App, channel: Channel) -> None:
    # "sửa" at the summary and "số điện thoại" at the edit list got «chọn một mục» and the
    # office's phone numbers: now they open the edit list and that question.
    await fill_form(app, "u1", channel=channel)
    lines = await say(app, "u1", "sua", channel=channel)
    assert intents(lines) == ["flow:intake.edit"]
    lines = await say(app, "u1", "so dien thoai", channel=channel)
    assert intents(lines) == ["flow:intake.phone"]
    lines = await say(app, "u1", "0971234568", channel=channel)
    assert intents(lines) == ["flow:intake.summary"] and "0971234568" in texts(lines)
    lines = await say(app, "u1", "sai roi", channel=channel)
    assert intents(lines) == ["flow:intake.edit"]
    lines = await say(app, "u1", "ten", channel=channel)
    assert intents(lines) == ["flow:intake.full_name"]


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.ZALO])
async def test_the_field_to_edit_named_on_the_summary_is_asked_at_once(
    app: App, channel: Channel
) -> None:
    # Found in the simulator on Zalo: "sua ngay sinh" on the summary got "answer by number"
    # and the whole summary again.
    await fill_form(app, "u1", channel=channel)
    lines = await say(app, "u1", "sua ngay sinh", channel=channel)
    assert intents(lines) == ["flow:intake.dob"]
    lines = await say(app, "u1", "13/3/1999", channel=channel)  # the ID's year stays right
    assert intents(lines) == ["flow:intake.summary"] and "13/03/1999" in texts(lines)
    lines = await say(app, "u1", "Đổi số điện thoại", channel=channel)
    assert intents(lines) == ["flow:intake.phone"]
