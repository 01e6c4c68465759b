"""The database: one async engine, sessions, and Alembic migrations applied in-process."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, exc, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import sqlite_driver

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

#: Set in ``session.info`` by a transaction that erased personal data: on SQLite the WAL is then
#: checkpointed and truncated after the commit, so the old page images leave the -wal file too.
CHECKPOINT_AFTER_COMMIT = "checkpoint_after_commit"

# aiosqlite logs every call with its SQL parameters (names, phone numbers) at DEBUG, and
# SQLAlchemy its result rows (hide_parameters, below, covers statements only): whatever LOG_LEVEL
# says, those records are dropped. A filter, not a level: a level would also switch INFO on.


def _info_and_above(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.INFO


for _name in ("aiosqlite", "sqlalchemy.engine.Engine"):
    logging.getLogger(_name).addFilter(_info_and_above)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the single writer; NORMAL sync is safe with WAL and much
    # faster; foreign keys are off by default in SQLite. The driver's own transaction handling
    # is switched off so that _sqlite_begin decides how a transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    # Deleted rows are overwritten with zeros, not left in free space (a privacy erasure must
    # not be recoverable from the file).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


#: The execution option of ``Database.reader()`` sessions: their transactions only read.
_READ_ONLY = "hamyen_read_only"


def _sqlite_begin(conn: Connection) -> None:
    # IMMEDIATE takes the write lock up front. A deferred transaction that reads, then writes,
    # fails at once with SQLITE_BUSY when another connection wrote in between (busy_timeout
    # does not help there); waiting for the lock at BEGIN is what serialises writers safely.
    # A reader's transaction never writes: a deferred BEGIN, which in WAL mode reads a snapshot
    # without the lock (IMMEDIATE made every read wait for the writer, then hold it up).
    # The BEGIN is sent with the transaction's first statement (storage/sqlite_driver.py): a
    # trip of its own to the driver's thread was a third of a one-statement read's.
    begin = "BEGIN" if conn.get_execution_options().get(_READ_ONLY) else "BEGIN IMMEDIATE"
    driver = conn.connection.driver_connection
    if isinstance(driver, sqlite_driver.OneTripConnection):
        driver.begin_with_next(begin)
    else:
        conn.exec_driver_sql(begin)


def _sqlite_reset(dbapi_connection: Any, _record: Any, state: Any) -> None:
    # The pool's own reset rolled back every connection handed back, one more trip to the
    # driver's thread per session (a quarter of a read's trips), though a session ends its
    # transaction itself (COMMIT or ROLLBACK): only one still in a transaction is rolled back.
    if state.terminate_only:
        return
    driver = getattr(dbapi_connection, "_connection", None)
    if isinstance(driver, sqlite_driver.OneTripConnection):
        driver.take_begin()  # a BEGIN not sent yet is forgotten
    if driver is None or driver.in_transaction:
        dbapi_connection.rollback()


#: PostgreSQL: a pooled connection is pinged before use only when it has lain idle this long (s).
#: asyncpg's ping is three trips (BEGIN, an empty query, ROLLBACK) and SQLAlchemy's
#: ``pool_pre_ping`` made them at every checkout: a reply's turn, its row's read and its claim,
#: each of them queued behind whatever else the event loop does during a broadcast. A
#: connection handed back this recently worked a moment ago; one idle longer (a server restart
#: lies in such a pause) is pinged and, if dead, the pool is renewed before anyone uses it.
#: HikariCP makes the same choice with the same default (``aliveBypassWindowMs``).
PING_AFTER_IDLE = 0.5
_IDLE_SINCE = "hamyen_idle_since"


def _ping_when_idle(engine: AsyncEngine, after: float, clock: Callable[[], float]) -> None:
    """Pool listeners: note when a connection is handed back; ping it at checkout if it has
    lain idle ``after`` seconds or more (by ``clock``). A new connection is not pinged."""

    def checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = clock()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get(_IDLE_SINCE)  # none: new since (a renewal clears it)
        if idle_since is None or clock() - idle_since < after:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # What SQLAlchemy's own pre-ping does on failure: every connection handed out
            # before now is renewed, and this checkout is tried on a new one.
            raise exc.InvalidatePoolError() from error

    event.listen(engine.sync_engine, "checkin", checkin)
    event.listen(engine.sync_engine, "checkout", checkout)


def conflict_insert(session: AsyncSession, table: Any) -> postgresql.Insert | sqlite.Insert:
    """``INSERT INTO table`` in the session's database's own dialect, for its ``ON CONFLICT``
    clause (PostgreSQL's and SQLite's are alike, the core ``insert`` has none)."""
    is_sqlite = session.get_bind().dialect.name == "sqlite"
    return sqlite.insert(table) if is_sqlite else postgresql.insert(table)


class Database:
    """Owns the engine; ``session()`` gives a new AsyncSession (use ``async with s.begin()``)."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        ping_after_idle: float = PING_AFTER_IDLE,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        # hide_parameters: SQL logging (echo, or a DEBUG/INFO level on sqlalchemy.engine) and
        # error messages never show the values, which may be personal data.
        kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if self.is_sqlite:
            database = parsed.database or ""
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"async_creator_fn": sqlite_driver.connect}
            kwargs["pool_reset_on_return"] = None  # _sqlite_reset instead
        else:
            kwargs.update(pool_size=10, max_overflow=10)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if not self.is_sqlite:
            _ping_when_idle(self.engine, ping_after_idle, monotonic)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
            event.listen(self.engine.sync_engine, "reset", _sqlite_reset)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # PostgreSQL: a reader's statements run outside a transaction. Under READ COMMITTED
        # each statement sees its own snapshot anyway; the BEGIN and ROLLBACK around them were
        # two of a one-statement read's three trips to the server, on the event loop.
        reading: dict[str, Any] = {_READ_ONLY: True}
        if not self.is_sqlite:
            reading["isolation_level"] = "AUTOCOMMIT"
        self._readers = async_sessionmaker(
            self.engine.execution_options(**reading), expire_on_commit=False
        )
        self._write_lock: asyncio.Lock | contextlib.nullcontext[None] = (
            asyncio.Lock() if self.is_sqlite else contextlib.nullcontext()
        )

    def session(self) -> AsyncSession:
        return self.sessions()

    def reader(self) -> AsyncSession:
        """A session that only reads. On SQLite it neither waits for this process's writer nor
        holds the write lock meanwhile (``session()``'s transactions take it, as writers must);
        it sees the database as of its first statement. On PostgreSQL it opens no transaction:
        each statement sees the database as of its own start."""
        return self._readers()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction, committed on success, rolled back on error.

        On SQLite, writers of this process queue on an asyncio lock: waiting there wakes the
        next writer the moment the lock is free, where SQLite's busy handler sleeps and polls.
        """
        async with self._write_lock, self.sessions() as session:
            async with session.begin():
                yield session
            if self.is_sqlite and session.info.pop(CHECKPOINT_AFTER_COMMIT, False):
                await self.checkpoint()

    async def checkpoint(self) -> None:
        """SQLite: copy the WAL into the database file and truncate it (no-op elsewhere)."""
        if self.is_sqlite:
            # On the driver connection, outside any transaction: a checkpoint cannot run inside
            # one, and SQLAlchemy would begin one (BEGIN IMMEDIATE) before any statement.
            async with self.engine.connect() as conn:
                driver = (await conn.get_raw_connection()).driver_connection
                if driver is not None:
                    cursor = await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    await cursor.close()

    async def upgrade(self, revision: str = "head") -> None:
        """Apply the Alembic migrations up to ``revision`` (idempotent).

        On SQLite they run with foreign keys off, as SQLite's procedure for changing a table
        asks (https://sqlite.org/lang_altertable.html): a table rebuilt in Alembic's batch mode
        is dropped and its copy renamed, and with foreign keys on, that DROP deletes every row
        that references it with ON DELETE CASCADE (a thread's messages, a notice's outbox rows).
        The keys are checked before the commit. The pragma cannot change inside a transaction:
        it is set on the driver's connection before the BEGIN and set back after the end."""
        async with self.engine.connect() as conn:
            at_head = revision == "head" and await conn.run_sync(_at_head)
            await conn.rollback()  # the look ends before the pragma (no effect in a transaction)
        if at_head:
            return
        if not self.is_sqlite:
            async with self.engine.begin() as conn:
                await conn.run_sync(_run_upgrade, revision)
            return
        async with self.engine.connect() as conn:
            driver = (await conn.get_raw_connection()).driver_connection
            assert driver is not None
            await (await driver.execute("PRAGMA foreign_keys=OFF")).close()
            try:
                async with conn.begin():
                    await conn.run_sync(_run_upgrade, revision)
            finally:
                await (await driver.execute("PRAGMA foreign_keys=ON")).close()

    async def is_empty(self) -> bool:
        async with self.engine.connect() as conn:
            names = await conn.run_sync(lambda c: inspect(c).get_table_names())
        return "alembic_version" not in names

    async def dispose(self) -> None:
        await self.engine.dispose()


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def _script_heads() -> frozenset[str]:
    """The head revisions of the migration scripts (read once: the files do not change while
    the process runs)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def _at_head(connection: Connection) -> bool:
    """Is the database at the scripts' head? Then it is left alone without Alembic reading its
    environment and every migration file again, nor SQLite's foreign keys turned off and on:
    that was most of a start's time once the database was ready (about 16 ms on SQLite, 26 ms
    on PostgreSQL, at every start and in every test)."""
    current = MigrationContext.configure(connection).get_current_heads()
    return frozenset(current) == _script_heads()


def _run_upgrade(connection: Connection, revision: str) -> None:
    command.upgrade(alembic_config(connection), revision)
    if connection.dialect.name == "sqlite":
        # Run with foreign keys off (Database.upgrade): none may point nowhere now.
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise RuntimeError(f"foreign keys pointing nowhere after the migrations: {broken[:5]}")
