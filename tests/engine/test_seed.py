"""The shipped reference data at every start: one read when it is all there, and whatever was
removed put back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, event, func, select

from bot.app import App
from storage.models import Course
from storage.models.plan import HistoricalDeparture
from storage.seed import seed_defaults


async def test_a_start_on_a_seeded_database_reads_once_and_writes_nothing(app: App) -> None:
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(app.db.engine.sync_engine, "before_cursor_execute", seen)
    try:
        async with app.db.transaction() as session:
            await seed_defaults(session)
    finally:
        event.remove(app.db.engine.sync_engine, "before_cursor_execute", seen)
    assert len(statements) == 1 and statements[0].lstrip().upper().startswith("SELECT")


async def test_shipped_rows_removed_are_put_back_at_the_next_start(app: App) -> None:
    async with app.db.session() as session:
        courses = await session.scalar(select(func.count()).select_from(Course))
        departures = await session.scalar(select(func.count()).select_from(HistoricalDeparture))
        course = await session.scalar(select(Course.code).order_by(Course.code).limit(1))
        departure = await session.scalar(
            select(HistoricalDeparture.code).order_by(HistoricalDeparture.code).limit(1))
    async with app.db.transaction() as session:
        await session.execute(delete(Course).where(Course.code == course))
        await session.execute(
            delete(HistoricalDeparture).where(HistoricalDeparture.code == departure))
    async with app.db.transaction() as session:
        await seed_defaults(session)
    async with app.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Course)) == courses
        assert await session.scalar(
            select(func.count()).select_from(HistoricalDeparture)) == departures
        assert await session.scalar(select(Course.id).where(Course.code == course)) is not None
