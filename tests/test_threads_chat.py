"""Officers close the loop in chat: a person's question answered and relayed, follow-ups to the
same officer, reminders and escalation, scope, erasure of the threads. Driven end to end through
the in-process turn the simulator uses (messages to others are output lines of the turn that
caused them)."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.app import App
from handlers.threads import ANSWER_MAX
from handlers.types import Channel
from messages import t
from storage.models import Officer, OutboxMessage, Thread, ThreadMessage
from tests.dossier_support import click, make_case
from tests.helpers import Clock, intents, press, say, texts, to
from tests.intake_support import fill_form, register
from tests.officials_helpers import make_officer
from tests.outreach_support import unit_id


async def test_question_answered_relayed_and_followed_up(app: App, clock: Clock) -> None:
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    await make_officer(app, clock, "pl2", "commune", "Phù Lưu")
    await make_officer(app, clock, "hy", "commune", "Hàm Yên")
    # The registration notice carries name, phone, village and «Mở hồ sơ».
    await fill_form(app, "u1")
    lines = await press(app, "u1", "Xác nhận")
    ref = lines[0]["meta"]["case_ref"]
    notice = to(lines, "pl")[0]
    for part in ("Nguyễn Thị Mai", "0912345678", "Thôn Khuổi Lếch", ref):
        assert part in notice["text"], notice["text"]
    assert notice["buttons"] == [["Mở hồ sơ"]]
    assert to(lines, "hy") == []

    # The question goes to the commune of the person's case, with name, case and phone.
    await say(app, "u1", "gặp cán bộ")
    lines = await say(app, "u1", "Bao giờ cán bộ gọi cho tôi?")
    assert intents(to(lines, "u1")) == ["flow:handoff.done"]
    notices = to(lines, "pl")
    assert len(notices) == 1 and len(to(lines, "pl2")) == 1 and to(lines, "hy") == []
    text = notices[0]["text"]
    assert "Nguyễn Thị Mai" in text and ref in text and "0912345678" in text
    assert "Bao giờ cán bộ gọi cho tôi?" in text
    assert notices[0]["buttons"] == [["Trả lời"], ["Xem hồ sơ"], ["Đóng"]]

    # A commune officer of another commune cannot answer it.
    thread_button = notices[0]["meta"]["thread_id"]
    lines = await press(app, "pl", "Trả lời")
    assert intents(lines) == ["flow:thread.answer"]
    lines = await say(app, "pl", "Tuần này tôi gọi, anh chị giữ máy nhé.")
    relayed = to(lines, "u1")
    assert len(relayed) == 1
    assert relayed[0]["text"].startswith("💬 Cán bộ xã Phù Lưu trả lời:")
    assert "Tuần này tôi gọi" in relayed[0]["text"]
    assert intents(to(lines, "pl")) == ["flow:thread.answered"]

    # The follow-up reaches the officer who answered, not the other one.
    lines = await say(app, "u1", "Dạ, số của tôi vẫn như cũ ạ")
    assert intents(to(lines, "u1")) == ["flow:handoff.thread"]
    assert len(to(lines, "pl")) == 1 and to(lines, "pl2") == []
    assert "Dạ, số của tôi vẫn như cũ ạ" in to(lines, "pl")[0]["text"]

    # «Menu» leaves the thread; the FAQ answers again; the officer's answer still arrives.
    assert intents(await say(app, "u1", "menu")) == ["flow:menu"]
    await say(app, "pl", "/tenhienthi Lê Thu")
    # On Telegram the officer presses «Trả lời» on the earlier notice: its callback data.
    await click(app, "pl", f"thread:answer:{thread_button}")
    lines = await say(app, "pl", "Vâng, tôi ghi nhận.")
    assert to(lines, "u1")[0]["text"].startswith("💬 Cán bộ Lê Thu (xã Phù Lưu) trả lời:")
    assert intents(await say(app, "pl", "/tenhienthi xoa")) == ["flow:thread.name"]
    async with app.db.session() as session:
        named = await session.scalar(
            select(func.count()).select_from(Officer).where(Officer.public_name.is_not(None))
        )
    assert named == 0, "«Lê Thu» was cleared"

    # Closing: the person is told, and a new message opens a new thread.
    lines = await click(app, "pl", f"thread:close:{thread_button}")
    assert intents(to(lines, "pl")) == ["flow:thread.closed"]
    assert intents(to(lines, "u1")) == ["flow:handoff.closed"]
    async with app.db.session() as session:
        thread = await session.get(Thread, thread_button)
        assert thread is not None and thread.status == "closed"
        count = await session.scalar(select(func.count()).select_from(ThreadMessage))
    assert count == 4


async def test_officer_outside_scope_cannot_answer(app: App, clock: Clock) -> None:
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    await make_officer(app, clock, "hy", "commune", "Hàm Yên")
    await say(app, "u1", "gặp cán bộ")
    await press(app, "u1", "Phù Lưu")
    lines = await say(app, "u1", "Cho hỏi lịch học")
    thread_id = to(lines, "pl")[0]["meta"]["thread_id"]
    # hy presses a forged button of a thread of Phù Lưu.
    lines = await click(app, "hy", f"thread:answer:{thread_id}")
    assert intents(lines) == ["flow:officials.refused"]
    # A citizen gets the same refusal.
    assert intents(await click(app, "u2", f"thread:close:{thread_id}")) == [
        "flow:officials.refused"
    ]


async def test_no_commune_officer_goes_to_the_office(app: App, clock: Clock) -> None:
    await make_officer(app, clock, "of", "office")
    await say(app, "u1", "gặp cán bộ")
    await press(app, "u1", "Thái Sơn")
    lines = await say(app, "u1", "Hỏi về vay vốn")
    assert len(to(lines, "of")) == 1
    await press(app, "of", "Trả lời")
    lines = await say(app, "of", "Anh/chị đến ngân hàng chính sách xã.")
    assert to(lines, "u1")[0]["text"].startswith("💬 Cán bộ Sở Nội vụ tỉnh Tuyên Quang trả lời:")


async def test_erasure_removes_threads_and_notices_about_the_person(app: App, clock: Clock) -> None:
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    await register(app, "u1")
    await say(app, "u1", "gặp cán bộ")
    await say(app, "u1", "Câu hỏi riêng tư 123")
    await press(app, "pl", "Trả lời")
    await say(app, "pl", "Trả lời riêng tư 456")
    await say(app, "u1", "xóa dữ liệu của tôi")
    lines = await press(app, "u1", "Có, xóa hết")
    # The officers are told (without any personal data) that the person deleted their data.
    told = to(lines, "pl")
    assert told and "Nguyễn Thị Mai" not in told[0]["text"]
    async with app.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Thread)) == 0
        assert await session.scalar(select(func.count()).select_from(ThreadMessage)) == 0
        payloads = [str(p) for p in await session.scalars(select(OutboxMessage.payload))]
    for secret in ("Câu hỏi riêng tư 123", "Trả lời riêng tư 456", "Nguyễn Thị Mai", "0912345678"):
        assert not any(secret in p for p in payloads), secret


async def _remind(app: App, clock: Clock) -> list[OutboxMessage]:
    """One run of the reminder job at the clock's time; returns the rows it queued."""
    from scheduler.thread_reminders import run_thread_reminders

    async with app.db.transaction() as session:
        before = set(await session.scalars(select(OutboxMessage.id)))
        await run_thread_reminders(session, clock.now())
        rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    return [r for r in rows if r.id not in before]


async def test_unanswered_question_reminds_then_escalates(app: App, clock: Clock) -> None:
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    await make_officer(app, clock, "of", "office")
    # Friday 08:00 local: the question comes in.
    await say(app, "u1", "gặp cán bộ")
    await press(app, "u1", "Phù Lưu")
    await say(app, "u1", "Xin hỏi lịch phỏng vấn")
    clock.advance(hours=23)
    assert await _remind(app, clock) == []  # Saturday: not a working day later yet
    clock.advance(days=2, hours=1)  # Monday 08:00: one working day
    rows = await _remind(app, clock)
    assert [(r.chat_id, r.payload["meta"]["notice"]) for r in rows] == [
        ("pl", "handoff_reminder")
    ]
    assert await _remind(app, clock) == []  # once
    clock.advance(days=1)  # Tuesday 08:00: two working days → the office
    rows = await _remind(app, clock)
    assert [(r.chat_id, r.payload["meta"]["notice"]) for r in rows] == [
        ("of", "handoff_escalated")
    ]
    assert "Xin hỏi lịch phỏng vấn" in rows[0].payload["text"]
    # The office answers from the escalation; nothing waits any more.
    await click(app, "of", f"thread:answer:{rows[0].payload['meta']['thread_id']}")
    lines = await say(app, "of", "Lịch phỏng vấn ngày 20.")
    assert to(lines, "u1")[0]["text"].startswith("💬 Cán bộ Sở Nội vụ tỉnh Tuyên Quang trả lời:")
    clock.advance(days=7)
    assert await _remind(app, clock) == []


async def test_a_request_to_the_bot_in_a_thread_reaches_the_officer_and_is_offered(
    app: App, clock: Clock
) -> None:
    """Tried on Zalo: the officer answered "register him through the bot", and "dang ky cho
    con trai e luon" was only relayed; the form was not one tap away."""
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    zalo = {"channel": Channel.ZALO}
    await say(app, "u1", "gap can bo", **zalo)
    await say(app, "u1", "phu luu", **zalo)
    await say(app, "u1", "o xa co lop sua xe may ko a", **zalo)
    lines = await say(app, "u1", "dang ky cho con trai e luon", **zalo)
    assert intents(to(lines, "u1")) == ["flow:handoff.thread"] and len(to(lines, "pl")) == 1
    offer = t("faq.offer.intake")
    assert t("thread.followup_sent_offer", offer=offer) in texts(to(lines, "u1"))
    assert intents(await press(app, "u1", offer, **zalo)) == ["flow:intake.consent"]
    # A message that asks the bot for nothing is relayed as before.
    await say(app, "u1", "gap can bo", **zalo)
    lines = await say(app, "u1", "da e cam on chi", **zalo)
    assert to(lines, "u1")[0]["text"] == t("thread.followup_sent")


HOSTILE = [
    "x" * 5000,
    "<b>đậm</b> {name} {0} %s \\n ${{}}",
    "‮ngược‬ 🇻🇳👍🏽 ",
    "/dangky",  # a command typed as an answer is a command, not an answer
    "   ",
]


async def test_hostile_questions_and_answers_are_relayed_or_refused_cleanly(
    app: App, clock: Clock
) -> None:
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    await say(app, "u1", "gặp cán bộ")
    await press(app, "u1", "Phù Lưu")
    for text in HOSTILE:
        lines = await say(app, "u1", text)
        assert "error" not in intents(lines), text
    async with app.db.session() as session:
        thread_id = await session.scalar(select(Thread.id))
    for text in HOSTILE:
        await click(app, "pl", f"thread:answer:{thread_id}")
        lines = await say(app, "pl", text)
        assert "error" not in intents(lines), text
        relayed = to(lines, "u1")
        if len(text.strip()) > ANSWER_MAX:
            # Refused whole (never cut): the officer shortens it.
            assert relayed == [] and intents(lines)[-1] == "flow:thread.answer"
        elif text.strip() and not text.startswith("/"):
            assert len(relayed) == 1 and len(relayed[0]["text"]) <= 1600
        else:
            assert relayed == []


async def test_an_answer_too_long_for_one_message_is_refused_not_cut(
    app: App, clock: Clock
) -> None:
    """A 3,000-character answer was cut to 1,500 and the officer told "Đã gửi": the person
    got half of it. Now nothing is sent, the officer is told, and a shorter one goes."""
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    await register(app, "u1")
    await say(app, "u1", "gặp cán bộ")
    await say(app, "u1", "Bao giờ lớp may khai giảng?")
    await press(app, "pl", "Trả lời")
    long_answer = "Lớp may khai giảng ngày 20/12 tại nhà văn hóa thôn. " * 60
    lines = await say(app, "pl", long_answer)
    assert intents(lines) == ["flow:thread.answer"] and to(lines, "u1") == []
    assert str(len(long_answer.strip())) in lines[0]["text"]
    lines = await say(app, "pl", "Ngày 20/12, tại nhà văn hóa thôn.")
    assert intents(to(lines, "pl")) == ["flow:thread.answered"]
    assert "Ngày 20/12, tại nhà văn hóa thôn." in to(lines, "u1")[0]["text"]


async def test_a_relatives_question_names_who_asks_and_a_long_one_is_not_cut(
    app: App, clock: Clock
) -> None:
    """Seen in the user trial: a mother who registered her son asked the officer, and the
    notice named only the son; a 3,000-character question reached the officer cut at 1,000."""
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    await fill_form(app, "mom", relative="Con", person={"name": "Hoàng Văn Nam"})
    await press(app, "mom", "Xác nhận")
    await say(app, "mom", "gặp cán bộ", name="Mẹ Nam")
    long = "Cho tôi hỏi " + "rất lâu rồi " * 150
    lines = await say(app, "mom", long, name="Mẹ Nam")
    assert to(lines, "pl") == [] and intents(lines) == ["flow:handoff.ask"]
    assert f"dài {len(long.strip())} ký tự" in lines[0]["text"]
    lines = await say(app, "mom", "Bao giờ con tôi được gọi ạ?", name="Mẹ Nam")
    [notice] = to(lines, "pl")
    assert "Người nhà của Hoàng Văn Nam" in notice["text"], notice["text"]
    assert "Bao giờ con tôi được gọi ạ?" in notice["text"]
    assert "Người nhà của Hoàng Văn Nam (Mẹ Nam)" in notice["text"], notice["text"]


async def test_a_relative_without_a_display_name_is_named_without_empty_brackets(
    app: App, clock: Clock
) -> None:
    # Zalo gave no name: the notice read "Người nhà của Vũ Văn Hải ((không rõ tên))".
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    await fill_form(app, "mom", relative="Con", person={"name": "Hoàng Văn Nam"})
    await press(app, "mom", "Xác nhận")
    await say(app, "mom", "gặp cán bộ")
    [notice] = to(await say(app, "mom", "Bao giờ con tôi được gọi ạ?"), "pl")
    assert "Người nhà của Hoàng Văn Nam –" in notice["text"], notice["text"]
    assert "((" not in notice["text"] and "không rõ tên" not in notice["text"]


async def test_an_answer_reaching_someone_busy_with_a_dossier_says_how_to_reply(
    app: App, clock: Clock
) -> None:
    """Seen in the user trial: a mother asked from inside her dossier; her next question after
    the officer's answer went to the dossier (and the FAQ), not to the officer, and nothing
    said how to reach the officer again."""
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    pl = await unit_id(app, "Phù Lưu")
    case_id = await make_case(app, "mom", unit_id=pl)
    await click(app, "mom", f"dossier:case:{case_id}")
    await say(app, "mom", "gặp cán bộ")
    lines = await say(app, "mom", "Bản photo hộ khẩu có được không ạ?")
    assert len(to(lines, "pl")) == 1
    await press(app, "pl", "Trả lời")
    lines = await say(app, "pl", "Được, chị chụp rõ cả hai mặt nhé.")
    [answer] = to(lines, "mom")
    assert "chụp rõ cả hai mặt" in answer["text"]
    assert "chọn «Trả lời cán bộ» trước" in answer["text"]

    # Not busy with anything: the next text goes to the officer, no such line.
    await say(app, "u2", "gặp cán bộ")
    await say(app, "u2", "xa phu luu")
    lines = await say(app, "u2", "Lớp may bao giờ khai giảng ạ?")
    await press(app, "pl", "Trả lời")
    lines = await say(app, "pl", "Tháng 2 năm sau ạ.")
    [answer] = to(lines, "u2")
    assert "Trả lời cán bộ» trước" not in answer["text"]


async def test_an_earlier_question_can_still_be_answered_on_zalo(app: App, clock: Clock) -> None:
    """Second user trial: on Zalo (no reply-to) an office officer could not answer question #1
    once #2's notice came: its «1. Trả lời» was #2's, and no command listed the questions."""
    z = Channel.ZALO
    await make_officer(app, clock, "of", "office", channel=z)
    await make_officer(app, clock, "hy", "commune", "Hàm Yên", channel=z)
    for user, commune, asked in (("u1", "Phù Lưu", "vay von di nhat lai suat bao nhieu"),
                                 ("u2", "Yên Phú", "lop may bao gio khai giang")):
        await say(app, user, "gặp cán bộ", channel=z)
        await press(app, user, commune, channel=z)
        await say(app, user, asked, channel=z)
    # Another commune's officer sees neither.
    lines = await say(app, "hy", "/cauhoi", channel=z)
    assert intents(lines) == ["flow:thread.list"] and "vay von" not in lines[0]["text"]
    lines = await say(app, "of", "/cauhoi", channel=z)
    assert intents(lines) == ["flow:thread.list"]
    assert "vay von di nhat" in lines[0]["text"] and "lop may" in lines[0]["text"]
    assert intents(await say(app, "of", "2", channel=z)) == ["flow:thread.answer"]
    lines = await say(app, "of", "Lãi suất theo Ngân hàng Chính sách xã hội.", channel=z)
    assert [line["to"] for line in lines if line["to"] != "of"] == ["u1"]
    assert intents(await say(app, "u1", "/cauhoi", channel=z)) == ["flow:officials.refused"]


async def test_menu_pressed_under_an_answer_leaves_the_thread_as_menu_typed_does(
    app: App, clock: Clock
) -> None:
    # Tried in the simulator: «Menu» under the officer's answer showed the menu, but the
    # person stayed in the thread, and their next request went to the officer as a message.
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    await say(app, "u1", "gặp cán bộ")
    await press(app, "u1", "Phù Lưu")
    await say(app, "u1", "Lớp may bao giờ khai giảng ạ?")
    await press(app, "pl", "Trả lời")
    lines = await say(app, "pl", "Tháng sau anh chị nhé.")
    assert intents(to(lines, "u1")) == ["flow:handoff.answer"]
    assert intents(await press(app, "u1", "Menu")) == ["flow:menu"]
    lines = await say(app, "u1", "tôi muốn đăng ký học nghề")
    assert to(lines, "pl") == [], "not sent to the officer"
    assert intents(to(lines, "u1"))[0].startswith("flow:intake"), intents(lines)


async def test_closing_a_question_not_answered_asks_first(app: App, clock: Clock) -> None:
    """One tap on «Đóng» under a notice ended a conversation whose question was never answered,
    and the person was told it was over (found by an officer's trial)."""
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    await say(app, "u1", "gặp cán bộ")
    await press(app, "u1", "Phù Lưu")
    lines = await say(app, "u1", "vay hoc co mat tien khong em")
    thread_id = to(lines, "pl")[0]["meta"]["thread_id"]
    lines = await click(app, "pl", f"thread:close:{thread_id}")
    assert intents(lines) == ["flow:thread.close_unanswered"] and to(lines, "u1") == []
    assert lines[0]["buttons"] == [[f"Trả lời #{thread_id}"], ["Vẫn đóng, không trả lời"]]
    lines = await press(app, "pl", "Vẫn đóng, không trả lời")
    assert intents(to(lines, "pl")) == ["flow:thread.closed"]
    assert intents(to(lines, "u1")) == ["flow:handoff.closed"]
