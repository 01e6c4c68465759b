"""The migrations build exactly the schema the models describe, on every backend."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from bot.app import App
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
