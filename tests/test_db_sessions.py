"""Sessions: what each costs on SQLite in trips to the driver's thread (each a wait on a busy
machine, in front of people's replies), that a connection handed back to the pool in the
middle of a transaction is still rolled back, and when PostgreSQL's pooled connections are
pinged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError

from bot.app import App
from storage.db import PING_AFTER_IDLE, Database
from storage.models import Contact, OutboxMessage


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The calls made on the SQLite driver's thread, by name."""
    calls: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    yield calls


async def test_a_session_costs_a_trip_per_statement_and_one_to_end(
    sqlite_app: App, trips: list[str]
) -> None:
    # A one-statement session used to cost four trips: BEGIN, the statement, its end, and the
    # pool's reset rolling back a connection whose transaction had just ended.
    async with sqlite_app.db.reader() as session:
        await session.execute(select(OutboxMessage.id).limit(1))
    async with sqlite_app.db.transaction() as session:
        await session.execute(update(OutboxMessage).where(OutboxMessage.id == 0).values(attempts=1))
    async with sqlite_app.db.transaction() as session:
        pass  # no statement: no trip
    assert trips == ["_run", "rollback", "_run", "commit"]


async def test_a_transaction_begun_with_its_first_statement_still_isolates(
    sqlite_app: App,
) -> None:
    db = sqlite_app.db
    async with db.reader() as reader:
        before = await reader.scalar(select(func.count(Contact.id)))
        async with db.transaction() as writer:  # a write committed beside the reader's snapshot
            await writer.execute(
                update(Contact).where(Contact.id == -1).values(display_name="x")
            )
            writer.add(Contact(channel="zalo", platform_user_id="new", display_name=""))
        assert await reader.scalar(select(func.count(Contact.id))) == before
    async with db.reader() as reader:
        assert await reader.scalar(select(func.count(Contact.id))) == before + 1


async def test_a_connection_handed_back_inside_a_transaction_is_rolled_back(
    sqlite_app: App,
) -> None:
    db = sqlite_app.db
    async with db.reader() as session:
        before = await session.scalar(select(func.count(Contact.id)))
    async with db.engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None
        # Behind SQLAlchemy's back: a transaction begun and left open.
        await driver.execute("BEGIN IMMEDIATE")
        await driver.execute(
            "INSERT INTO contacts (channel, platform_user_id, display_name, created_at, "
            "last_seen_at) VALUES ('zalo', 'x', '', '2026-01-01', '2026-01-01')"
        )
        assert driver.in_transaction
    # The pool rolled it back: the row is gone, and the next writer can begin.
    async with db.transaction() as session:
        assert await session.scalar(select(func.count(Contact.id))) == before


async def test_a_postgresql_reader_opens_no_transaction_and_writers_still_do(
    app: App, backend: str
) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite's readers read a snapshot in a deferred transaction (above)")
    db = app.db
    for _ in range(3):  # the pool hands the same connections to readers and writers in turn
        async with db.reader() as session:
            count = await session.scalar(select(func.count(Contact.id)))
            raw = await (await session.connection()).get_raw_connection()
            assert not raw.driver_connection.is_in_transaction()  # type: ignore[union-attr]
        with pytest.raises(RuntimeError):
            async with db.transaction() as session:
                session.add(Contact(channel="zalo", platform_user_id="gone", display_name=""))
                await session.flush()
                raw = await (await session.connection()).get_raw_connection()
                assert raw.driver_connection.is_in_transaction()  # type: ignore[union-attr]
                raise RuntimeError("rolled back")
        async with db.reader() as session:
            assert await session.scalar(select(func.count(Contact.id))) == count


async def test_a_postgresql_connection_is_pinged_only_after_lying_idle(
    app: App, backend: str
) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite has no server to lose")
    now = [0.0]
    db = Database(app.settings.database_url, monotonic=lambda: now[0])

    async def backend_pid() -> int:
        async with db.reader() as session:
            return int(await session.scalar(select(func.pg_backend_pid())) or 0)

    async def kill(pid: int) -> None:  # as a server restart would, waiting until it is gone
        async with app.db.reader() as session:
            assert await session.scalar(select(func.pg_terminate_backend(pid, 5000)))

    try:
        first = await backend_pid()
        # Used again right after its last use, the connection is not pinged: had the server
        # gone in that instant, that one use fails, as a statement then running would have...
        await kill(first)
        now[0] += PING_AFTER_IDLE / 2
        with pytest.raises(DBAPIError) as failed:
            await backend_pid()
        assert failed.value.connection_invalidated
        # ... and the pool is renewed by it.
        second = await backend_pid()
        assert second != first
        # A connection that lay idle is pinged first: a dead one is replaced unseen.
        await kill(second)
        now[0] += PING_AFTER_IDLE
        assert await backend_pid() not in (first, second)
    finally:
        await db.dispose()
