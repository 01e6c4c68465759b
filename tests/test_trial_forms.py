"""Found by trying the product as its users would (a worker and a mother on Zalo, an officer on
Telegram): the registration form, and help, cancel and deletion outside a flow. Each fix is kept
here, through the real engine, on the console and on Zalo where the rendering matters."""

from __future__ import annotations

import re

import pytest

from bot.app import App
from handlers.types import Channel
from messages import t
from tests.helpers import Clock, intents, say, texts
from tests.intake_support import all_cases, fill_form
from tests.officials_helpers import make_officer
from tests.test_journeys import RELATIVE_CLASS
from tests.test_journeys import _journey as journey

CHANNELS = [Channel.CONSOLE, Channel.ZALO]

FORM_ANSWERS = {
    "consent": "dong y", "who": "ban than", "kind": "xkld", "full_name": "nguyen van hung",
    "dob": "15/8/1998", "gender": "nam", "phone": "0912345678", "commune": "phu luu",
    "village": "thon 3", "ethnicity": "tay", "household": "can ngheo", "market": "nhat",
    "citizen_id": "ko co",
}


@pytest.mark.parametrize("channel", CHANNELS)
async def test_help_says_what_every_step_of_the_form_expects(
    app: App, channel: Channel
) -> None:
    generic = t("escapes.help.intake.any")
    lines = await say(app, "me", "toi muon dang ky", channel=channel)
    while (step := intents(lines)[-1].removeprefix("flow:intake.")) != "summary":
        help_lines = await say(app, "me", "giúp", channel=channel)
        assert help_lines[0]["text"] != generic, step
        assert intents(help_lines)[-1] == f"flow:intake.{step}"
        lines = await say(app, "me", FORM_ANSWERS[step], channel=channel)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_cancelling_a_hand_off_mid_form_shows_only_the_form_question(
    app: App, channel: Channel
) -> None:
    """The cancelled hand-off used to carry the main menu, then the form's question: on Zalo
    two numbered lists in a row."""
    for text in ("toi muon dang ky", "dong y", "ban than", "xkld"):
        await say(app, "me", text, channel=channel)
    lines = await say(app, "me", "gap can bo", channel=channel)
    assert intents(lines) == ["flow:handoff.commune"]
    lines = await say(app, "me", "huy", channel=channel)
    assert intents(lines) == ["flow:handoff.cancelled", "flow:intake.full_name"]
    assert lines[0]["text"] == t("handoff.cancelled") and not lines[0].get("buttons")


async def test_the_resume_offer_counts_like_the_form(app: App) -> None:
    """The form said "(Còn 6 câu)" and the resume offer "đã trả lời 7/12 câu" (5 left)."""
    for text in ("e muon dang ky di nhat", "dong y", "nguyen van hung", "15/8/1998", "nam"):
        lines = await say(app, "me", text)
    counter = re.search(r"\(Còn (\d+) câu\)", texts(lines))
    assert counter is not None
    await say(app, "me", "menu")
    offer = texts(await say(app, "me", "dang ky"))
    done, total = map(int, re.findall(r"(\d+)/(\d+) câu", offer)[0])
    assert total - done == int(counter.group(1)), offer


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_mother_registers_her_son_from_one_sentence(app: App, channel: Channel) -> None:
    """"đăng ký học nghề cho con trai tôi ở Bạch Xa": relative, child, class, commune and now
    the gender are read from the sentence and never asked."""
    answers = {**RELATIVE_CLASS, "dob": ["15-8-05"], "citizen_id": ["chua co"]}
    turns, asked, _ = await journey(
        app, "me", channel, "dang ky hoc nghe cho con trai toi o bach xa", answers
    )
    assert not {"who", "relationship", "kind", "gender", "commune"} & set(asked), asked
    [case] = await all_cases(app)
    assert (case.gender, case.kind) == ("male", "course")
    print(f"mother registering her son on {channel.value}: {turns} turns ({', '.join(asked)})")
    assert turns <= 11


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_trigger_phrase_fills_the_form_like_a_request(app: App, channel: Channel) -> None:
    """"đăng ký học nghề" (an exact trigger phrase) started an empty form that asked "Anh/chị
    đăng ký việc gì?"."""
    await say(app, "me", "dang ky hoc nghe", channel=channel)
    lines = await say(app, "me", "dong y", channel=channel)
    assert intents(lines) == ["flow:intake.who"] and "Học nghề" in texts(lines)
    lines = await say(app, "me", "ban than", channel=channel)
    assert intents(lines) == ["flow:intake.full_name"]  # not "kind"


@pytest.mark.parametrize("channel", CHANNELS)
async def test_help_outside_a_flow_and_declining_a_deletion_by_typing(
    app: App, channel: Channel
) -> None:
    lines = await say(app, "me", "giúp", channel=channel)  # was "which topic?" of three
    assert intents(lines) == ["flow:menu.help", "flow:menu"]
    await journey(app, "me", channel, "e muon dang ky di nhat", {
        "consent": ["dong y"], "full_name": ["nguyen van hung"], "dob": ["15/8/1998"],
        "gender": ["nam"], "phone": ["0912345678"], "commune": ["phu luu"],
        "village": ["thon 3"], "ethnicity": ["tay"], "household": ["can ngheo"],
        "citizen_id": ["ko co"], "summary": ["ok dung roi"]})
    lines = await say(app, "me", "xem du lieu cua toi", channel=channel)
    assert "Quan hệ" not in texts(lines)  # was "Quan hệ: self" for one's own case
    await say(app, "me", "xoa du lieu cua toi", channel=channel)
    lines = await say(app, "me", "khong", channel=channel)  # was "bot chưa hiểu"
    assert texts(lines).startswith(t("privacy.delete_cancelled"))
    assert len(await all_cases(app)) == 1


@pytest.mark.parametrize("channel", CHANNELS)
async def test_help_and_cancel_in_a_conversation_with_an_officer(
    app: App, channel: Channel
) -> None:
    for text in ("gap can bo", "phu luu", "e muon hoi lich phong van"):
        await say(app, "me", text, channel=channel)
    lines = await say(app, "me", "giúp", channel=channel)
    assert "đang trao đổi với cán bộ" in lines[0]["text"]  # not "type your question"
    lines = await say(app, "me", "hủy", channel=channel)
    assert texts(lines).startswith(t("thread.left_open"))  # not "chưa gửi gì cho cán bộ"


async def test_the_summary_says_for_whom_without_cho_twice(app: App) -> None:
    lines = await say(app, "me", "e muon dang ky di nhat")
    lines = await say(app, "me", "dong y")
    assert "Đăng ký cho: Bản thân" in texts(lines)  # was "Đăng ký cho: Cho bản thân tôi"


async def test_a_question_from_the_middle_of_a_registration_names_the_person(
    app: App, clock: Clock
) -> None:
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    for text in ("e muon dang ky di nhat", "dong y", "nguyen van hung", "gap can bo",
                 "phu luu"):
        await say(app, "me", text)
    lines = await say(app, "me", "cho e hoi ve khoan vay")
    [notice] = [x for x in lines if x["to"] == "pl"]
    assert "Nguyen Van Hung" in notice["text"], notice["text"]  # was "(không rõ tên)"


@pytest.mark.parametrize("channel", CHANNELS)
async def test_the_name_step_answers_myself_and_my_son_in_their_own_words(
    app: App, channel: Channel
) -> None:
    """"ban than" at the name question means "I register for myself", not "a sentence": the
    bot asks for their own full name; "con trai toi" gets its own word, "ho ngheo" is kept for
    its question; none is saved as a name."""
    async def at_name(user: str, request: str) -> None:
        await say(app, user, request, channel=channel)
        lines = await say(app, user, "dong y", channel=channel)
        assert intents(lines)[-1] == "flow:intake.full_name", lines

    await at_name("u1", "tôi muốn đăng ký đi làm việc ở nước ngoài")
    sentence = t("intake.invalid.name_sentence")
    for typed, said in [("ban than", "đăng ký cho chính mình"), ("chính tôi", "chính mình"),
                        ("con trai toi", "người được đăng ký"),
                        ("ho ngheo", "Diện hộ: Hộ nghèo")]:
        lines = await say(app, "u1", typed, channel=channel)
        assert intents(lines) == ["flow:intake.full_name"], (typed, lines)
        assert said in lines[0]["text"] and sentence not in lines[0]["text"], typed
        assert len(lines[0]["text"]) <= 600
    lines = await say(app, "u1", "nguyen van hung", channel=channel)
    assert intents(lines) == ["flow:intake.dob"]

    await at_name("u2", "đăng ký đi làm việc ở nước ngoài cho con trai tôi")
    lines = await say(app, "u2", "bản thân", channel=channel)
    assert intents(lines) == ["flow:intake.full_name"]
    assert "người thân ấy" in lines[0]["text"]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_number_no_option_has_is_told_so_in_the_form(app: App, channel: Channel) -> None:
    """"6" under the five options of the gender question said "choose one, or type 1"; "12"
    at the commune question said the commune was not found."""
    await say(app, "u1", "tôi muốn đăng ký đi làm việc ở nước ngoài", channel=channel)
    await say(app, "u1", "dong y", channel=channel)
    for typed in ("Lò Thị Mai", "3/4/2000"):
        await say(app, "u1", typed, channel=channel)
    lines = await say(app, "u1", "6", channel=channel)
    assert intents(lines) == ["flow:intake.gender"]
    assert lines[0]["text"].startswith("Dạ, không có lựa chọn số 6.")
    await say(app, "u1", "nu", channel=channel)
    await say(app, "u1", "0912345678", channel=channel)
    lines = await say(app, "u1", "12", channel=channel)
    assert intents(lines) == ["flow:intake.commune"]
    assert "không có lựa chọn số 12" in lines[0]["text"]
    assert "không tìm thấy xã" not in lines[0]["text"]
    # A number an option has still picks it.
    lines = await say(app, "u1", "3", channel=channel)  # Hàm Yên
    assert intents(lines) == ["flow:intake.village"]


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.ZALO])
async def test_no_id_card_said_on_the_summary_is_told_it_is_optional(
    app: App, channel: Channel
) -> None:
    """"chua co cccd" on the summary (the ID question skipped) got "not the bot's business"."""
    lines = await fill_form(app, "u1", channel=channel, person={"cid": "bỏ qua"})
    assert intents(lines) == ["flow:intake.summary"]
    lines = await say(app, "u1", "chua co cccd", channel=channel)
    assert intents(lines) == ["flow:intake.summary"]
    assert texts(lines).startswith(t("intake.citizen_id_optional"))
    # At the ID question itself it is the skip, as "bỏ qua" is.
    await say(app, "u1", "sửa số căn cước", channel=channel)
    assert intents(await say(app, "u1", "e chua co cccd a", channel=channel)) == [
        "flow:intake.summary"]
