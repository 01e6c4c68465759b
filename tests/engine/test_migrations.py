"""The migrations build exactly the schema the models describe, on every backend."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from bot.app import App
from storage.db import alembic_config
from storage.models import Base


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_models_and_migrations_agree(app: App) -> None:
    async with app.db.engine.connect() as conn:
        diff = await conn.run_sync(_diff)
    assert diff == []


async def test_upgrade_is_idempotent(app: App) -> None:
    await app.db.upgrade()
    assert not await app.db.is_empty()


async def test_a_database_at_the_head_is_not_migrated_again(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every start (and every test) opens a database already at the head: Alembic reading its
    # environment and every migration file again was most of a start's time.
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("Alembic ran on a database already at the head")

    monkeypatch.setattr(command, "upgrade", refuse)
    await app.db.upgrade()
    assert not await app.db.is_empty()


def _downgrade_one(connection: Connection) -> None:
    command.downgrade(alembic_config(connection), "-1")


def _heads(connection: Connection) -> tuple[str, ...]:
    return MigrationContext.configure(connection).get_current_heads()


async def test_a_database_behind_the_head_is_still_brought_up_to_it(app: App) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_heads()
    async with app.db.engine.begin() as conn:
        await conn.run_sync(_downgrade_one)
    async with app.db.engine.connect() as conn:
        assert await conn.run_sync(_heads) != tuple(head)
    await app.db.upgrade()
    async with app.db.engine.connect() as conn:
        assert await conn.run_sync(_heads) == tuple(head)
        assert await conn.run_sync(_diff) == []
