"""What a person says before its question is kept for it (issue 13: "nothing the user said is
asked again"): a birth year said alone ("em sinh năm 1996") makes the date question ask only the
day and month; a full name typed at "for whom?" is kept for the name question; "không có" at the
phone question is told whose number will do. Through the engine on the console and on Zalo."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.app import App
from handlers.intake.validators import InvalidAnswerError, parse_date
from handlers.types import Channel
from storage.models import IntakeDraft
from tests.helpers import intents, press, say, texts
from tests.intake_support import draft_data

CHANNELS = [Channel.CONSOLE, Channel.ZALO]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_birth_year_in_the_request_leaves_the_day_and_month_to_ask(
    app: App, channel: Channel
) -> None:
    # It asked the whole date as if nothing had been said.
    await say(app, "u1", "dang ky di han quoc, em sinh nam 1996", channel=channel)
    lines = await say(app, "u1", "dong y", channel=channel)
    assert "Năm sinh: 1996" in texts(lines)
    await say(app, "u1", "1", channel=channel)
    lines = await say(app, "u1", "Nguyen Van Nam", channel=channel)
    assert intents(lines) == ["flow:intake.dob"]
    assert "sinh năm 1996: cho biết thêm ngày và tháng" in texts(lines)
    lines = await say(app, "u1", "15/8", channel=channel)
    assert intents(lines) == ["flow:intake.gender"], lines
    data = await draft_data(app)
    assert data["dob"] == date(1996, 8, 15).isoformat() and "birth_year" not in data


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_year_alone_at_the_date_question_is_kept_and_is_no_miss(
    app: App, channel: Channel
) -> None:
    for said in ("dang ky hoc nghe", "dong y", "1", "Lo Thi Mai"):
        await say(app, "u1", said, channel=channel)
    lines = await say(app, "u1", "nam 1990", channel=channel)
    assert intents(lines) == ["flow:intake.dob"]
    assert "Bot đã ghi năm sinh 1990." in texts(lines)
    lines = await say(app, "u1", "abc", channel=channel)
    shown = texts(lines)
    # The day-and-month forms, and no «Gặp cán bộ» offer: one miss, not two.
    assert "15 tháng 8" in shown and "Gặp cán bộ" not in shown
    lines = await say(app, "u1", "ngay 3 thang 2", channel=channel)
    assert intents(lines) == ["flow:intake.gender"]
    assert (await draft_data(app))["dob"] == date(1990, 2, 3).isoformat()


async def test_the_speakers_year_is_not_a_relatives(app: App) -> None:
    await say(app, "m1", "dang ky hoc nghe, toi sinh nam 1975", channel=Channel.ZALO)
    await say(app, "m1", "dong y", channel=Channel.ZALO)
    lines = await say(app, "m1", "cho con trai toi", channel=Channel.ZALO)
    assert "birth_year" not in await draft_data(app)
    assert "1975" not in texts(lines)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_name_typed_at_for_whom_is_kept_for_its_question(
    app: App, channel: Channel
) -> None:
    # It got "chọn một trong các mục", and the name was asked again two questions later.
    await say(app, "u1", "dang ky di han quoc", channel=channel)
    await say(app, "u1", "dong y", channel=channel)
    lines = await say(app, "u1", "Nguyen Van Nam", channel=channel)
    assert intents(lines) == ["flow:intake.who"]
    assert "Họ tên: Nguyen Van Nam" in texts(lines)
    lines = await say(app, "u1", "1", channel=channel)
    assert intents(lines) == ["flow:intake.dob"]
    assert (await draft_data(app))["full_name"] == "Nguyen Van Nam"
    # At the other choices too ("what to register for?").
    await say(app, "u2", "dang ky cho con trai toi", channel=channel)
    await say(app, "u2", "dong y", channel=channel)
    lines = await say(app, "u2", "Lo Van Pao", channel=channel)
    assert "Họ tên: Lo Van Pao" in texts(lines)


@pytest.mark.parametrize("text", ["Hàn Quốc", "toi chua ro", "Cho Ai"])
async def test_what_is_no_name_at_for_whom_is_not_kept_as_one(app: App, text: str) -> None:
    await say(app, "u1", "dang ky di han quoc", channel=Channel.ZALO)
    await say(app, "u1", "dong y", channel=Channel.ZALO)
    await say(app, "u1", text, channel=Channel.ZALO)
    assert "full_name" not in await draft_data(app)


@given(st.text(max_size=40))
def test_a_day_and_month_with_a_year_known_is_read_without_error(text: str) -> None:
    # A refusal is the only way it fails.
    with contextlib.suppress(InvalidAnswerError):
        parse_date(f"{text} 1996", date(2026, 12, 5))


@pytest.mark.parametrize("channel", CHANNELS)
async def test_no_phone_is_told_whose_number_will_do(app: App, channel: Channel) -> None:
    # "không có" got "Số điện thoại chỉ gồm chữ số".
    await say(app, "u1", "toi ten la Lo Van Pao sinh ngay 3/4/1999 dang ky hoc nghe",
              channel=channel)
    await say(app, "u1", "dong y", channel=channel)
    await say(app, "u1", "nam", channel=channel)
    lines = await say(app, "u1", "khong co", channel=channel)
    assert intents(lines) == ["flow:intake.phone"]
    assert "số của người thân hoặc hàng xóm" in texts(lines)
    assert "chỉ gồm chữ số" not in texts(lines)


async def test_a_birth_year_kept_is_shown_to_its_owner_and_deleted_with_the_rest(
    app: App,
) -> None:
    await say(app, "u1", "dang ky di han quoc, em sinh nam 1996", channel=Channel.ZALO)
    await say(app, "u1", "dong y", channel=Channel.ZALO)
    lines = await say(app, "u1", "xem dữ liệu của tôi", channel=Channel.ZALO)
    assert "Năm sinh: 1996" in texts(lines)
    await say(app, "u1", "xóa dữ liệu của tôi", channel=Channel.ZALO)
    await press(app, "u1", "Có, xóa hết", channel=Channel.ZALO)
    async with app.db.session() as session:
        assert await session.scalar(select(IntakeDraft)) is None


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_request_after_a_question_about_a_class_in_a_commune_takes_both(
    app: App, channel: Channel
) -> None:
    # The question got the commune's classes; "đăng ký cho chồng chị luôn" then asked what to
    # register for and which commune, as if nothing had been said.
    await say(app, "h", "chao ad, cho chi hoi vo chong chi o thon Khuoi Nhung xa Phu Luu, chong "
              "chi muon hoc lop sua xe may thi dang ky sao", channel=channel)
    await say(app, "h", "dang ky cho chong chi luon", channel=channel)
    lines = await say(app, "h", "ok", channel=channel)
    assert intents(lines) == ["flow:intake.full_name"], lines
    data = await draft_data(app)
    assert (data["kind"], data["unit_name"], data["relationship"]) == ("course", "Phù Lưu",
                                                                       "spouse")


@pytest.mark.parametrize("channel", CHANNELS)
async def test_an_ethnicity_typed_at_the_village_question_is_no_village(
    app: App, channel: Channel
) -> None:
    # "tay" was kept as the village, and the ethnicity asked next.
    for said in ("toi ten la Lo Van Pao sinh ngay 3/4/1999 dang ky hoc nghe", "dong y", "nam",
                 "0912000111", "phu luu"):
        lines = await say(app, "u1", said, channel=channel)
    assert intents(lines) == ["flow:intake.village"], lines
    lines = await say(app, "u1", "tay", channel=channel)
    assert intents(lines) == ["flow:intake.village"]
    assert "Dân tộc: Tày" in texts(lines)
    data = await draft_data(app)
    assert data["ethnicity"] == "Tày" and "village" not in data
    await say(app, "u1", "khong ro", channel=channel)  # not a household's kind here
    assert "household" not in await draft_data(app)
