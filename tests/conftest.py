"""Fixtures: a fresh database per test on SQLite, and on PostgreSQL when TEST_POSTGRES_URL is set.

``app`` runs every test that uses it on both backends; ``sqlite_app`` on SQLite only (for tests
whose subject is not the database).

Every test's database is a copy of one migrated and seeded template made at the start of the
run (a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL): the state is exactly
what a fresh start produces, and migrating anew for every test was most of the suite's time.
``build_app`` still runs the (idempotent) migrations and seeding on the copy, as at any start.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import App, build_app, prepare_database
from bot.settings import Settings, load_settings
from storage.db import Database
from tests.helpers import Clock

BASE_POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")
#: Each pytest process gets its own databases, so runs side by side never share tables.
POSTGRES_URL = (
    str(make_url(BASE_POSTGRES_URL).set(database=f"bot_test_{os.getpid()}"))
    if BASE_POSTGRES_URL
    else ""
)
POSTGRES_TEMPLATE = f"bot_test_{os.getpid()}_template"


async def _admin(*statements: str) -> None:
    engine = create_async_engine(BASE_POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for sql in statements:
                await conn.execute(text(sql))
    finally:
        await engine.dispose()


async def _migrate(url: str) -> None:
    db = Database(url)
    try:
        await prepare_database(db)
    finally:
        await db.dispose()


def _run(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run to completion on a loop of its own, even when called from inside a running loop
    (the templates are made on first use, which may be an async fixture's)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="session", autouse=True)
def _postgres_databases() -> Iterator[None]:
    if not BASE_POSTGRES_URL:
        yield
        return
    name = make_url(POSTGRES_URL).database
    drop = [f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)' for db in (name, POSTGRES_TEMPLATE)]
    asyncio.run(_admin(*drop))
    yield
    asyncio.run(_admin(*drop))


@pytest.fixture(scope="session")
def _postgres_template() -> str:
    """The migrated, seeded PostgreSQL template database (made on first use)."""
    _run(_admin(f'CREATE DATABASE "{POSTGRES_TEMPLATE}"'))
    _run(_migrate(str(make_url(POSTGRES_URL).set(database=POSTGRES_TEMPLATE))))
    return POSTGRES_TEMPLATE


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The migrated, seeded SQLite template file (made on first use)."""
    path = tmp_path_factory.mktemp("template") / "bot.db"
    _run(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


def _copy_sqlite(template: Path, tmp_path: Path) -> None:
    # Closing the template's last connection checkpointed its WAL: the one file is the database.
    shutil.copyfile(template, tmp_path / "bot.db")


@pytest.fixture(scope="session", autouse=True)
def _classifier_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One CACHE_DIR for the run: the FAQ classifier is fitted once, and the subprocess tests
    (which inherit the environment) load it instead of fitting it again."""
    patch = pytest.MonkeyPatch()
    base = tmp_path_factory.getbasetemp()
    # Under pytest-xdist each worker has its own base under one shared parent: the workers share
    # the cache too (written by rename, so a reader never sees half a file).
    shared = base.parent if base.name.startswith("popen-gw") else base
    cache = shared / "classifier-cache"
    cache.mkdir(exist_ok=True)
    patch.setenv("CACHE_DIR", str(cache))
    yield
    patch.undo()


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
async def settings(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Settings:
    if backend == "postgres":
        template = request.getfixturevalue("_postgres_template")
        name = make_url(POSTGRES_URL).database
        await _admin(
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
            f'CREATE DATABASE "{name}" TEMPLATE "{template}"',
        )
    else:
        _copy_sqlite(request.getfixturevalue("_sqlite_template"), tmp_path)
    return make_settings(tmp_path, backend)


@pytest.fixture
async def app(settings: Settings, clock: Clock) -> AsyncIterator[App]:
    async with build_app(settings, clock=clock.now) as built:
        yield built


@pytest.fixture
async def sqlite_app(tmp_path: Path, clock: Clock, _sqlite_template: Path) -> AsyncIterator[App]:
    _copy_sqlite(_sqlite_template, tmp_path)
    async with build_app(make_settings(tmp_path), clock=clock.now) as built:
        yield built
