"""Third user trial (odd and hostile input): what broke, kept from breaking again."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.inbound import file_event
from bot.simulate import output_lines
from handlers.types import Channel, FileRef, InboundKind
from storage.models import Thread, ThreadMessage
from tests.dossier_support import click, jpeg, make_case, pdf
from tests.helpers import Clock, intents, press, say, send_file, simulate_lines, texts, to
from tests.intake_support import fill_form
from tests.officials_helpers import make_officer
from tests.outreach_support import unit_id

QUESTION = "<b>Chị ơi</b> hồ sơ *của em* đến đâu rồi, gọi giúp em với"
OTHER = "chi oi hồ sơ CỦA EM đến đâu rồi, gọi giúp em với"


async def _asked(app: App, clock: Clock, channel: Channel) -> int:
    """A registered person on ``channel`` asks the Phù Lưu officer; returns the thread id."""
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    await fill_form(app, "u1", channel=channel)
    await press(app, "u1", "Xác nhận", channel=channel)
    await say(app, "u1", "gặp cán bộ", channel=channel)
    lines = await say(app, "u1", QUESTION, channel=channel)
    notices = to(lines, "pl")
    assert len(notices) == 1, lines
    return int(notices[0]["meta"]["thread_id"])


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.ZALO])
async def test_the_same_message_sent_again_at_once_reaches_the_officer_once(
    app: App, clock: Clock, channel: Channel
) -> None:
    """A worried person sent the same question three times in a row: the officer got three
    notices. Now the repeats are answered "already sent" and not relayed; a new message,
    or the same one after an answer, still is."""
    thread_id = await _asked(app, clock, channel)
    for _ in range(2):
        clock.advance(seconds=20)
        lines = await say(app, "u1", QUESTION, channel=channel)
        assert to(lines, "pl") == [], lines
        assert "đã chuyển cho cán bộ rồi" in texts(lines)
    lines = await say(app, "u1", OTHER, channel=channel)
    assert len(to(lines, "pl")) == 1, "a different message is relayed"
    clock.advance(minutes=11)
    lines = await say(app, "u1", OTHER, channel=channel)
    assert len(to(lines, "pl")) == 1, "the same words much later are a reminder, relayed"
    async with app.db.session() as session:
        count = await session.scalar(select(func.count()).select_from(ThreadMessage)
                                     .where(ThreadMessage.thread_id == thread_id))
    assert count == 3


async def test_a_question_ended_by_the_person_can_still_be_answered(
    app: App, clock: Clock
) -> None:
    """The person tapped «Kết thúc trao đổi» (on Zalo: typed "1") before any answer; the
    officer's «Trả lời» then said "#1 đã đóng" and the question was never answered."""
    thread_id = await _asked(app, clock, Channel.ZALO)
    lines = await say(app, "u1", "1", channel=Channel.ZALO)
    assert intents(to(lines, "u1")) == ["flow:handoff.ended"]
    lines = await click(app, "pl", f"thread:answer:{thread_id}")
    assert intents(lines) == ["flow:thread.answer"], lines
    lines = await say(app, "pl", "Chị đã nhận, mai chị gọi em nhé.")
    answer = to(lines, "u1")
    assert len(answer) == 1 and "mai chị gọi em" in answer[0]["text"]
    assert intents(to(lines, "pl")) == ["flow:thread.answered"]
    # The person's reply reaches the officer again.
    lines = await say(app, "u1", "Dạ em cảm ơn chị", channel=Channel.ZALO)
    assert len(to(lines, "pl")) == 1
    async with app.db.session() as session:
        thread = await session.get(Thread, thread_id)
        assert thread is not None and thread.status == "open"


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.ZALO])
@pytest.mark.parametrize("asked", ["xóa hết dữ liệu", "/xoadulieu"])
async def test_not_deleting_goes_back_to_the_dossier_item(
    app: App, channel: Channel, asked: str
) -> None:
    """"xóa hết dữ liệu" (or /xoadulieu, which the privacy answer names) typed in the middle
    of a dossier, then «Không xóa»: the bot said "không xóa gì cả" and showed the menu; the
    family had to find their item again."""
    await make_case(app, "fam", channel=channel)
    await say(app, "fam", "hồ sơ", channel=channel)
    await click(app, "fam", "dossier:item:request_form", channel=channel)
    for _ in range(2):  # asked twice (typed again) still comes back
        lines = await say(app, "fam", asked, channel=channel)
        assert intents(lines) == ["flow:privacy.delete_confirm"]
    lines = await say(app, "fam", "không", channel=channel)
    assert intents(lines) == ["flow:privacy", "flow:dossier.item"], lines
    assert "buttons" not in lines[0] and "1." not in lines[0]["text"], "no menu before it"
    assert lines[1]["meta"]["item"] == "request_form"
    # A photo now goes to that item.
    lines = await send_file(app, "fam", jpeg(41), channel=channel)
    assert intents(lines) == ["flow:dossier.received"]


async def test_not_deleting_goes_back_to_the_form_and_deleting_does_not(app: App) -> None:
    await say(app, "u1", "tôi muốn đăng ký đi làm việc ở nước ngoài")
    await press(app, "u1", "Đồng ý")
    assert intents(await say(app, "u1", "xóa hết dữ liệu"))[-1] == "flow:privacy.delete_confirm"
    lines = await press(app, "u1", "Không xóa")
    assert intents(lines) == ["flow:privacy", "flow:intake.full_name"], lines
    await say(app, "u1", "xóa hết dữ liệu")
    lines = await press(app, "u1", "Có, xóa hết")
    assert intents(lines) == ["flow:privacy.deleted"], lines
    lines = await say(app, "u1", "Nguyễn Thị Mai")
    assert not any(i.startswith("flow:intake") for i in intents(lines)), lines


async def _photo(app: App, user: str, data: bytes, caption: str,
                 channel: Channel) -> list[dict[str, Any]]:
    event = file_event(channel, user, InboundKind.PHOTO, FileRef(data, "anh.jpg"),
                       caption=caption)
    return await app.handle_locally(event, partial(output_lines, 0))


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.ZALO])
async def test_a_question_written_under_a_photo_is_not_taken_as_read(
    app: App, channel: Channel
) -> None:
    """A relative sent a paper with the caption "ảnh này được chưa ạ?": the photo was kept and
    the question silently dropped. Now the bot says it does not answer captions (before the
    reply with options); a plain caption ("mặt trước") gets no such note."""
    await make_case(app, "fam", channel=channel)
    lines = await _photo(app, "fam", jpeg(51), "ảnh này được chưa ạ?", channel)
    assert intents(lines) == ["flow:dossier.caption", "flow:dossier.held"], lines
    assert "không trả lời được câu hỏi viết kèm ảnh" in lines[0]["text"]
    await click(app, "fam", "dossier:put:request_form", channel=channel)
    lines = await _photo(app, "fam", jpeg(52), "mặt trước", channel)
    assert intents(lines) == ["flow:dossier.received"], lines
    lines = await _photo(app, "fam", jpeg(53), "chụp thế này có rõ không", channel)
    assert intents(lines)[0] == "flow:dossier.caption", lines


async def test_a_sticker_or_voice_note_keeps_the_dossier_item_and_the_commune_list(
    app: App,
) -> None:
    """A grandmother sent a voice note while sending papers: the whole checklist came back,
    her item left without a word. At the hand-off's commune question a voice note got "gõ
    câu hỏi" and no list to choose from. (The simulator now sends stickers and voice notes.)"""
    z = "zalo"
    await make_case(app, "fam", channel=Channel.ZALO)
    lines = await simulate_lines(
        app,
        {"user": "fam", "channel": z, "text": "hồ sơ"},
        {"user": "fam", "channel": z, "text": "1"},
        {"user": "fam", "channel": z, "voice": True},
        {"user": "fam", "channel": z, "sticker": True},
        {"user": "u2", "channel": z, "text": "gặp cán bộ"},
        {"user": "u2", "channel": z, "voice": True},
        {"user": "u2", "channel": z, "text": "5"},
    )
    by_line = {n: [x["meta"]["intent"] for x in lines if x["in"] == n] for n in range(1, 8)}
    assert by_line[3] == by_line[4] == ["flow:dossier.unreadable", "flow:dossier.item"], lines
    assert all(x["meta"].get("item") == "request_form" for x in lines
               if x["in"] in (3, 4) and x["meta"]["intent"] == "flow:dossier.item")
    assert by_line[6] == ["flow:handoff.commune", "flow:handoff.commune"], lines
    assert "1. Bạch Xa" in [x for x in lines if x["in"] == 6][-1]["text"]
    assert by_line[7] == ["flow:handoff.ask"], "«5» picks a commune of the list shown again"


async def test_a_pdf_sent_before_choosing_its_item_is_called_a_file(app: App) -> None:
    """A relative on Telegram sent the 3-page contract as a PDF first: "Bot đã giữ ảnh này",
    then "Đã lưu 1 ảnh"; it was no photo."""
    await make_case(app, "fam", channel=Channel.TELEGRAM)
    await say(app, "fam", "hồ sơ", channel=Channel.TELEGRAM)
    lines = await send_file(app, "fam", pdf(3, "hop dong"), kind=InboundKind.DOCUMENT,
                            file_name="hopdong.pdf", channel=Channel.TELEGRAM)
    assert intents(lines) == ["flow:dossier.held"]
    assert "Bot đã giữ tệp này" in lines[0]["text"]
    lines = await click(app, "fam", "dossier:put:contract", channel=Channel.TELEGRAM)
    assert "Đã lưu 1 tệp vào «Hợp đồng" in texts(lines)


async def test_an_officer_typing_under_a_notice_is_asked_to_send_it_as_the_answer(
    app: App, clock: Clock
) -> None:
    """On Zalo the officer read the question and typed the answer at once (no «Trả lời»
    first): the bot answered the officer with the class list, the person got nothing, and
    the officer's "1" then started a registration. Now the typed text is offered as the
    answer, one number to send it."""
    z = Channel.ZALO
    await make_officer(app, clock, "pl", "commune", "Phù Lưu", channel=z)
    await say(app, "u1", "gặp cán bộ", channel=z)
    await press(app, "u1", "Phù Lưu", channel=z)
    await say(app, "u1", "cho em hỏi lớp may bao giờ khai giảng ạ", channel=z)
    lines = await say(app, "pl", "Chào em, lớp may khai giảng 15/12 nhé", channel=z)
    assert intents(lines) == ["flow:thread.confirm"], lines
    assert to(lines, "u1") == []
    lines = await say(app, "pl", "1", channel=z)
    assert intents(to(lines, "pl")) == ["flow:thread.answered"]
    assert "lớp may khai giảng 15/12" in texts(to(lines, "u1"))
    # A second thought after "sent": offered too; «Hủy» sends nothing.
    lines = await say(app, "pl", "Em nhớ mang căn cước nhé", channel=z)
    assert intents(lines) == ["flow:thread.confirm"], lines
    lines = await say(app, "pl", "2", channel=z)
    assert intents(lines) == ["flow:thread.cancelled"] and to(lines, "u1") == []
    # Not under a notice any more: a question to the bot is answered as before.
    lines = await say(app, "pl", "lớp may bao giờ khai giảng", channel=z)
    assert not any(i.startswith("flow:thread") for i in intents(lines)), lines


async def test_delete_everything_said_to_the_officer_is_for_the_bot(
    app: App, clock: Clock
) -> None:
    """In a conversation with an officer, "xóa hết dữ liệu" was relayed to the officer as a
    message and nothing was deleted. Now the bot asks to confirm; «Không xóa» goes back to
    the conversation, whose next message reaches the officer."""
    await _asked(app, clock, Channel.ZALO)
    lines = await say(app, "u1", "xóa hết dữ liệu", channel=Channel.ZALO)
    assert to(lines, "pl") == [] and intents(lines) == ["flow:privacy.delete_confirm"], lines
    lines = await say(app, "u1", "2", channel=Channel.ZALO)
    assert intents(lines) == ["flow:privacy", "flow:handoff.thread"], lines
    lines = await say(app, "u1", "dạ em cảm ơn chị", channel=Channel.ZALO)
    assert len(to(lines, "pl")) == 1


@pytest.mark.parametrize("sign", ["👍", "👌👌", "!!!"])
async def test_a_thumbs_up_at_the_delete_confirmation_asks_again(app: App, sign: str) -> None:
    """«👍» at "delete everything?" got small talk ("Dạ. Anh/chị cần hỏi thêm…") and the
    question was gone: a grandmother who meant yes read "Dạ." as done, and nothing was
    deleted. Now she is asked again which to choose; only «Có, xóa hết» deletes."""
    await make_case(app, "fam", channel=Channel.ZALO)
    await say(app, "fam", "xóa dữ liệu của tôi", channel=Channel.ZALO)
    lines = await say(app, "fam", sign, channel=Channel.ZALO)
    assert intents(lines) == ["flow:privacy.help", "flow:privacy.delete_confirm"], lines
    lines = await say(app, "fam", "1", channel=Channel.ZALO)
    assert intents(lines) == ["flow:privacy.deleted"], lines


async def test_a_long_reason_is_cut_in_the_checklist_and_whole_in_the_item(
    app: App, clock: Clock
) -> None:
    """An officer's 300-character reason was repeated in the Zalo checklist's option for
    the item (and in every held-photo question): the family's checklist was 873
    characters (629 now). Lists show a few words of it; the item shows it whole."""
    unit = await unit_id(app, "Phù Lưu")
    case_id = await make_case(app, "fam", unit_id=unit, channel=Channel.ZALO)
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    await say(app, "fam", "hồ sơ", channel=Channel.ZALO)
    await click(app, "fam", "dossier:item:request_form", channel=Channel.ZALO)
    await send_file(app, "fam", jpeg(61), channel=Channel.ZALO)
    reason = "Đơn thiếu chữ ký của người lao động và xác nhận của UBND xã ở trang 2, " * 4
    await click(app, "pl", f"review:other:{case_id}:request_form")
    lines = await say(app, "pl", reason.strip())
    assert "Lý do: Đơn thiếu chữ ký" in texts(to(lines, "fam"))
    lines = await click(app, "fam", "dossier:list", channel=Channel.ZALO)
    checklist = lines[-1]["text"]
    assert "1. Đơn đề nghị hỗ trợ: cần chụp lại (Đơn thiếu chữ ký của người lao động và…)" \
        in checklist, checklist
    assert len(checklist) < 650
    lines = await say(app, "fam", "1", channel=Channel.ZALO)
    assert reason.strip() in lines[-1]["text"]


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.ZALO])
async def test_not_knowing_the_commune_is_not_the_question(
    app: App, clock: Clock, channel: Channel
) -> None:
    """"ko biet" at "which commune?" was kept as the question: after «Không rõ / xã khác»
    the office read «ko biet», the real question came after as a follow-up."""
    await make_officer(app, clock, "of", "office", channel=channel)
    await say(app, "u1", "gặp cán bộ", channel=channel)
    lines = await say(app, "u1", "ko biet a", channel=channel)
    assert intents(lines) == ["flow:handoff.ask"], lines
    lines = await say(app, "u1", "cho em hỏi lớp may bao giờ mở", channel=channel)
    [notice] = to(lines, "of")
    assert "«cho em hỏi lớp may bao giờ mở»" in notice["text"]
    assert "ko biet" not in notice["text"]


@pytest.mark.parametrize("words", ["dừng nhắc ạ", "Dừng nhắc.", "đừng nhắc nữa",
                                   "thôi đừng nhắc hồ sơ nữa"])
async def test_stopping_dossier_reminders_in_ones_own_words(app: App, words: str) -> None:
    """The reminder says 'gõ «dừng nhắc»'; "dừng nhắc ạ", "Dừng nhắc." or "đừng nhắc nữa"
    got "which topic?" and the reminders went on."""
    await make_case(app, "fam", channel=Channel.ZALO)
    await say(app, "fam", "hồ sơ", channel=Channel.ZALO)
    await say(app, "fam", "menu", channel=Channel.ZALO)
    lines = await say(app, "fam", words, channel=Channel.ZALO)
    assert intents(lines) == ["flow:dossier.stop"], lines
    assert "Bot sẽ không nhắc hồ sơ nữa" in lines[0]["text"]


@pytest.mark.parametrize("channel", [Channel.TELEGRAM, Channel.ZALO])
async def test_an_answer_typed_after_a_newer_question_asks_whom_it_is_for(
    app: App, clock: Clock, channel: Channel
) -> None:
    """The officer chose «Trả lời» for Chị A's question; Anh B's question came in; the
    officer typed Anh B's answer (about his loan) and it went to Chị A. Now the bot asks
    whom it is for; nothing is sent until the officer says."""
    await make_officer(app, clock, "pl", "commune", "Phù Lưu", channel=channel)
    z = Channel.ZALO
    for user, name, asked in (("pa", "Chị A", "lớp may bao giờ mở ạ"),
                              ("pb", "Anh B", "hồ sơ vay vốn của tôi sao rồi")):
        await say(app, user, "gặp cán bộ", channel=z, name=name)
        await press(app, user, "Phù Lưu", channel=z)
        lines = await say(app, user, asked, channel=z)
        if user == "pa":
            first = to(lines, "pl")[0]["meta"]["thread_id"]
            await click(app, "pl", f"thread:answer:{first}", channel=channel)
    lines = await say(app, "pl", "Anh B ơi, hồ sơ vay của anh đã duyệt", channel=channel)
    assert intents(lines) == ["flow:thread.confirm"] and to(lines, "pa") == [], lines
    assert "Gửi cho Chị A (#1)" in str(lines[0].get("buttons") or lines[0]["text"])
    lines = await press(app, "pl", "Gửi cho Anh B (#2)", channel=channel)
    assert to(lines, "pa") == [] and "hồ sơ vay của anh" in texts(to(lines, "pb"))
