"""The turn's own rows written with prebuilt Core statements instead of the ORM's unit of work.

Every turn inserts its outbox rows and updates its conversation state (and a person's first
turn inserts the contact). Through the unit of work each of those costs two to three times the
CPU of the statement itself (change tracking, dependency sorting, a statement built per flush),
and on SQLite that CPU is spent while the single write lock is held. Here the statement is
built once per table and the object handed back is an ordinary persistent ORM object in the
session, as if it had been flushed: later queries of the same transaction find it, and the
caller reads its columns (defaults filled in, primary key set) without a database trip.

Only for rows written once per turn whose every column the caller sets or leaves to a plain
default (no server-side default the object would need to read back).
"""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from sqlalchemy import Insert, Table, Update, bindparam, insert, inspect, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from storage.models import Base, ConversationState


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


def column_values(row: Base) -> dict[str, Any]:
    """Every column of ``row`` but a generated key: what was set, else the column's default
    (as the ORM would fill it at flush), set on the object too."""
    table = _table(type(row))
    values: dict[str, Any] = {}
    for column in table.columns:
        key = column.key
        if key in row.__dict__:
            value = row.__dict__[key]
        elif column.primary_key and column.autoincrement in (True, "auto"):
            continue
        else:
            default = column.default
            if default is None:
                value = None
            elif default.is_scalar:
                value = default.arg  # type: ignore[attr-defined]
            elif default.is_callable:
                value = default.arg(None)  # type: ignore[attr-defined]
            else:
                raise ValueError(f"{table.name}.{key}: a default the ORM alone can compute")
            setattr(row, key, value)
        values[key] = value
    return values


@cache
def _insert(table: Table, keys: tuple[str, ...]) -> Insert:
    generated = [c for c in table.primary_key.columns if c.key not in keys]
    statement = insert(table)
    return statement.returning(*generated) if generated else statement


async def insert_rows(session: AsyncSession, rows: list[Any]) -> None:
    """INSERT each of ``rows`` (new ORM objects of one mapped class, not added to a session);
    afterwards each is persistent in ``session`` with its generated key."""
    for row in rows:
        values = column_values(row)
        table = _table(type(row))
        result = await session.execute(_insert(table, tuple(values)), values)
        generated = [c for c in table.primary_key.columns if c.key not in values]
        if generated:
            for column, value in zip(generated, result.one(), strict=True):
                setattr(row, column.key, value)
        make_transient_to_detached(row)
        session.add(row)


_STATE = _table(ConversationState)
_NEW_STATE: Insert = insert(_STATE)
_SAVE_STATE: Update = (
    update(_STATE)
    .where(_STATE.c.contact_id == bindparam("key"))
    .values(
        flow=bindparam("flow"),
        step=bindparam("step"),
        data=bindparam("data"),
        last_buttons=bindparam("last_buttons"),
        updated_at=bindparam("updated_at"),
    )
)


async def save_state(session: AsyncSession, state: ConversationState) -> None:
    """Write the whole state with one prebuilt statement: an UPDATE, or the INSERT of a new
    state (a person's first turn: see repositories.load_contact_and_state). A loaded state
    leaves the session first, so the ORM neither writes its changes too (a statement
    autoflushes the session) nor keeps it: a later turn of the same transaction that looks at
    this person's state (an officer answering them) reads the row afresh."""
    if inspect(state).transient:
        await session.execute(_NEW_STATE, column_values(state))
        return
    values = {
        "key": state.contact_id,
        "flow": state.flow,
        "step": state.step,
        "data": state.data,
        "last_buttons": state.last_buttons,
        "updated_at": state.updated_at,
    }
    session.expunge(state)
    await session.execute(_SAVE_STATE, values)
