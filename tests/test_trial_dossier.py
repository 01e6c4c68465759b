"""Found by trying the product as its users would (a worker and a mother on Zalo, an officer on
Telegram): dossier papers, and the officer's review, notes and answers. Each fix is kept here,
through the real engine, on the console and on Zalo where the rendering matters."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from bot.app import App
from handlers.types import Channel
from messages import t
from storage.models import Case, DossierDocument
from tests.dossier_support import click, jpeg, make_case, two_units
from tests.dossier_support import make_officer as dossier_officer
from tests.helpers import Clock, intents, press, say, send_file, texts
from tests.intake_support import register
from tests.officials_helpers import add_plan, make_officer

CHANNELS = [Channel.CONSOLE, Channel.ZALO]

async def _pages(app: App) -> dict[str, int]:
    async with app.db.session() as session:
        docs = (await session.scalars(select(DossierDocument))).all()
    counts: dict[str, int] = {}
    for doc in docs:
        counts[doc.item_key] = counts.get(doc.item_key, 0) + 1
    return counts


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_held_photo_survives_a_question_and_is_filed_by_typed_name(
    app: App, channel: Channel
) -> None:
    """A photo sent at the checklist is held; a question asked meanwhile used to reopen the
    checklist and drop it, and "chung chi" typed as the answer went to the FAQ."""
    unit, _ = await two_units(app)
    case_id = await make_case(app, "me", unit_id=unit, channel=channel)
    await click(app, "me", f"dossier:case:{case_id}", channel=channel)
    lines = await send_file(app, "me", jpeg(1), channel=channel)
    assert intents(lines)[-1] == "flow:dossier.held"
    lines = await say(app, "me", "di nhat het bao nhieu tien", channel=channel)
    assert intents(lines)[0].startswith("faq:")
    assert intents(lines)[-1] == "flow:dossier.held"  # asked again which item it is
    lines = await say(app, "me", "abc xyz", channel=channel)  # a stray word keeps it too
    assert intents(lines)[-1] == "flow:dossier.held"
    lines = await say(app, "me", "chung chi", channel=channel)
    assert "Đã lưu 1 ảnh" in texts(lines), texts(lines)
    assert await _pages(app) == {"training_cert": 1}


@pytest.mark.parametrize("channel", CHANNELS)
async def test_items_are_chosen_by_name_and_xong_is_not_a_question(
    app: App, channel: Channel
) -> None:
    unit, _ = await two_units(app)
    case_id = await make_case(app, "me", unit_id=unit, channel=channel)
    await click(app, "me", f"dossier:case:{case_id}", channel=channel)
    lines = await say(app, "me", "hoa don", channel=channel)
    assert intents(lines) == ["flow:dossier.item"] and "Hóa đơn, biên lai" in texts(lines)
    await send_file(app, "me", jpeg(2), channel=channel)
    # Naming another item from inside one finishes it (its page kept) and opens the other.
    lines = await say(app, "me", "visa", channel=channel)
    assert "Đã lưu «Hóa đơn, biên lai»: 1 trang" in texts(lines)
    assert intents(lines)[-1] == "flow:dossier.item" and "Hộ chiếu" in texts(lines)
    await say(app, "me", "xong", channel=channel)
    # At the checklist "xong" once went to the FAQ ("after the course…").
    lines = await say(app, "me", "xong", channel=channel)
    assert intents(lines) == ["flow:dossier.checklist"], intents(lines)
    assert await _pages(app) == {"receipts": 1}


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_photo_sent_with_no_dossier_open_is_kept_for_the_case(
    app: App, channel: Channel
) -> None:
    """Right after registering, a photo was answered "chưa mở hồ sơ nào" and thrown away."""
    lines = await send_file(app, "nobody", jpeg(5), channel=channel)
    assert texts(lines).startswith(t("dossier.file_no_case"))  # no case: where papers go
    unit, _ = await two_units(app)
    await make_case(app, "me", unit_id=unit, channel=channel)
    lines = await send_file(app, "me", jpeg(6), channel=channel)
    assert intents(lines) == ["flow:dossier.held"] and "HY-2026-00001" in texts(lines)
    await send_file(app, "me", jpeg(7), channel=channel)  # the burst's second page: no reply
    lines = await say(app, "me", "don de nghi", channel=channel)
    assert "Đã lưu 2 ảnh vào «Đơn đề nghị hỗ trợ»" in texts(lines)
    assert await _pages(app) == {"request_form": 2}


async def test_help_while_reviewing_keeps_the_item_under_review(app: App) -> None:
    """«giúp» on an item restarted the review at the waiting list; the item's buttons were
    gone and «Lý do khác» typed after it was read as an out-of-remit question."""
    unit, _ = await two_units(app)
    case_id = await make_case(app, "fam", unit_id=unit)
    await dossier_officer(app, "cb", role="commune", unit_id=unit)
    await click(app, "fam", f"dossier:case:{case_id}")
    for n, key in enumerate(("request_form", "contract", "passport_visa", "training_cert",
                             "receipts"), start=1):
        await click(app, "fam", f"dossier:item:{key}")
        await send_file(app, "fam", jpeg(n))
        await send_file(app, "fam", jpeg(n + 10))
        await click(app, "fam", "dossier:done")
    lines = await click(app, "cb", f"review:open:{case_id}")
    assert intents(lines)[-1] == "flow:review.item"
    lines = await say(app, "cb", "giúp")
    assert intents(lines) == ["flow:review.help", "flow:review.item"]
    assert "Duyệt" in lines[0]["text"] and not lines[-1].get("attachments")  # no re-send
    lines = await press(app, "cb", "Lý do khác")
    assert intents(lines) == ["flow:review.reason"]
    lines = await say(app, "cb", "giúp")
    assert intents(lines) == ["flow:review.help", "flow:review.reason"]
    lines = await say(app, "cb", "trang 2 bị mờ, chụp lại giúp")
    assert "flow:review.rejected" in intents(lines)
    assert any(line["to"] == "fam" and "trang 2 bị mờ" in line["text"] for line in lines)


async def test_help_while_writing_a_note_to_the_person_asks_for_the_note_again(
    app: App, clock: Clock
) -> None:
    await make_officer(app, clock, "cb", "commune", "Phù Lưu")
    ref = await register(app, "u1")
    await say(app, "cb", "/dangky")
    await press(app, "cb", f"Mở {ref}")
    lines = await press(app, "cb", "Cần bổ sung")
    assert intents(lines) == ["flow:cases.note"]
    lines = await say(app, "cb", "giúp")
    # It showed the case list while the next text was still taken as the note.
    assert intents(lines) == ["flow:cases.help", "flow:cases.note"]
    lines = await say(app, "cb", "Cần bổ sung giấy xác nhận hộ nghèo")
    assert intents([x for x in lines if x["to"] == "cb"]) == ["flow:cases.changed"]


async def test_help_during_nopds_keeps_the_programme_chosen(app: App, clock: Clock) -> None:
    await add_plan(app, "Phù Lưu", "ntp_2026", 2026, 47, date(2026, 7, 1))
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    await say(app, "pl", "/nopds")
    await press(app, "pl", "MTQG 2026–2035")
    lines = await say(app, "pl", "giúp")
    # It started /nopds over at the programme question.
    assert intents(lines) == ["flow:officials.help", "flow:officials.submit.count"]
    assert "số học viên" in lines[0]["text"]
    assert intents(await say(app, "pl", "20")) == ["flow:officials.submit.file"]


async def test_help_while_answering_a_person_asks_for_the_answer_again(
    app: App, clock: Clock
) -> None:
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    await register(app, "u1")
    await say(app, "u1", "gặp cán bộ")
    lines = await say(app, "u1", "Bao giờ cán bộ gọi cho tôi?")
    [thread_id] = {x["meta"]["thread_id"] for x in lines if x["to"] == "pl"}
    await click(app, "pl", f"thread:answer:{thread_id}")
    lines = await say(app, "pl", "giúp")
    # It answered about display names (/tenhienthi, the flow's start).
    assert intents(lines) == ["flow:thread.help", "flow:thread.answer"]
    lines = await say(app, "pl", "Chiều mai cán bộ gọi anh/chị nhé.")
    assert any(x["to"] == "u1" and "Chiều mai" in x["text"] for x in lines)


async def test_a_held_photos_item_numbers_are_the_checklists(app: App) -> None:
    """Seen in the user trial on Zalo: the "which item is this photo?" list put missing items
    first, so its numbers were not the checklist's; "6" typed for the invoice, as numbered on
    the checklist, filed the photo under another item."""
    channel = Channel.ZALO
    unit, _ = await two_units(app)
    case_id = await make_case(app, "me", unit_id=unit, channel=channel)
    await click(app, "me", f"dossier:case:{case_id}", channel=channel)
    await say(app, "me", "don de nghi", channel=channel)
    await send_file(app, "me", jpeg(1), channel=channel)  # one item sent: no longer missing
    checklist = texts(await press(app, "me", t("dossier.button.checklist"), channel=channel))
    number = next(line.split(".")[0] for line in checklist.splitlines()
                  if "Hóa đơn" in line and line.split(".")[0].isdigit())
    lines = await send_file(app, "me", jpeg(2), channel=channel)
    assert intents(lines)[-1] == "flow:dossier.held"
    assert f"{number}. Hóa đơn" in texts(lines), texts(lines)
    lines = await say(app, "me", number, channel=channel)
    assert "«Hóa đơn" in texts(lines), texts(lines)
    assert await _pages(app) == {"request_form": 1, "receipts": 1}


@pytest.mark.parametrize("key", ["dossier.family_rejected", "dossier.reminder", "dossier.stopped"])
async def test_the_words_a_dossier_message_says_to_type_open_the_dossier(
    app: App, key: str
) -> None:
    """Seen in the user trial: the rejection said «gõ "hồ sơ"», and "hồ sơ" alone is the
    question about the papers (a 526-character answer before the checklist)."""
    unit, _ = await two_units(app)
    await make_case(app, "me", unit_id=unit)
    raw_text = t(key, ref="HY-2026-00001", title="x", reason="y", count=1, lines="")
    typed = raw_text.split("gõ «", 1)[1].split("»", 1)[0] if "gõ «" in raw_text else \
        raw_text.split("Gõ «", 1)[1].split("»", 1)[0]
    lines = await say(app, "me", typed)
    assert intents(lines)[0].startswith("flow:dossier"), (typed, intents(lines))


async def test_an_approved_abroad_dossiers_next_step_is_to_hand_it_in(app: App) -> None:
    """Seen in the user trial: the status said "chờ cán bộ hẹn ngày làm thủ tục" while the
    dossier message said to hand it in at the service centre."""
    unit, _ = await two_units(app)
    case_id = await make_case(app, "me", unit_id=unit)
    async with app.db.transaction() as session:
        await session.execute(update(Case).where(Case.id == case_id).values(status="eligible"))
    lines = await say(app, "me", "hồ sơ của tôi")
    assert "Bước tiếp theo: nộp 1 bộ hồ sơ tại" in texts(lines), texts(lines)
    assert "chờ cán bộ hẹn ngày" not in texts(lines)
