"""Behind-plan alerts: who gets what, once a day, never at night; the escalation; the digest;
``remind --dry-run`` output."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import App, build_app
from bot.cli import main
from handlers.config import VIETNAM
from scheduler.alerts import run_daily_alerts
from scheduler.digest import run_weekly_digest
from storage.db import Database
from storage.models import OutboxMessage
from storage.models.plan import AlertSent
from tests.conftest import make_settings
from tests.helpers import Clock
from tests.officials_helpers import add_plan, make_officer, pending_outbox


async def behind_plan(app: App, clock: Clock) -> None:
    """Phù Lưu: one programme 9 days late, one due in 5 days; Yên Phú (no commune officer)
    5 days late; Hùng Đức on track."""
    await add_plan(app, "Phù Lưu", "ntp_2026", 2026, 47, date(2026, 7, 1), submitted=(44,))
    await add_plan(app, "Phù Lưu", "giam_ngheo", 2026, 10, date(2026, 7, 15))
    await add_plan(app, "Yên Phú", "ntp_2026", 2026, 20, date(2026, 7, 5))
    await add_plan(app, "Hùng Đức", "ntp_2026", 2026, 5, date(2026, 7, 5), submitted=(5,))
    await make_officer(app, clock, "pl1", "commune", "Phù Lưu")
    await make_officer(app, clock, "pl2", "commune", "Phù Lưu")
    await make_officer(app, clock, "of", "office")
    await make_officer(app, clock, "tr", "training")


async def test_one_message_per_officer_listing_the_units_programmes(app: App, clock: Clock) -> None:
    await behind_plan(app, clock)
    config = app.settings.handler_config()
    assert await run_daily_alerts(app.db, config, clock.now()) == 4
    by_chat: dict[str, list[str]] = {}
    for row in await pending_outbox(app):
        by_chat.setdefault(row.chat_id, []).append(row.payload["text"])
    assert sorted(by_chat) == ["of", "pl1", "pl2"]
    (pl1,) = by_chat["pl1"]
    assert "Phù Lưu" in pl1 and "44/47" in pl1 and "trễ 9 ngày" in pl1
    assert "0/10" in pl1 and "còn 5 ngày" in pl1 and "/nopds" in pl1
    # The office hears about Yên Phú (no commune officer) and gets the 7-day escalation.
    yen_phu, escalation = by_chat["of"]
    assert "Yên Phú" in yen_phu and "trễ 5 ngày" in yen_phu
    assert "Phù Lưu" in escalation and "Yên Phú" not in escalation
    assert "tr" not in by_chat


async def test_once_a_day_across_a_restart_and_again_next_day(app: App, clock: Clock) -> None:
    await behind_plan(app, clock)
    config = app.settings.handler_config()
    assert await run_daily_alerts(app.db, config, clock.now()) == 4
    # A restart: a new process, a new engine, the same database; then later the same day.
    restarted = Database(app.settings.database_url)
    try:
        assert await run_daily_alerts(restarted, config, clock.now()) == 0
        clock.advance(hours=8)
        assert await run_daily_alerts(restarted, config, clock.now()) == 0
        clock.advance(hours=16)  # the next day, 08:00
        assert await run_daily_alerts(restarted, config, clock.now()) == 4
    finally:
        await restarted.dispose()
    assert len(await pending_outbox(app)) == 8


@pytest.mark.parametrize("local_hour", [21, 23, 0, 6])
async def test_quiet_hours_send_nothing(app: App, clock: Clock, local_hour: int) -> None:
    await behind_plan(app, clock)
    clock.at = datetime(2026, 7, 10, local_hour, 30, tzinfo=VIETNAM).astimezone(UTC)
    assert await run_daily_alerts(app.db, app.settings.handler_config(), clock.now()) == 0
    async with app.db.session() as session:
        assert await session.scalar(select(func.count(AlertSent.id))) == 0


async def test_two_schedulers_at_once_send_one_set(app: App, clock: Clock) -> None:
    """Two processes firing the same job on the same database (PostgreSQL with
    TEST_POSTGRES_URL; SQLite too): one set of messages."""
    await behind_plan(app, clock)
    config = app.settings.handler_config()
    first, second = Database(app.settings.database_url), Database(app.settings.database_url)
    try:
        counts = await asyncio.gather(
            run_daily_alerts(first, config, clock.now()),
            run_daily_alerts(second, config, clock.now()),
        )
    finally:
        await first.dispose()
        await second.dispose()
    assert sorted(counts) == [0, 4]
    assert sorted(r.chat_id for r in await pending_outbox(app)) == ["of", "of", "pl1", "pl2"]


async def test_weekly_digest_with_chart(app: App, clock: Clock) -> None:
    await behind_plan(app, clock)
    config = app.settings.handler_config()
    assert await run_weekly_digest(app.db, app.files, config, clock.now()) == 2
    assert await run_weekly_digest(app.db, app.files, config, clock.now()) == 0
    rows = await pending_outbox(app)
    assert sorted(r.chat_id for r in rows) == ["of", "tr"]
    payload = rows[0].payload
    assert "Hùng Đức" in payload["text"] and "5/5 (100%)" in payload["text"]
    (attachment,) = payload["attachments"]
    assert attachment["kind"] == "photo"
    png = await app.files.get(attachment["sha256"])
    assert png.startswith(b"\x89PNG")


def test_remind_dry_run_prints_json_lines_and_changes_nothing(
    fresh_sqlite: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(fresh_sqlite)
    clock = Clock()

    async def setup() -> None:
        async with build_app(settings, clock=clock.now) as app:
            await behind_plan(app, clock)

    async def count_rows() -> tuple[int, int]:
        db = Database(settings.database_url)
        async with db.session() as session:
            out = await session.scalar(select(func.count(OutboxMessage.id)))
            sent = await session.scalar(select(func.count(AlertSent.id)))
        await db.dispose()
        return int(out or 0), int(sent or 0)

    asyncio.run(setup())
    before = asyncio.run(count_rows())
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("FILES_DIR", str(settings.files_dir))
    capsys.readouterr()
    assert main(["remind", "--dry-run", "--now", "2026-07-10T08:00:00+07:00"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert asyncio.run(count_rows()) == before
    assert [(a["unit"], a["program"], a["status"]) for a in lines] == [
        ("Phù Lưu", "giam_ngheo", "due_soon"),
        ("Phù Lưu", "ntp_2026", "overdue"),
        ("Yên Phú", "ntp_2026", "overdue"),
    ]
    overdue = lines[1]
    assert overdue["unit_code"] == "02392" and overdue["year"] == 2026
    assert (overdue["target"], overdue["submitted"], overdue["deadline"]) == (47, 44, "2026-07-01")
    assert [r["role"] for r in overdue["recipients"]] == ["commune", "commune"]
    assert [r["role"] for r in lines[2]["recipients"]] == ["office"]
