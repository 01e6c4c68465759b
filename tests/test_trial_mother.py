"""Fifth user trial (a mother on Zalo who reads little, registering her son who came back from
Japan): what broke, kept from breaking again. Each test failed on the code before its fix."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.app import App
from handlers.types import Channel
from messages import t
from storage.models import FallbackQuestion
from tests.helpers import intents, say, texts
from tests.intake_support import draft_data

CHANNELS = [Channel.CONSOLE, Channel.ZALO]


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("text", ["co ai o do k", "Có ai ở đấy không ạ", "alo có người không"])
async def test_asking_whether_anyone_is_there_is_greeted(
    app: App, channel: Channel, text: str
) -> None:
    # "co ai o do k" got "which topic?" among privacy, eligibility and scams.
    lines = await say(app, "m1", text, channel=channel)
    assert intents(lines) == ["smalltalk"]
    assert "Xin chào" in texts(lines)
    assert "Gặp cán bộ" in texts(lines) + str(lines[-1].get("buttons"))


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(
    "text", ["toi khong biet chu nhieu", "em ít chữ lắm", "mắt kém không đọc được"]
)
async def test_reading_with_difficulty_is_told_how_to_go_on_and_offered_an_officer(
    app: App, channel: Channel, text: str
) -> None:
    # "toi khong biet chu nhieu" got "which topic?" among rights, costs and eligibility.
    lines = await say(app, "m1", text, channel=channel)
    assert intents(lines) == ["smalltalk"]
    # "gõ số" only where the options are numbered (Zalo); elsewhere they are buttons.
    wording = "faq.hard_to_read_zalo" if channel == Channel.ZALO else "faq.hard_to_read"
    assert texts(lines).startswith(t(wording))
    assert ("gõ số" in texts(lines)) == (channel == Channel.ZALO)
    assert "Gặp cán bộ" in texts(lines) + str(lines[-1].get("buttons"))
    if channel == Channel.ZALO:
        assert "bấm" not in texts(lines)


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(
    "text", ["thang con toi no ten la Vu Van Hai", "no sinh nam 1996", "chau nó tên Lò Thị Mai"]
)
async def test_details_told_before_registering_are_not_kept_and_registration_is_offered(
    app: App, channel: Channel, text: str
) -> None:
    # The name got "not understood", the year of birth "not the bot's business"; both were
    # written to the log of unanswered questions, the name unmasked.
    lines = await say(app, "m1", text, channel=channel)
    assert intents(lines) == ["fallback"]
    assert texts(lines).startswith(t("faq.details_not_kept"))
    assert "không thuộc việc bot hỗ trợ" not in texts(lines)
    async with app.db.session() as session:
        assert await session.scalar(select(func.count(FallbackQuestion.id))) == 0
    # "Đăng ký" is one of the options: it starts the registration's consent.
    lines = await say(app, "m1", "dang ky", channel=channel)
    assert intents(lines) == ["flow:intake.consent"]


@pytest.mark.parametrize("text", ["ten lop la gi", "con toi ten gi", "lop may o ham yen"])
async def test_a_question_with_a_name_word_is_not_taken_for_details(app: App, text: str) -> None:
    lines = await say(app, "m1", text)
    assert t("faq.details_not_kept") not in texts(lines)


async def test_going_abroad_again_is_answered_in_the_first_message(app: App) -> None:
    # "con toi di nhat ve roi gio muon di lai co duoc k" got the coming-home steps only.
    lines = await say(app, "m1", "con toi di nhat ve roi gio muon di lai co duoc k",
                      channel=Channel.ZALO)
    assert intents(lines) == ["faq:abroad.return"]
    assert "Muốn đi lại" in lines[0]["text"] and "xác nhận với UBND xã" in lines[0]["text"]
    assert len(lines[0]["text"]) <= 600
    # A returnee's "về đúng hạn có được thi EPS đặc biệt không" had it only under «Xem chi tiết».
    lines = await say(app, "r1", "e ve dung han thi co duoc thi eps dac biet k",
                      channel=Channel.ZALO)
    assert intents(lines) == ["faq:abroad.return"]
    assert "thi đặc biệt để quay lại Hàn Quốc" in lines[0]["text"]
    assert len(lines[0]["text"]) <= 600



@pytest.mark.parametrize("channel", CHANNELS)
async def test_an_answer_out_of_turn_is_never_a_near_spelling_of_this_questions_option(
    app: App, channel: Channel
) -> None:
    # A «Quay lại» pressed by mistake put her at «Anh/chị đăng ký việc gì?»; her "ho ngheo"
    # (the household) was taken for «Học nghề» and Japan was dropped.
    await say(app, "m1", "dang ky cho con trai toi di nhat", channel=channel)
    lines = await say(app, "m1", "dong y", channel=channel)
    assert lines[-1]["meta"]["intent"] == "flow:intake.full_name"
    lines = await say(app, "m1", "quay lai", channel=channel)
    assert lines[-1]["meta"]["intent"] == "flow:intake.kind"
    lines = await say(app, "m1", "ho ngheo", channel=channel)
    assert lines[-1]["meta"]["intent"] == "flow:intake.kind"
    assert "Diện hộ: Hộ nghèo" in texts(lines)
    data = await draft_data(app)
    assert (data["kind"], data["market"], data["household"]) == ("abroad", "japan", "ho_ngheo")
    # "ok" under "(Đang ghi: Đi làm việc ở nước ngoài)" keeps it and goes on.
    lines = await say(app, "m1", "ok", channel=channel)
    assert lines[-1]["meta"]["intent"] == "flow:intake.full_name"
    assert (await draft_data(app))["kind"] == "abroad"


async def test_a_near_spelling_alone_still_chooses(app: App) -> None:
    await say(app, "m1", "dang ky")
    await say(app, "m1", "dong y")
    await say(app, "m1", "ban than")
    lines = await say(app, "m1", "hoc nge")  # «Học nghề», one letter short
    assert lines[-1]["meta"]["intent"] != "flow:intake.kind"
    assert (await draft_data(app))["kind"] == "course"
