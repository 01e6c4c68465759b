"""Family reminders: after 3 quiet days, then weekly, at most 4, never at night, and they stop."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.app import App
from scheduler.dossier_reminders import run_dossier_reminders
from storage.models import Notice, OutboxMessage
from tests.dossier_support import click, jpeg, make_case
from tests.helpers import Clock, say, send_file, texts


async def _run(app: App, clock: Clock) -> int:
    async with app.db.session() as session, session.begin():
        return await run_dossier_reminders(session, clock.now())


async def _reminders(app: App) -> list[str]:
    async with app.db.session() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.status == "pending").order_by(
                OutboxMessage.id
            )
        )
        return [r.payload["text"] for r in rows if r.payload["meta"]["intent"].endswith("reminder")]


async def _started(app: App) -> None:
    # Not a poor household: the paper proving the group is one to send now.
    await make_case(app, "fam", household="khong")
    await say(app, "fam", "hồ sơ")
    await click(app, "fam", "dossier:item:request_form")
    await send_file(app, "fam", jpeg(1))
    await say(app, "fam", "xong")


async def test_schedule_quiet_hours_and_the_limit_of_four(app: App, clock: Clock) -> None:
    # 08:00 in Vietnam.
    clock.at = datetime(2026, 7, 10, 1, 0, tzinfo=UTC)
    await _started(app)
    clock.advance(days=2, hours=23)
    assert await _run(app, clock) == 0
    clock.advance(hours=1)  # 3 days without activity
    assert await _run(app, clock) == 1
    assert await _run(app, clock) == 0  # not twice
    first = (await _reminders(app))[0]
    assert "HY-2026-00001" in first
    assert "• Giấy tờ chứng minh đối tượng" in first
    # Papers that only exist later (contract, visa, a course's certificate, receipts) are not
    # asked for right after registering.
    for later in ("Hợp đồng đi làm việc", "Hộ chiếu", "Chứng chỉ", "Hóa đơn"):
        assert later not in first, first
    assert "Đơn đề nghị hỗ trợ" not in first  # already sent
    assert "dừng nhắc" in first

    clock.advance(days=6, hours=23)
    assert await _run(app, clock) == 0
    clock.advance(hours=1)  # a week after the first
    assert await _run(app, clock) == 1

    # The third is due at 08:00 a week later; at 22:00 and at 06:30 it waits; at 07:00 it goes.
    clock.advance(days=7, hours=14)
    assert await _run(app, clock) == 0
    clock.advance(hours=8, minutes=30)
    assert await _run(app, clock) == 0
    clock.advance(minutes=30)
    assert await _run(app, clock) == 1

    clock.advance(days=7)
    assert await _run(app, clock) == 1
    clock.advance(days=7)
    assert await _run(app, clock) == 0  # four in all
    clock.advance(days=30)
    assert await _run(app, clock) == 0
    assert len(await _reminders(app)) == 4


async def test_activity_postpones_and_stop_words_end_them(app: App, clock: Clock) -> None:
    await _started(app)
    clock.advance(days=2)
    await click(app, "fam", "dossier:item:contract")
    await send_file(app, "fam", jpeg(2))
    clock.advance(days=2)
    assert await _run(app, clock) == 0  # only 2 days since the last photo
    clock.advance(days=1)
    assert await _run(app, clock) == 1
    await say(app, "fam", "menu")
    lines = await say(app, "fam", "Dừng nhắc")
    assert "không nhắc hồ sơ nữa" in texts(lines)
    clock.advance(days=30)
    assert await _run(app, clock) == 0


async def test_complete_dossier_is_not_reminded_and_officers_are_told(
    app: App, clock: Clock
) -> None:
    await _started(app)
    for n, key in enumerate(["eligibility", "contract", "passport_visa", "training_cert",
                             "receipts"]):
        await click(app, "fam", f"dossier:item:{key}")
        await send_file(app, "fam", jpeg(10 + n))
    # The family never pressed "Xong" after the last paper: the job tells the officers.
    async with app.db.session() as session:
        assert await session.scalar(select(Notice)) is None
    clock.advance(days=10)
    assert await _run(app, clock) == 0
    async with app.db.session() as session:
        notice = await session.scalar(select(Notice))
    assert notice is not None and notice.kind == "dossier_ready"
    assert await _reminders(app) == []
