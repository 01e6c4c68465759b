"""Officers work the case list in chat: the list and card in scope, status changes told to
the person, a withdrawal, a reference typed (a person's questions to officers:
test_threads_chat.py).
Driven end to end through the in-process turn the simulator uses (messages to others are
output lines of the turn that caused them)."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from handlers.types import Channel
from storage.models import CaseStatusChange
from tests.dossier_support import click, jpeg
from tests.helpers import Clock, intents, press, say, send_file, texts, to
from tests.intake_support import all_cases, fill_form, register
from tests.officials_helpers import make_officer


async def test_case_list_scope_card_and_status_changes(app: App, clock: Clock) -> None:
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    await make_officer(app, clock, "hy", "commune", "Hàm Yên")
    await make_officer(app, clock, "of", "office")
    ref_a = await register(app, "u1")
    ref_b = await register(app, "u2", name="Hoàng Văn Bình", commune="ham yen",
                           phone="0987 000 111")
    # Commune A never sees commune B; the office sees both, newest first.
    lines = await say(app, "pl", "/dangky")
    assert intents(lines) == ["flow:cases.list"]
    assert lines[0]["meta"]["case_refs"] == [ref_a]
    assert "Nguyễn Thị Mai" in lines[0]["text"] and "0912345678" in lines[0]["text"]
    assert (await say(app, "hy", "/dangky"))[0]["meta"]["case_refs"] == [ref_b]
    assert (await say(app, "of", "/dangky"))[0]["meta"]["case_refs"] == [ref_b, ref_a]
    # A citizen typing /dangky registers, as before.
    assert intents(await say(app, "u3", "/dangky"))[0].startswith("flow:intake")

    # The card, then each status change reaches the person in one sentence.
    lines = await press(app, "pl", f"Mở {ref_a}")
    assert intents(lines) == ["flow:cases.card"]
    assert "Thôn Khuổi Lếch" in lines[0]["text"]
    assert "self" not in lines[0]["text"]  # "Người đăng ký: chính người này"
    labels = [row[0] for row in lines[0]["buttons"]]
    assert "Đã gọi điện" in labels and "Đã vào lớp" not in labels  # abroad: no class
    lines = await press(app, "pl", "Đã gọi điện")
    assert intents(to(lines, "pl")) == ["flow:cases.changed"]
    told = f"Hồ sơ {ref_a}: cán bộ xã đã ghi nhận đã gọi điện cho anh/chị."
    assert to(lines, "u1")[0]["text"] == told
    await press(app, "pl", f"Mở {ref_a}")
    assert intents(await press(app, "pl", "Cần bổ sung")) == ["flow:cases.note"]
    lines = await say(app, "pl", "Gửi thêm ảnh sổ hộ nghèo")
    assert "Gửi thêm ảnh sổ hộ nghèo" in to(lines, "u1")[0]["text"]
    await press(app, "pl", f"Mở {ref_a}")
    await press(app, "pl", "Không đủ điều kiện")
    lines = await say(app, "pl", "Quá tuổi theo yêu cầu của đơn hàng")
    assert "Lý do: Quá tuổi" in to(lines, "u1")[0]["text"]
    # The status view shows it; the history keeps who and when.
    lines = await say(app, "u1", "hồ sơ của tôi")
    assert "chưa được duyệt" in lines[0]["text"]
    async with app.db.session() as session:
        query = select(CaseStatusChange).order_by(CaseStatusChange.id)
        changes = list(await session.scalars(query))
    assert [c.status for c in changes] == ["called", "needs_info", "rejected"]
    assert all(c.officer_id is not None and c.created_at == clock.now() for c in changes)
    # The printable dossier comes as a document (console and Telegram).
    await press(app, "pl", f"Mở {ref_a}")
    lines = await press(app, "pl", "Tải hồ sơ PDF")
    assert intents(lines) == ["flow:cases.pdf"]
    assert lines[0]["attachments"][0]["file_name"] == f"{ref_a}.pdf"
    # Hàm Yên's officer cannot open Phù Lưu's case, even with a forged button.
    [case_a, _] = await all_cases(app)
    lines = await click(app, "hy", f"cases:set:{case_a.id}:eligible")
    assert intents(lines) == ["flow:officials.refused"]


async def test_person_withdraws_and_the_commune_officer_is_told(app: App, clock: Clock) -> None:
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    ref = await register(app, "u1")
    lines = await say(app, "u1", "hồ sơ của tôi")
    assert [f"Rút đăng ký {ref}"] in lines[0]["buttons"]
    await press(app, "u1", f"Rút đăng ký {ref}")
    lines = await press(app, "u1", "Có, rút đăng ký")
    assert intents(to(lines, "u1")) == ["flow:cases.withdrawn"]
    [told] = to(lines, "pl")
    assert ref in told["text"] and "Nguyễn Thị Mai" in told["text"]
    assert told["buttons"] == [["Mở hồ sơ"]]
    [case] = await all_cases(app)
    assert case.status == "cancelled"
    # An officer's menu is what waits for them, the case list among its doors.
    lines = await say(app, "pl", "menu")
    assert ["Danh sách hồ sơ"] in lines[0]["buttons"]


async def test_asking_to_withdraw_in_words_asks_to_confirm_it(app: App, clock: Clock) -> None:
    """Tried on Zalo: "e muon huy dang ky" started a NEW registration (consent screen)."""
    ref = await register(app, "u1")
    lines = await say(app, "u1", "e muon huy dang ky")
    assert intents(lines) == ["flow:cases.withdraw_confirm"] and ref in texts(lines)
    assert intents(await press(app, "u1", "Có, rút đăng ký")) == ["flow:cases.withdrawn"]
    # Nothing left to withdraw: the cases are listed (and a stranger has none).
    assert intents(await say(app, "u1", "rút hồ sơ")) == ["flow:status.cases"]
    lines = await say(app, "u2", "huy dang ky", channel=Channel.ZALO)
    assert intents(lines) == ["flow:status.cases"]


async def test_a_case_whose_family_sent_photos_still_waits_for_its_call(
    app: App, clock: Clock
) -> None:
    """A family that sends a dossier photo before any call moves the case to "đang làm hồ
    sơ": it dropped out of «Chờ gọi» (officers' "who to call") although nobody had called."""
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    ref = await register(app, "u1")
    await send_file(app, "u1", jpeg(1))
    await say(app, "u1", "1")  # the photo kept is the first item
    [case] = await all_cases(app)
    assert case.status == "dossier_in_progress"
    await say(app, "pl", "/dangky")
    lines = await press(app, "pl", "Chờ gọi")
    assert intents(lines) == ["flow:cases.list"]
    assert lines[0]["meta"]["case_refs"] == [ref]
    # ... and it is still new: "hồ sơ mới" said "Chưa có hồ sơ nào (mới)" (an officer's trial).
    assert (await say(app, "pl", "ho so moi"))[0]["meta"]["case_refs"] == [ref]
    # Once the call is recorded it leaves both lists.
    await press(app, "pl", f"Mở {ref}")
    await press(app, "pl", "Đã gọi điện")
    await say(app, "pl", "/dangky")
    assert "case_refs" not in (await press(app, "pl", "Chờ gọi"))[0]["meta"]
    assert "case_refs" not in (await say(app, "pl", "ho so moi"))[0]["meta"]


async def test_a_note_too_long_is_refused_not_cut(app: App, clock: Clock) -> None:
    """«Cần bổ sung» with a 600-character note reached the person cut at 500, silently."""
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    ref = await register(app, "u1")
    await say(app, "pl", "/dangky")
    await press(app, "pl", f"Mở {ref}")
    await press(app, "pl", "Cần bổ sung")
    long_note = "Gửi thêm ảnh sổ hộ nghèo, cả trang bìa và trang có tên anh/chị. " * 10
    lines = await say(app, "pl", long_note)
    assert to(lines, "u1") == [] and intents(lines) == ["flow:cases.note"]
    lines = await say(app, "pl", "Gửi thêm ảnh sổ hộ nghèo.")
    assert "Gửi thêm ảnh sổ hộ nghèo." in to(lines, "u1")[0]["text"]


async def test_an_officer_typing_a_reference_gets_the_case_card_in_scope_only(
    app: App, clock: Clock
) -> None:
    """A commune officer typed the reference a caller read out: "Không có hồ sơ mã … trong
    cuộc trò chuyện này" with the citizens' buttons. In scope: the card; out of scope: the
    same owner-only answer as anyone (not even whether it exists)."""
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    await make_officer(app, clock, "hy", "commune", "Hàm Yên")
    ref = await register(app, "u1")
    typed = ref.lower().replace("-", " ")
    lines = await say(app, "pl", typed)
    assert intents(lines) == ["flow:cases.card"] and "Nguyễn Thị Mai" in lines[0]["text"]
    lines = await say(app, "hy", typed)
    assert intents(lines) == ["flow:status.not_found"]
    assert "Nguyễn Thị Mai" not in lines[0]["text"]


async def test_the_card_says_a_relative_registered_for_the_person(app: App, clock: Clock) -> None:
    """A mother registered her son: the card read "Người đăng ký: Con", as if the son had."""
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    await fill_form(app, "me", relative="Con")
    ref = (await press(app, "me", "Xác nhận"))[0]["meta"]["case_ref"]
    await say(app, "pl", "/dangky")
    card = (await press(app, "pl", f"Mở {ref}"))[0]["text"]
    assert "Người đăng ký: người nhà đăng ký hộ (người này là con của họ)" in card, card


async def test_an_action_typed_under_the_card_is_done_with_its_note(
    app: App, clock: Clock
) -> None:
    """Tried as a commune officer on Telegram: "da goi roi, hen thu 2 len xa" under a card got
    the office's address from the FAQ. The card's action typed is that action, what follows
    its note; a question, or a request for another list, is not."""
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    ref = await register(app, "u1")
    await say(app, "pl", "/dangky")
    assert intents(await press(app, "pl", f"Mở {ref}")) == ["flow:cases.card"]
    lines = await say(app, "pl", "da goi roi, hẹn thứ 2 lên xã")
    assert intents(to(lines, "pl")) == ["flow:cases.changed"], lines
    assert "(hẹn thứ 2 lên xã)" in to(lines, "pl")[0]["text"]
    async with app.db.session() as session:
        [change] = list(await session.scalars(select(CaseStatusChange)))
    assert (change.status, change.note) == ("called", "hẹn thứ 2 lên xã")
    await press(app, "pl", f"Mở {ref}")
    assert intents(await say(app, "pl", "can bo sung")) == ["flow:cases.note"]
    await press(app, "pl", f"Mở {ref}")
    lines = await say(app, "pl", "đủ điều kiện chưa?")
    assert to(lines, "u1") == [] and "flow:cases.changed" not in intents(lines)
    await press(app, "pl", f"Mở {ref}")
    assert intents(await say(app, "pl", "hom nay can goi ai")) == ["flow:cases.list"]


async def test_an_officers_ok_or_stray_number_shows_the_officers_doors(
    app: App, clock: Clock
) -> None:
    """An officer's "ok", or a number no option has, got the citizens' menu alone; now the
    officers' doors only («Gặp cán bộ» is not for them)."""
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    for text in ("ok", "9"):
        lines = await say(app, "pl", text)
        assert ["Danh sách hồ sơ"] in lines[-1]["buttons"], lines
        assert ["Gặp cán bộ"] not in lines[-1]["buttons"], lines
    lines = await say(app, "u1", "ok")
    assert ["Danh sách hồ sơ"] not in lines[-1]["buttons"]


async def test_a_card_opened_while_writing_an_announcement_keeps_its_place(
    app: App, clock: Clock
) -> None:
    """A card takes typed actions only when no other flow is under way: one opened from a
    notice while an announcement is being written leaves the announcement where it was."""
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    ref = await register(app, "u1")
    await say(app, "pl", "/thongbao")
    await say(app, "pl", "Lớp may công nghiệp khai giảng 15/12.")
    await say(app, "pl", "/dangky")
    assert intents(await press(app, "pl", f"Mở {ref}")) == ["flow:cases.card"]
    lines = await say(app, "pl", "khong co anh")
    assert intents(lines)[-1].startswith("flow:broadcast."), lines
