"""Fixtures: a fresh database per test on SQLite, and on PostgreSQL when TEST_POSTGRES_URL is set.

``app`` runs every test that uses it on both backends; ``sqlite_app`` on SQLite only (for tests
whose subject is not the database).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import App, build_app
from bot.settings import Settings, load_settings
from tests.helpers import Clock

BASE_POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")
#: Each pytest process gets its own database, so runs side by side never share tables.
POSTGRES_URL = (
    str(make_url(BASE_POSTGRES_URL).set(database=f"bot_test_{os.getpid()}"))
    if BASE_POSTGRES_URL
    else ""
)


@pytest.fixture(scope="session", autouse=True)
def _postgres_database() -> Iterator[None]:
    if not BASE_POSTGRES_URL:
        yield
        return
    name = make_url(POSTGRES_URL).database

    async def admin(sql: str) -> None:
        engine = create_async_engine(BASE_POSTGRES_URL, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(sql))
        await engine.dispose()

    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}"'))
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    yield
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session", autouse=True)
def _classifier_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One CACHE_DIR for the run: the FAQ classifier is fitted once, and the subprocess tests
    (which inherit the environment) load it instead of fitting it again."""
    patch = pytest.MonkeyPatch()
    patch.setenv("CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    yield
    patch.undo()


async def _reset_postgres(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


def make_settings(tmp_path: Path, backend: str = "sqlite", **overrides: object) -> Settings:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}" if backend == "sqlite" else POSTGRES_URL
    values: dict[str, object] = {"database_url": url, "files_dir": tmp_path / "files"}
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and not POSTGRES_URL:
        pytest.skip("TEST_POSTGRES_URL is not set: PostgreSQL tests skipped (.ci/run sets it)")
    return str(request.param)


@pytest.fixture
async def settings(tmp_path: Path, backend: str) -> Settings:
    if backend == "postgres":
        await _reset_postgres(make_settings(tmp_path, backend).database_url)
    return make_settings(tmp_path, backend)


@pytest.fixture
async def app(settings: Settings, clock: Clock) -> AsyncIterator[App]:
    async with build_app(settings, clock=clock.now) as built:
        yield built


@pytest.fixture
async def sqlite_app(tmp_path: Path, clock: Clock) -> AsyncIterator[App]:
    async with build_app(make_settings(tmp_path), clock=clock.now) as built:
        yield built
