"""An announcement's text in ``/thongbao`` and under a preview, and an officer's file outside a
flow (a commune officer's trial on Telegram):

- «Báo cáo các thông báo gần đây» pressed where the text is asked left the composer waiting for
  the text, and "danh sách người đã nhận thông báo #2" typed next became the announcement. Now
  the report is the answer (the composer is left, «Soạn thông báo mới» under it), and a request
  naming an announcement by its number is that announcement's report.
- "🙂" (signs alone, or one or two characters) was accepted as an announcement: refused, said
  why, the text asked again. 3,000 characters got "dài quá 1.800 ký tự": now also how many were
  typed and how many to cut.
- Under a class-offer preview (the bot's text), typed text was dropped with "chọn một mục" and
  nothing let the officer change the text: now «Sửa nội dung», and a text typed there replaces
  it after showing it back (the earlier text a tap away); one over the limit says so, with its
  length, and the text stays.
- A spreadsheet an officer sent outside any flow got the citizens' «Bot đã nhận ảnh… mang đến
  UBND xã» and their menu: now what the bot does with files, who imports the classes and the
  columns, then the officer's home. A citizen's file is answered as before.
"""

from __future__ import annotations

import asyncio
import io
import re
import sys
from datetime import date
from functools import partial
from typing import Any

import pytest
from sqlalchemy import select

from bot import cli
from bot.app import App
from bot.inbound import button_event
from bot.simulate import output_lines
from handlers.outreach.new_class import offer_new_courses
from handlers.outreach.rules import MAX_TEXT, RuleError, check_text
from handlers.types import Channel, InboundKind
from messages import t
from storage.models import Broadcast, Contact, ConversationState, Course, OutboxMessage
from storage.outreach_repo import create_broadcast
from tests.helpers import Clock, intents, press, say, send_file, texts
from tests.officials_helpers import make_officer
from tests.outreach_support import person, unit_id

CHANNELS = [Channel.CONSOLE, Channel.TELEGRAM, Channel.ZALO]
CLASS_TEXT = "Lớp may công nghiệp khai giảng 03/08/2026 tại nhà văn hóa thôn Cầu Cao, miễn học phí."


def options(line: dict[str, Any]) -> list[str]:
    """The options of a reply: its buttons, or on Zalo its numbered lines."""
    labels = [str(b) for row in line.get("buttons", []) for b in row]
    return labels or re.findall(r"^\d+\. (.+)$", line["text"], re.MULTILINE)


async def choose(
    app: App, user: str, label: str, shown: dict[str, Any], channel: Channel
) -> list[dict[str, Any]]:
    """Choose an option of ``shown`` as the channel lets one: its number on Zalo."""
    if channel == Channel.ZALO:
        return await say(app, user, str(options(shown).index(label) + 1), channel=channel)
    return await press(app, user, label, channel=channel)


async def state_of(app: App, user: str) -> ConversationState | None:
    async with app.db.session() as session:
        return await session.scalar(
            select(ConversationState)
            .join(Contact, Contact.id == ConversationState.contact_id)
            .where(Contact.platform_user_id == user))


async def flow_of(app: App, user: str) -> str | None:
    state = await state_of(app, user)
    return state.flow if state is not None else None


async def broadcasts(app: App) -> list[Broadcast]:
    async with app.db.session() as session:
        return list(await session.scalars(select(Broadcast).order_by(Broadcast.id)))


# -- 1. the report asked for where the text is asked ----------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
async def test_the_report_where_the_text_is_asked_leaves_the_composer(
    app: App, clock: Clock, channel: Channel
) -> None:
    await make_officer(app, clock, "cb", "commune", "Phù Lưu", channel=channel)
    pl = await unit_id(app, "Phù Lưu")
    async with app.db.transaction() as session:
        sent = await create_broadcast(session, unit_ids=[pl], interest="training",
                                      text="Lớp hàn điện khai giảng 20/08.", send_at=clock.now(),
                                      now=clock.now())
        sent_id = sent.id
    for _ in range(2):
        asked = await say(app, "cb", "/thongbao", channel=channel)
        report = await choose(app, "cb", t("compose.button.report"), asked[0], channel)
        assert intents(report) == ["flow:broadcast.report"]
        assert options(report[0]) == [t("compose.button.new")]
        assert await flow_of(app, "cb") is None  # the report is the answer
    # A request typed next is that request, not the announcement's text.
    lines = await say(app, "cb", f"danh sách người đã nhận thông báo #{sent_id}",
                      channel=channel)
    assert intents(lines) == ["flow:broadcast.report"] and f"#{sent_id}" in texts(lines)
    assert [b.text for b in await broadcasts(app)] == ["Lớp hàn điện khai giảng 20/08."]
    # «Soạn thông báo mới» under the report: the text asked, as by /thongbao; typed too.
    asked = await say(app, "cb", "/thongbao", channel=channel)
    report = await choose(app, "cb", t("compose.button.report"), asked[0], channel)
    again = await choose(app, "cb", t("compose.button.new"), report[0], channel)
    assert intents(again) == ["flow:broadcast.text"]
    await say(app, "cb", "hủy", channel=channel)
    assert intents(await say(app, "cb", t("compose.button.new"), channel=channel)) == [
        "flow:broadcast.text"]


async def test_a_numbered_report_typed_where_the_text_is_asked_is_that_report(
    app: App, clock: Clock
) -> None:
    await make_officer(app, clock, "cb", "commune", "Phù Lưu")
    await say(app, "cb", "/thongbao")
    lines = await say(app, "cb", "danh sách người đã nhận thông báo #2")
    assert intents(lines) == ["flow:broadcast.report"]
    assert await flow_of(app, "cb") is None
    # A sentence there is still the text.
    await say(app, "cb", "/thongbao")
    lines = await say(app, "cb", "Lớp may khai giảng #2 tại nhà văn hóa thôn Cầu Cao.")
    assert intents(lines) == ["flow:broadcast.photo"]


async def test_the_report_while_the_text_is_written_again_asks_for_it_again(
    app: App, clock: Clock
) -> None:
    await make_officer(app, clock, "cb", "commune", "Phù Lưu")
    for text in ("/thongbao", CLASS_TEXT, "ko co", "hoc nghe", "gui ngay"):
        await say(app, "cb", text)
    await press(app, "cb", t("compose.button.change_text"))
    lines = await say(app, "cb", "báo cáo thông báo")
    assert intents(lines) == ["flow:broadcast.report", "flow:broadcast.text"]
    assert t("compose.ask_new_text") in texts(lines)


# -- 2. and 4. what a text must be ------------------------------------------------------------


# (A number of 1–3 digits picks an option, as everywhere.)
@pytest.mark.parametrize("typed", ["🙂", "ok", "x", "a1", "👍👍👍", "...", "!!!?", "🙂🙂 🙂"])
async def test_an_announcement_needs_words(app: App, clock: Clock, typed: str) -> None:
    await make_officer(app, clock, "cb", "commune", "Phù Lưu")
    await say(app, "cb", "/thongbao")
    lines = await say(app, "cb", typed)
    assert intents(lines) == ["flow:broadcast.text", "flow:broadcast.text"]
    assert lines[0]["text"] == t("outreach.rule.too_short")
    assert lines[1]["text"] == t("compose.ask_text")  # the step asked again, its buttons too
    assert options(lines[1]) == [t("compose.button.report"), t("compose.button.cancel")]
    assert intents(await say(app, "cb", CLASS_TEXT)) == ["flow:broadcast.photo"]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_too_long_says_how_long_it_was(app: App, clock: Clock, channel: Channel) -> None:
    await make_officer(app, clock, "cb", "commune", "Phù Lưu", channel=channel)
    await say(app, "cb", "/thongbao", channel=channel)
    lines = await say(app, "cb", "x" * 3000, channel=channel)
    assert intents(lines) == ["flow:broadcast.text", "flow:broadcast.text"]
    said = lines[0]["text"]
    assert "1.800" in said and "3.000 ký tự" in said and "1.200" in said
    state = await state_of(app, "cb")
    assert state is not None and state.step == "text" and "text" not in state.data


def test_the_rules_of_a_text() -> None:
    assert check_text("Họp") == "Họp"  # three characters with letters: a text
    assert check_text("**Lớp may** 5/1") == "Lớp may 5/1"
    for typed in ("🙂", "ok", " 7 ", "— – …"):
        with pytest.raises(RuleError) as refused:
            check_text(typed)
        assert str(refused.value) == "too_short"
    with pytest.raises(RuleError) as refused:
        check_text("a" * (MAX_TEXT + 1))
    assert str(refused.value) == "too_long"
    assert refused.value.params == {"limit": "1.800", "length": "1.801", "over": "1"}
    assert check_text("a" * MAX_TEXT) == "a" * MAX_TEXT


async def test_the_terminal_refuses_the_same_texts_saying_how_long(
    app: App, terminal: None, capsys: pytest.CaptureFixture[str]
) -> None:
    def run(text: str) -> int:
        saved = sys.stdin
        sys.stdin = io.StringIO("")
        try:
            return cli.main(["broadcast", "send", "--interest", "training", "--text", text,
                             "--yes"])
        finally:
            sys.stdin = saved

    for text, said in (("🙂", t("outreach.rule.too_short")), ("y" * 2500, "2.500 ký tự")):
        capsys.readouterr()
        assert await asyncio.to_thread(run, text) == 2
        assert said in capsys.readouterr().err
    assert await broadcasts(app) == []


# -- 3. a class offer's text changed at its preview --------------------------------------------


async def class_preview(app: App, clock: Clock, channel: Channel) -> list[dict[str, Any]]:
    """An officer of Phù Lưu (one subscriber there) taps a new class's offer: its preview."""
    pl = await unit_id(app, "Phù Lưu")
    await make_officer(app, clock, "cb", "commune", "Phù Lưu", channel=channel)
    await person(app, "sub", clock.now(), unit=pl, topics=["training"])
    async with app.db.transaction() as session:
        await offer_new_courses(session, clock.now())
        session.add(Course(code="NEW-1", occupation="May công nghiệp", unit_id=pl,
                           venue="Nhà văn hóa thôn Cầu Cao", start_date=date(2026, 8, 3),
                           seats=30))
    async with app.db.transaction() as session:
        assert await offer_new_courses(session, clock.now()) == 1
        offer = await session.scalar(select(OutboxMessage).where(OutboxMessage.chat_id == "cb")
                                     .order_by(OutboxMessage.id.desc()))
    assert offer is not None
    button_id = str(offer.payload["buttons"][0][0][0])
    return await app.handle_locally(button_event(channel, "cb", button_id=button_id),
                                    partial(output_lines, 0))


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_class_offers_text_is_changed_at_its_preview(
    app: App, clock: Clock, channel: Channel
) -> None:
    preview = await class_preview(app, clock, channel)
    assert intents(preview) == ["flow:broadcast.preview"]
    bot_text = "Lớp học nghề mới: May công nghiệp"
    assert bot_text in texts(preview)
    assert t("compose.button.change_text") in options(preview[-1])
    # 3,000 characters typed there: the limit and their length said, the text kept.
    lines = await say(app, "cb", "y" * 3000, channel=channel)
    assert intents(lines) == ["flow:broadcast.preview", "flow:broadcast.preview"]
    assert "1.800" in lines[0]["text"] and "3.000 ký tự" in lines[0]["text"]
    assert t("compose.text_kept") in lines[0]["text"] and bot_text in lines[1]["text"]
    # A short reply is no text: the choices named, the text kept.
    lines = await say(app, "cb", "được", channel=channel)
    assert lines[0]["text"] == t("compose.use_buttons_preview") and bot_text in texts(lines)
    # A text typed there replaces it, shown back; the bot's text is a tap away.
    lines = await say(app, "cb", CLASS_TEXT, channel=channel)
    assert intents(lines) == ["flow:broadcast.preview", "flow:broadcast.preview"]
    assert lines[0]["text"] == t("compose.text_replaced")
    assert CLASS_TEXT in lines[1]["text"] and bot_text not in lines[1]["text"]
    lines = await choose(app, "cb", t("compose.button.earlier_text"), lines[1], channel)
    assert bot_text in texts(lines) and CLASS_TEXT not in texts(lines)
    assert t("compose.button.earlier_text") not in options(lines[-1])
    # «Sửa nội dung»: asked for the new text; "🙂" refused, the text asked again.
    lines = await choose(app, "cb", t("compose.button.change_text"), lines[-1], channel)
    assert intents(lines) == ["flow:broadcast.text"]
    assert lines[0]["text"].startswith(t("compose.ask_new_text"))
    lines = await say(app, "cb", "🙂", channel=channel)
    assert lines[0]["text"] == t("outreach.rule.too_short")
    assert intents(lines) == ["flow:broadcast.text", "flow:broadcast.text"]
    # «Giữ nội dung cũ»: the preview, as it was.
    lines = await choose(app, "cb", t("compose.button.keep_text"), lines[-1], channel)
    assert intents(lines) == ["flow:broadcast.preview"] and bot_text in texts(lines)
    lines = await choose(app, "cb", t("compose.button.change_text"), lines[-1], channel)
    lines = await say(app, "cb", CLASS_TEXT, channel=channel)
    assert intents(lines) == ["flow:broadcast.preview"] and CLASS_TEXT in texts(lines)
    assert lines[0]["meta"]["recipients"] == 1
    created = await choose(app, "cb", t("compose.button.send"), lines[-1], channel)
    assert intents(created) == ["flow:broadcast.created"]
    [broadcast] = await broadcasts(app)
    assert broadcast.text == CLASS_TEXT and broadcast.course_id is not None


async def test_sua_noi_dung_typed_at_the_preview_asks_for_the_text(
    app: App, clock: Clock
) -> None:
    await class_preview(app, clock, Channel.CONSOLE)
    lines = await say(app, "cb", "sửa nội dung")
    assert intents(lines) == ["flow:broadcast.text"]
    assert intents(await say(app, "cb", "giữ nguyên")) == ["flow:broadcast.preview"]


# -- 5. an officer's file outside any flow ----------------------------------------------------

SHEET = b"PK\x03\x04 not really a workbook"


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.TELEGRAM])
async def test_an_officers_spreadsheet_gets_how_classes_are_imported_and_their_home(
    app: App, clock: Clock, channel: Channel
) -> None:
    await make_officer(app, clock, "cb", "commune", "Phù Lưu", channel=channel)
    for name in ("lop hoc.xlsx", "ds.csv"):
        lines = await send_file(app, "cb", SHEET, kind=InboundKind.DOCUMENT, file_name=name,
                                channel=channel)
        assert intents(lines) == ["flow:officer_home.file", "flow:officer_home"]
        said = lines[0]["text"]
        assert "văn phòng" in said and "Xã, Nghề, Ngày khai giảng" in said and "/nopds" in said
        assert "Số chỗ" in said and "UBND xã" not in said and "python" not in said
        assert options(lines[1]) == options(
            (await say(app, "cb", "menu", channel=channel))[0])
        assert "Gặp cán bộ" not in options(lines[1])
    lines = await send_file(app, "cb", b"\xff\xd8\xff jpeg", channel=channel)
    assert intents(lines) == ["flow:officer_home.file", "flow:officer_home"]
    assert lines[0]["text"] == t("officials.file.photo")


async def test_a_citizens_file_outside_a_flow_is_answered_as_before(app: App) -> None:
    lines = await send_file(app, "dan", SHEET, kind=InboundKind.DOCUMENT, file_name="a.xlsx",
                            channel=Channel.TELEGRAM)
    assert lines[0]["text"] == t("dossier.file_no_case")
    assert "Gặp cán bộ" in options(lines[-1])

