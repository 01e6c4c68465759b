"""The consent screen on a phone (issue 13): the first message says the key facts (what is
collected, why, who sees it, how to delete) within 600 characters on Zalo, «Xem chi tiết» shows
the whole text; the agreement records the version agreed to; an agreement to the earlier text,
which says the same at length, stays valid."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from handlers.types import Channel, InboundKind
from storage.models import Contact, IntakeDraft
from storage.repositories import get_or_create_contact
from tests.dossier_support import jpeg
from tests.helpers import Clock, intents, press, say, send_file

CHANNELS = [Channel.CONSOLE, Channel.ZALO]


async def _version(app: App, user: str) -> str | None:
    async with app.db.session() as session:
        contact = await session.scalar(select(Contact).where(Contact.platform_user_id == user))
    assert contact is not None
    return contact.consent_version


@pytest.mark.parametrize("channel", CHANNELS)
async def test_key_facts_first_details_on_request(app: App, channel: Channel) -> None:
    lines = await say(app, "u1", "tôi muốn đăng ký", channel=channel)
    assert intents(lines) == ["flow:intake.consent"]
    first = lines[0]["text"]
    if channel == Channel.ZALO:
        assert len(first) <= 600, len(first)
        assert "3. Xem chi tiết" in first
    for fact in ("họ tên", "số điện thoại", "xét hỗ trợ", "Sở Nội vụ", "xóa dữ liệu của tôi"):
        assert fact in first, fact

    lines = await press(app, "u1", "Xem chi tiết", channel=channel)
    assert intents(lines) == ["flow:intake.consent"]
    details = lines[0]["text"]
    for fact in ("mã hóa", "tối đa 5 năm", "30 ngày", "xem dữ liệu của tôi"):
        assert fact in details, fact
    assert await _version(app, "u1") is None  # reading is not agreeing

    # Typed, "chi tiet" asks for them too.
    lines = await say(app, "u1", "chi tiet", channel=channel)
    assert "tối đa 5 năm" in lines[0]["text"]
    lines = await say(app, "u1", "1", channel=channel)  # Đồng ý, numbered on the details
    assert intents(lines)[-1] == "flow:intake.who"
    assert await _version(app, "u1") == "dk-2026-3"


@pytest.mark.parametrize(("version", "asked"), [("dk-2026-2", False), ("dk-2026-1", True)])
async def test_earlier_agreements(app: App, clock: Clock, version: str, asked: bool) -> None:
    """dk-2026-2 (the same text at length) stands; an unknown older text is asked again."""
    async with app.db.transaction() as session:
        contact = await get_or_create_contact(session, "console", "u1", "", clock.now())
        contact.consent_at, contact.consent_version = clock.now(), version
    lines = await say(app, "u1", "tôi muốn đăng ký")
    assert (intents(lines) == ["flow:intake.consent"]) is asked, lines


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(("answer", "agreed"), [
    ("ok ạ", True), ("có", True), ("vâng", True), ("dc", True),
    ("ko", False), ("không đồng ý", False),
])
async def test_the_consent_question_is_answered_in_words(
    app: App, channel: Channel, answer: str, agreed: bool
) -> None:
    # "Anh/chị có đồng ý không?" answered "có" or "ok" re-sent the whole consent text, three
    # times over in the third user trial; "không" left it pending.
    await say(app, "u1", "tôi muốn đăng ký", channel=channel)
    lines = await say(app, "u1", answer, channel=channel)
    if agreed:
        assert intents(lines)[-1].startswith("flow:intake.") and "consent" not in intents(lines)[-1]
        assert await _version(app, "u1") is not None
    else:
        assert intents(lines) == ["flow:intake.declined"]
        assert await _version(app, "u1") is None


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_photo_at_the_consent_question_is_not_kept_and_said_so(
    app: App, channel: Channel
) -> None:
    """A photo sent before agreeing was dropped without a word (the consent screen came again
    as if nothing was sent). It is still not kept (nothing personal before the agreement), but
    the person is told so in one line, and may send it again after agreeing."""
    await say(app, "u1", "tôi muốn đăng ký đi nhật", channel=channel)
    lines = await send_file(app, "u1", jpeg(7), channel=channel)
    assert intents(lines) == ["flow:intake.file_not_kept", "flow:intake.consent"], lines
    assert "không lưu ảnh này" in lines[0]["text"]
    assert "gửi lại" in lines[0]["text"]
    assert "\n" not in lines[0]["text"]
    lines = await send_file(app, "u1", b"%PDF-1.4 x", kind=InboundKind.DOCUMENT,
                            file_name="a.pdf", channel=channel)
    assert "không lưu tệp này" in lines[0]["text"]
    assert await _version(app, "u1") is None
    files = app.settings.files_dir
    assert not files.exists() or not [p for p in files.rglob("*") if p.is_file()]
    async with app.db.session() as session:
        assert await session.scalar(select(IntakeDraft)) is None
    # Agreeing then goes on with the form as usual.
    lines = await say(app, "u1", "1", channel=channel)
    assert intents(lines)[-1].startswith("flow:intake."), lines
    assert intents(lines)[-1] != "flow:intake.consent"


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_number_or_signs_at_the_consent_question_are_said_so(
    app: App, channel: Channel
) -> None:
    await say(app, "u1", "tôi muốn đăng ký", channel=channel)
    lines = await say(app, "u1", "7", channel=channel)
    assert intents(lines) == ["flow:intake.consent"]
    assert lines[0]["text"].startswith("Dạ, không có lựa chọn số 7")
    # Signs alone, a stray letter, a name typed before agreeing: not understood, said so.
    for text in ("@@", "b", "Nguyễn Văn Hùng"):
        lines = await say(app, "u1", text, channel=channel)
        assert intents(lines) == ["flow:intake.consent"], text
        assert lines[0]["text"].startswith("Dạ, bot chưa hiểu"), text
    assert await _version(app, "u1") is None  # nothing agreed
    lines = await say(app, "u1", "dong y", channel=channel)
    assert intents(lines)[-1] == "flow:intake.who"


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_registration_request_at_the_consent_question_is_kept_for_the_form(
    app: App, channel: Channel
) -> None:
    # Found in the simulator on Zalo: a class picked from the list, then "dk lop nay cho vo
    # toi" at the consent question got "bot chưa hiểu", and once agreed the form asked for
    # whom. What the request says now fills the form, and the class picked stays.
    lines = await say(app, "u1", "đăng ký học nghề may", channel=channel)
    assert intents(lines) == ["flow:intake.consent"]
    lines = await say(app, "u1", "dk lop nay cho vo toi", channel=channel)
    assert intents(lines) == ["flow:intake.consent"]
    assert lines[0]["text"].startswith("Dạ, bot đã ghi lại")
    assert len(lines[0]["text"]) <= 600
    assert await _version(app, "u1") is None  # still nothing agreed, nothing kept of a person
    lines = await say(app, "u1", "dong y", channel=channel)
    assert intents(lines)[-1] == "flow:intake.full_name"
    note = lines[-1]["text"]
    assert "Quan hệ: Vợ/chồng" in note and "Giới tính: Nữ" in note and "May" in note


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_commune_typed_at_the_consent_question_is_kept_for_the_form(
    app: App, channel: Channel
) -> None:
    # Found in the simulator on Zalo: "phu luu" at the consent question got the office's
    # addresses (469 characters), then the whole consent text again; the form later asked
    # for the commune all the same.
    await say(app, "u1", "đăng ký đi làm việc ở nước ngoài", channel=channel)
    lines = await say(app, "u1", "phu luu", channel=channel)
    assert intents(lines) == ["flow:intake.consent"]
    assert lines[0]["text"].startswith("Dạ, bot đã ghi lại")
    assert await _version(app, "u1") is None
    # A sentence, a place that is not one of the communes: as before (not kept).
    lines = await say(app, "u1", "Yên Bái", channel=channel)
    assert not lines[0]["text"].startswith("Dạ, bot đã ghi lại")
    lines = await say(app, "u1", "dong y", channel=channel)
    assert "Xã: Phù Lưu" in lines[-1]["text"]
    async with app.db.session() as session:
        draft = (await session.scalars(select(IntakeDraft))).one()
    assert draft.data["unit_name"] == "Phù Lưu"
