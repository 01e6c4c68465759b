"""What a person's erasure reaches beyond the rows that link to them: a name registered as typed
("Nguyen Thi Mai", no marks) is found however another text writes it ("NGUYỄN THỊ MAI"), in an
announcement (redacted) and in a message still waiting for someone else (dropped); another
person who shares part of the name keeps theirs. Files the bot made for an officer about them
(their dossier's PDF, the results of a survey round they answered) leave the file store at
once; the others' stay until the day they are kept for is over."""

from __future__ import annotations

import os
from datetime import timedelta

from sqlalchemy import select

from bot.app import App
from messages import t
from messages.text import fold_aligned
from storage.file_sweep import sweep_files
from storage.models import Broadcast, ExportFile, OutboxMessage
from storage.outreach_repo import create_broadcast
from tests.helpers import Clock, intents, press, say
from tests.intake_support import fill_form, register
from tests.officials_helpers import make_officer
from tests.outreach_support import unit_id
from tests.survey_support import answer_console, open_survey_round, step_of


async def test_a_name_typed_without_marks_is_found_with_them(app: App, clock: Clock) -> None:
    pl = await unit_id(app, "Phù Lưu")
    await fill_form(app, "mai", person={"name": "nguyen thi mai", "phone": "0977 111 222"})
    await press(app, "mai", t("intake.button.confirm"))
    waiting = {
        "quotes her": "Nhắc cán bộ: gọi lại cho chị NGUYỄN THỊ MAI về đơn hàng Nhật.",
        "another Mai": "Nhắc cán bộ: gọi lại cho chị Hoàng Thị Mai.",
    }
    async with app.db.transaction() as session:
        made = await create_broadcast(
            session, unit_ids=[pl], interest="training", now=clock.now(),
            send_at=clock.now().replace(year=clock.now().year + 1),
            text="Chúc mừng chị Nguyễn Thị Mai và chị Hoàng Thị Mai, thôn Nà Khoang.",
        )
        for text in waiting.values():
            session.add(OutboxMessage(channel="telegram", chat_id="officer", payload={
                "text": text}))
    await say(app, "mai", "xóa dữ liệu của tôi")
    await press(app, "mai", "Có, xóa hết")
    async with app.db.session() as session:
        found = await session.get(Broadcast, made.id)
        left = [p.get("text") for p in await session.scalars(
            select(OutboxMessage.payload).where(OutboxMessage.chat_id == "officer"))]
    assert found is not None
    assert found.text == "Chúc mừng chị *** và chị Hoàng Thị Mai, thôn Nà Khoang."
    assert left == [waiting["another Mai"]]


def test_folding_letter_by_letter_keeps_every_place() -> None:
    text = "Đặng  Thị Ánh\n(ĐT: 09) 🙂 ữ"
    folded = fold_aligned(text)
    assert folded == "dang  thi anh\n(dt: 09) 🙂 u"
    assert len(folded) == len(text)


async def _answer_survey(app: App, user: str) -> None:
    await say(app, user, "khao sat nhu cau hoc nghe")
    lines = await press(app, user, t("survey.button.consent"))
    while (step := step_of(intents(lines)[-1])) != "done":
        lines = await answer_console(app, user, step)


async def _made_file(app: App, officer: str, *buttons: str) -> str:
    """What the officer gets after pressing ``buttons``: the stored file's hash."""
    lines: list[dict[str, object]] = []
    for label in buttons:
        lines = await press(app, officer, label)
    [attachment] = lines[-1]["attachments"]  # type: ignore[misc]
    return str(attachment["sha256"])


async def test_files_made_for_officers_go_with_the_person(app: App, clock: Clock) -> None:
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    await open_survey_round(app, clock)
    mai = await register(app, "mai")
    binh = await register(app, "binh", name="Hoàng Văn Bình", phone="0987 000 111")
    await _answer_survey(app, "mai")
    pdf_mai = await _made_file(app, "pl", f"Mở {mai}", "Tải hồ sơ PDF")
    pdf_binh = await _made_file(app, "pl", f"Mở {binh}", "Tải hồ sơ PDF")
    await say(app, "pl", "/khaosat ketqua")
    async with app.db.session() as session:
        [survey] = await session.scalars(select(ExportFile.sha256).where(
            ExportFile.survey_round_id.is_not(None)))
    assert all(app.files.exists(sha) for sha in (pdf_mai, pdf_binh, survey))

    await say(app, "mai", "xóa dữ liệu của tôi")
    await press(app, "mai", "Có, xóa hết")
    assert not app.files.exists(pdf_mai) and not app.files.exists(survey)
    assert app.files.exists(pdf_binh)
    # Bình's is kept for the day its link lives, then the nightly sweep takes it (its time on
    # disk set back to the test's clock: an old file no row names would go at once).
    old = (clock.now() - timedelta(days=2)).timestamp()
    os.utime(app.files.path_for(pdf_binh), (old, old))
    assert await sweep_files(app.db, app.files, clock.now()) == 0
    assert app.files.exists(pdf_binh)
    assert await sweep_files(app.db, app.files, clock.now() + timedelta(days=2)) == 1
    assert not app.files.exists(pdf_binh)
