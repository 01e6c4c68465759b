"""aiosqlite with one trip to its thread per statement instead of four.

aiosqlite runs every sqlite3 call in its own thread and hands each result back through the event
loop. SQLAlchemy's adapter makes four such calls per statement (open a cursor, execute, fetch,
close), and on a busy machine each trip costs a thread wake-up and a GIL hand-over: measured,
that waiting was most of a turn's time. This connection opens the cursor, executes, fetches
every row and closes in ONE call on aiosqlite's thread; the results are then read from memory.
A transaction's BEGIN (``begin_with_next``) rides in the trip of its first statement, and a
transaction that ran no statement ends without a trip. Everything else (the thread, commit,
rollback, close) is aiosqlite's own.

Given to SQLAlchemy through ``connect_args={"async_creator_fn": connect}`` (storage/db.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import aiosqlite

_Description = tuple[tuple[Any, ...], ...] | None
_Result = tuple[_Description, int, int | None, list[Any]]


class OneTripCursor:
    """The part of aiosqlite's Cursor that SQLAlchemy uses, with results kept in memory."""

    arraysize = 1

    def __init__(self, conn: OneTripConnection) -> None:
        self._conn = conn
        self._rows: list[Any] = []
        self.description: _Description = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        return None

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> OneTripCursor:
        await self._trip(sql, () if parameters is None else parameters, False)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> OneTripCursor:
        await self._trip(sql, parameters, True)
        return self

    async def _trip(self, sql: str, params: Any, many: bool) -> None:
        conn = self._conn
        begin = conn.take_begin()
        result: _Result = await conn._execute(_run, conn._conn, sql, params, many, begin)  # type: ignore[no-untyped-call]
        self.description, self.rowcount, self.lastrowid, self._rows = result

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        count = self.arraysize if size is None else size
        taken, self._rows = self._rows[:count], self._rows[count:]
        return taken

    async def fetchall(self) -> Sequence[Any]:
        taken, self._rows = self._rows, []
        return taken

    async def close(self) -> None:
        self._rows = []


def _run(
    conn: sqlite3.Connection, sql: str, params: Any, many: bool, begin: str | None = None
) -> _Result:
    """On aiosqlite's thread: the transaction's BEGIN if it is the first statement, then the
    whole statement, results included."""
    if begin is not None:
        conn.execute(begin)
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneTripConnection(aiosqlite.Connection):
    #: The BEGIN of a transaction that has run no statement yet.
    _begin: str | None = None

    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)

    def begin_with_next(self, sql: str) -> None:
        """Begin a transaction with ``sql`` ("BEGIN", "BEGIN IMMEDIATE") in the trip of its
        first statement, not in a trip of its own."""
        self._begin = sql

    def take_begin(self) -> str | None:
        begin, self._begin = self._begin, None
        return begin

    async def commit(self) -> None:
        if self.take_begin() is None:  # else no statement ran: there is nothing to end
            await super().commit()

    async def rollback(self) -> None:
        if self.take_begin() is None:
            await super().rollback()


def connect(database: str | Path, **kwargs: Any) -> OneTripConnection:
    """Like ``aiosqlite.connect``; the connection's thread is a daemon (as SQLAlchemy makes
    aiosqlite's), so a process never hangs on exit because of it."""

    def connector() -> sqlite3.Connection:
        connection: sqlite3.Connection = sqlite3.connect(str(database), **kwargs)
        return connection

    connection = OneTripConnection(connector, 64)
    connection._thread.daemon = True
    return connection
