"""Leftovers of the user trials, each driven through the engine on the console and Zalo (and
on SQLite and PostgreSQL through the ``app`` fixture)."""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App
from handlers.textnorm import clean_text
from handlers.types import Channel
from storage.models import Case, Contact, Course, DossierDocument, IntakeDraft, Unit
from tests.dossier_support import jpeg
from tests.helpers import Clock, intents, press, say, send_file, texts

CHANNELS = [Channel.CONSOLE, Channel.ZALO]


def test_keycap_digits_are_cleaned_to_plain_digits() -> None:
    assert clean_text("2\ufe0f\u20e3") == ("2", False)
    assert clean_text("3\u20e3") == ("3", False)  # without the variation selector
    assert clean_text(" 1\ufe0f\u20e3 ạ") == ("1 ạ", False)
    assert clean_text("\U0001f51f") == ("10", False)
    assert clean_text("#\ufe0f\u20e3") == ("#\ufe0f\u20e3", False)  # not a digit: left as is


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_keycap_emoji_digit_answers_the_option(app: App, channel: Channel) -> None:
    """«1️⃣» typed under the numbered consent options was read as text (the consent screen
    came again): a keycap digit is the plain digit, everywhere numbers answer options."""
    lines = await say(app, "u1", "tôi muốn đăng ký", channel=channel)
    assert intents(lines) == ["flow:intake.consent"]
    lines = await say(app, "u1", "1\ufe0f\u20e3", channel=channel)  # «Đồng ý»
    assert intents(lines)[-1] == "flow:intake.who", lines
    lines = await say(app, "u1", "1\u20e3", channel=channel)  # «Cho bản thân tôi»
    assert intents(lines)[-1] == "flow:intake.kind", lines


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("sign", ["👍", "👍🏽", "👌👌", "🙆\u200d♀\ufe0f"])
async def test_a_thumbs_up_at_the_consent_screen_agrees(
    app: App, channel: Channel, sign: str
) -> None:
    """«👍» under "Anh/chị có đồng ý không?" re-sent the whole consent text; it agrees, as
    "ok" and "có" do (intake.words_answer.consent_yes)."""
    await say(app, "u1", "tôi muốn đăng ký", channel=channel)
    lines = await say(app, "u1", sign, channel=channel)
    assert intents(lines) == ["flow:intake.who"], lines
    assert await _consent_version(app, "u1") == "dk-2026-3"


@pytest.mark.parametrize("sign", ["!!!", "😀"])
async def test_other_signs_at_the_consent_screen_ask_again(app: App, sign: str) -> None:
    await say(app, "u1", "tôi muốn đăng ký")
    lines = await say(app, "u1", sign)
    assert intents(lines)[-1] == "flow:intake.consent", lines
    assert await _consent_version(app, "u1") is None


async def _consent_version(app: App, user: str) -> str | None:
    async with app.db.session() as session:
        contact = await session.scalar(select(Contact).where(Contact.platform_user_id == user))
    assert contact is not None
    return contact.consent_version


async def _unit_id(app: App, name: str) -> int:
    async with app.db.session() as session:
        unit_id = await session.scalar(
            select(Unit.id).where(Unit.name == name, Unit.valid_to.is_(None)))
    assert unit_id is not None
    return unit_id


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_class_with_no_seat_left_says_it_is_full(app: App, channel: Channel) -> None:
    """A class whose seats were all taken read "… 0 chỗ" (or its number of seats, as if
    free): the list says the seats still free, «hết chỗ» when none is, and nothing of seats
    when the class data gives none (it read "0 chỗ")."""
    await say(app, "u1", "chào", channel=channel)
    bach_xa = await _unit_id(app, "Bạch Xa")
    async with app.db.session() as session, session.begin():
        contact_id = await session.scalar(select(Contact.id))
        full, free, unset = (
            Course(code=code, occupation=trade, unit_id=bach_xa, start_date=date(2026, 8, day),
                   seats=seats)
            for code, trade, day, seats in [("BXF", "Nghề may", 3, 2), ("BXO", "Nghề mộc", 4, 5),
                                            ("BXU", "Nghề hàn", 5, 0)])
        session.add_all([full, free, unset])
        await session.flush()
        taken = [(full.id, "new"), (full.id, "called"), (free.id, "new"), (free.id, "waitlist")]
        session.add_all([
            Case(ref=f"HY-2026-0990{n}", contact_id=contact_id, kind="course", course_id=course,
                 unit_id=bach_xa, status=status)
            for n, (course, status) in enumerate(taken)])
    lines = await say(app, "u1", "lớp ở Bạch Xa", channel=channel)
    listing = lines[-1]["text"].splitlines()
    details = {line.split(".")[1].split("–")[0].strip(): after
               for line, after in pairwise(listing) if line.endswith("– Bạch Xa")}
    assert details == {
        "Nghề may": "   03/08, thời gian chưa rõ, hết chỗ",
        "Nghề mộc": "   04/08, thời gian chưa rõ, 4 chỗ",
        "Nghề hàn": "   05/08, thời gian chưa rõ",
    }, listing
    assert "0 chỗ" not in lines[-1]["text"]


async def _to_gender(app: App, channel: Channel) -> None:
    await say(app, "u1", "đăng ký", channel=channel)
    for label in ("Đồng ý", "Cho bản thân tôi", "Đi làm việc ở nước ngoài"):
        await press(app, "u1", label, channel=channel)
    await say(app, "u1", "Nguyễn Thị Mai", channel=channel)
    lines = await say(app, "u1", "12/3/1999", channel=channel)
    assert intents(lines) == ["flow:intake.gender"], lines


def _options(line: dict[str, Any]) -> list[str]:
    """The options of a reply: its buttons, or on Zalo the numbered lines of its text."""
    if "buttons" in line:
        return [label for row in line["buttons"] for label in row]
    return [m.group(1) for m in re.finditer(r"^\d+\. (.+)$", line["text"], re.MULTILINE)]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_step_not_understood_twice_offers_an_officer(app: App, channel: Channel) -> None:
    """At the gender question, answers the form did not understand were asked again forever,
    never offering «Gặp cán bộ». From the second in a row (at any step) it is one of the
    options (numbered on Zalo); chosen, the question goes to the officer and the form's
    question comes back; an understood answer starts the count anew."""
    await _to_gender(app, channel)
    lines = await say(app, "u1", "xyz", channel=channel)
    assert intents(lines) == ["flow:intake.gender"]
    assert "Gặp cán bộ" not in _options(lines[-1])
    lines = await say(app, "u1", "abc", channel=channel)
    assert intents(lines) == ["flow:intake.gender"]
    assert "chọn «Gặp cán bộ» bên dưới" in lines[-1]["text"]
    options = _options(lines[-1])
    assert options[:3] == ["Nam", "Nữ", "Gặp cán bộ"], options
    lines = await say(app, "u1", "qqq", channel=channel)  # the third: offered still
    assert "Gặp cán bộ" in _options(lines[-1])

    # An understood answer, then a typed step (the phone) not understood: once, no offer.
    await say(app, "u1", "2", channel=channel)
    lines = await say(app, "u1", "số em là abc", channel=channel)
    assert intents(lines) == ["flow:intake.phone"] and "Gặp cán bộ" not in _options(lines[-1])
    lines = await say(app, "u1", "không biết nữa", channel=channel)
    assert intents(lines) == ["flow:intake.phone"]
    number = _options(lines[-1]).index("Gặp cán bộ") + 1
    lines = await (say(app, "u1", str(number), channel=channel) if channel == Channel.ZALO
                   else press(app, "u1", "Gặp cán bộ", channel=channel))
    if intents(lines) == ["flow:handoff.commune"]:
        lines = await press(app, "u1", "Không rõ / xã khác", channel=channel)
    assert intents(lines) == ["flow:handoff.ask"], lines
    lines = await say(app, "u1", "Em không có điện thoại, dùng số của chồng được không?",
                      channel=channel)
    assert intents(lines)[0] == "flow:handoff.done"
    assert intents(lines)[-1] == "flow:intake.phone", lines


QUESTION = "đi nhật hết bao nhiêu tiền?"


@pytest.mark.parametrize("channel", CHANNELS)
async def test_the_same_question_a_third_time_gets_a_short_reply(
    app: App, clock: Clock, channel: Channel
) -> None:
    """The same question three times in a row got the whole answer three times. From the
    second repeat (within a few minutes of the one before) the reply is one short line that
    it was just answered, with «Gặp cán bộ» and the answer again on request."""
    for typed in (QUESTION, "Đi Nhật hết bao nhiêu tiền"):  # the same words, as typed
        lines = await say(app, "u1", typed, channel=channel)
        assert intents(lines) == ["faq:abroad.costs"] and "Nguồn:" in texts(lines), lines
        clock.advance(minutes=2)
    for _ in range(2):
        lines = await say(app, "u1", QUESTION, channel=channel)
        assert intents(lines) == ["faq:abroad.costs"], lines
        assert lines[0]["text"].startswith("Dạ, câu này bot vừa trả lời") and "Nguồn:" not in (
            texts(lines))
        assert _options(lines[-1]) == ["Gặp cán bộ", "Xem lại câu trả lời"], lines
    lines = await (say(app, "u1", "2", channel=channel) if channel == Channel.ZALO
                   else press(app, "u1", "Xem lại câu trả lời", channel=channel))
    assert intents(lines) == ["faq:abroad.costs"] and "Nguồn:" in texts(lines)
    lines = await say(app, "u1", QUESTION, channel=channel)
    assert "Nguồn:" not in texts(lines)
    lines = await (say(app, "u1", "1", channel=channel) if channel == Channel.ZALO
                   else press(app, "u1", "Gặp cán bộ", channel=channel))
    assert intents(lines)[0].startswith("flow:handoff"), lines


async def test_a_repeat_after_a_while_or_another_question_gets_the_whole_answer(
    app: App, clock: Clock
) -> None:
    for _ in range(2):
        await say(app, "u1", QUESTION)
    clock.advance(minutes=10)  # a while later: asked anew
    assert "Nguồn:" in texts(await say(app, "u1", QUESTION))
    assert "Nguồn:" in texts(await say(app, "u1", QUESTION))
    await say(app, "u1", "học nghề có được hỗ trợ tiền ăn không")  # another question between
    assert "Nguồn:" in texts(await say(app, "u1", QUESTION))
    assert "Nguồn:" in texts(await say(app, "u1", QUESTION))
    assert "Nguồn:" not in texts(await say(app, "u1", QUESTION))


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("asked", ["xóa hết dữ liệu", "Xóa hết thông tin ạ", "xóa dữ liệu của tôi"])
async def test_deleting_everything_asked_at_a_form_step_comes_back_to_that_question(
    app: App, channel: Channel, asked: str
) -> None:
    """"xóa hết dữ liệu" at the date-of-birth question got "Bot chưa đọc được ngày này". Now
    every form step asks to delete, as "xóa dữ liệu của tôi" did, and «Không xóa» (or "không")
    brings back the same question, its place kept; «Có, xóa hết» deletes the form."""
    await say(app, "u1", "đăng ký", channel=channel)
    for label in ("Đồng ý", "Cho bản thân tôi", "Đi làm việc ở nước ngoài"):
        await press(app, "u1", label, channel=channel)
    lines = await say(app, "u1", "Nguyễn Thị Mai", channel=channel)
    assert intents(lines) == ["flow:intake.dob"], lines
    lines = await say(app, "u1", asked, channel=channel)
    assert intents(lines) == ["flow:privacy.delete_confirm"], lines
    assert "chưa đọc được ngày" not in texts(lines)
    lines = await press(app, "u1", "Không xóa", channel=channel)
    assert intents(lines) == ["flow:privacy", "flow:intake.dob"], lines
    lines = await say(app, "u1", "12/3/1999", channel=channel)
    assert intents(lines) == ["flow:intake.gender"], lines
    # At a choice question too, asked twice, and declined by a typed "không".
    for _ in range(2):
        lines = await say(app, "u1", asked, channel=channel)
        assert intents(lines) == ["flow:privacy.delete_confirm"], lines
    lines = await say(app, "u1", "không", channel=channel)
    assert intents(lines) == ["flow:privacy", "flow:intake.gender"], lines
    await say(app, "u1", asked, channel=channel)
    lines = await press(app, "u1", "Có, xóa hết", channel=channel)
    assert intents(lines) == ["flow:privacy.deleted"], lines
    lines = await say(app, "u1", "Nữ", channel=channel)
    assert not any(i.startswith("flow:intake") for i in intents(lines)), lines


async def _to_name(app: App, channel: Channel, kind: str = "Đi làm việc ở nước ngoài") -> None:
    await say(app, "u1", "đăng ký", channel=channel)
    for label in ("Đồng ý", "Cho bản thân tôi", kind):
        lines = await press(app, "u1", label, channel=channel)
    assert intents(lines)[-1] == "flow:intake.full_name", lines


async def _held_in_draft(app: App) -> list[str]:
    async with app.db.session() as session:
        draft = await session.scalar(select(IntakeDraft))
    assert draft is not None
    return [str(h["sha"]) for h in draft.data.get("held_files") or []]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_photo_sent_at_a_form_step_is_kept_for_the_dossier(
    app: App, channel: Channel
) -> None:
    """At "họ và tên" a relative sent a photo of the ID card: the bot said "trả lời bằng chữ"
    and the photo was gone. Now it is checked and stored as dossier photos are, kept with the
    form, and once the registration is made the dossier asks which paper it is; the form's
    question comes again, its place unchanged."""
    await _to_name(app, channel)
    lines = await send_file(app, "u1", jpeg(71), channel=channel)
    assert intents(lines) == ["flow:intake.file_kept", "flow:intake.full_name"], lines
    assert "đã giữ ảnh" in lines[0]["text"] and "\n" not in lines[0]["text"]
    # A second photo sent with it: kept, no second reply (the question is on screen).
    assert await send_file(app, "u1", jpeg(72), channel=channel) == []
    assert len(await _held_in_draft(app)) == 2
    lines = await say(app, "u1", "Nguyễn Thị Mai", channel=channel)
    assert intents(lines) == ["flow:intake.dob"], lines
    # A photo too small to read is refused, as in the dossier, and nothing is kept.
    lines = await send_file(app, "u1", jpeg(73, size=(200, 150)), channel=channel)
    assert intents(lines) == ["flow:dossier.refused", "flow:intake.dob"], lines
    assert len(await _held_in_draft(app)) == 2
    await say(app, "u1", "12/3/1999", channel=channel)
    await press(app, "u1", "Nữ", channel=channel)
    for text in ("0912 345 678", "phu luu", "Thôn 3"):
        await say(app, "u1", text, channel=channel)
    for label in ("Tày", "Hộ nghèo", "Nhật Bản", "Bỏ qua"):
        lines = await press(app, "u1", label, channel=channel)
    assert intents(lines) == ["flow:intake.summary"], lines
    lines = await press(app, "u1", "Xác nhận", channel=channel)
    assert intents(lines) == ["flow:intake.done", "flow:dossier.held"], lines
    assert "2 ảnh anh/chị gửi lúc đăng ký" in lines[1]["text"]
    lines = await say(app, "u1", "1", channel=channel)  # «Đơn đề nghị hỗ trợ»
    assert intents(lines)[0] == "flow:dossier.received", lines
    assert "Đã lưu 2 ảnh" in lines[0]["text"]
    async with app.db.session() as session:
        pages = list(await session.scalars(select(DossierDocument)))
    assert [(p.item_key, p.page) for p in pages] == [("request_form", 1), ("request_form", 2)]
    assert all(app.files.exists(p.sha256) for p in pages)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_photo_at_a_class_registration_step_is_said_not_needed(
    app: App, channel: Channel
) -> None:
    """A class registration has no dossier in the bot: the photo is not kept, and the bot says
    so (and where papers go) instead of "trả lời bằng chữ"; the question again."""
    await _to_name(app, channel, kind="Học nghề")
    lines = await send_file(app, "u1", jpeg(74), channel=channel)
    assert intents(lines) == ["flow:intake.file_not_kept", "flow:intake.full_name"], lines
    assert "UBND xã" in lines[0]["text"]
    assert await _held_in_draft(app) == []


async def test_a_photo_kept_during_the_form_goes_with_a_deletion(app: App) -> None:
    """"xóa dữ liệu của tôi" after a photo was kept at a form step: the stored file goes too
    (no row names it: it was held in the draft)."""
    await _to_name(app, Channel.CONSOLE)
    await send_file(app, "u1", jpeg(75))
    [sha] = await _held_in_draft(app)
    assert app.files.exists(sha)
    await say(app, "u1", "xóa dữ liệu của tôi")
    lines = await press(app, "u1", "Có, xóa hết")
    assert intents(lines) == ["flow:privacy.deleted"], lines
    assert not app.files.exists(sha)
