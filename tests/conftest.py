"""Fixtures: a fresh database per test on SQLite, and on PostgreSQL when TEST_POSTGRES_URL is set.

``app`` runs every test that uses it on both backends; ``sqlite_app`` on SQLite only (for tests
whose subject is not the database).

Every test starts from the state a fresh start produces, migrated and seeded once per run: on
SQLite a file copy of a template; on PostgreSQL the test process's own database, migrated and
seeded once, whose rows are put back before each test (every table emptied, the seeded rows
copied back from a snapshot schema, the id sequences where a fresh start leaves them). Migrating
anew for every test was most of the suite's time, and ``CREATE DATABASE … TEMPLATE`` still took
about 0.45 s a test on PostgreSQL. ``build_app`` still runs the (idempotent) migrations and
seeding, as at any start.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import App, build_app, prepare_database
from bot.channels.telegram import build_application
from bot.channels.telegram_transport import TelegramTransport
from bot.settings import Settings, load_settings
from handlers.types import Channel
from storage.db import Database
from tests.fake_telegram import FakeTelegram
from tests.helpers import Clock

BASE_POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")
#: Each pytest process gets its own databases, so runs side by side never share tables.
POSTGRES_URL = (
    str(make_url(BASE_POSTGRES_URL).set(database=f"bot_test_{os.getpid()}"))
    if BASE_POSTGRES_URL
    else ""
)
#: Where the seeded rows are kept, in the test process's database, to be copied back.
SNAPSHOT = "test_snapshot"


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
    drop = f'DROP DATABASE IF EXISTS "{make_url(POSTGRES_URL).database}" WITH (FORCE)'
    asyncio.run(_admin(drop))
    yield
    asyncio.run(_admin(drop))


async def _snapshot(url: str) -> str:
    """Migrate and seed the database at ``url``, copy its seeded rows into ``SNAPSHOT``, and
    return the SQL that puts that state back."""
    await _migrate(url)
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            tables = [row[0] for row in await conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version' ORDER BY tablename"))]
            await conn.execute(text(f"CREATE SCHEMA {SNAPSHOT}"))
            seeded = []
            for table in tables:
                await conn.execute(text(
                    f'CREATE TABLE {SNAPSHOT}."{table}" AS TABLE public."{table}"'))
                rows = await conn.execute(text(f'SELECT count(*) FROM {SNAPSHOT}."{table}"'))
                if rows.scalar_one():
                    seeded.append(table)
            sequences = [(row[0], row[1], row[2]) for row in await conn.execute(text(
                "SELECT c.relname, a.attname, pg_get_serial_sequence("
                "quote_ident(c.relname), a.attname) FROM pg_class c "
                "JOIN pg_attribute a ON a.attrelid = c.oid JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' "
                "AND a.attnum > 0 AND pg_get_serial_sequence(quote_ident(c.relname), "
                "a.attname) IS NOT NULL"))]
    finally:
        await engine.dispose()
    statements = [
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()",
        # The seeded rows refer to each other: foreign keys are not checked while the tables
        # are emptied and the rows copied back (they held when they were seeded). DELETE, not
        # TRUNCATE: a few rows each, and TRUNCATE makes every table and index new on disk.
        "SET session_replication_role = replica",
        *(f'DELETE FROM public."{t}"' for t in tables),
        *(f'INSERT INTO public."{t}" SELECT * FROM {SNAPSHOT}."{t}"' for t in seeded),
        "SET session_replication_role = DEFAULT",
        *(f"SELECT setval('{sequence}', max(\"{column}\")) FROM public.\"{table}\""
          if table in seeded else f"SELECT setval('{sequence}', 1, false)"
          for table, column, sequence in sequences),
    ]
    return ";\n".join(statements)


class _Resetter:
    """Puts the test process's database back to its fresh state on one connection kept for the
    run, on a loop of its own in a thread (each test has its own loop): connecting anew was a
    third of a reset's 22 ms."""

    def __init__(self, sql: str) -> None:
        self._sql = sql
        # asyncpg itself: it runs a parameterless string of several statements in one trip.
        self._dsn = make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(
            hide_password=False)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._conn: asyncpg.Connection | None = None

    def reset(self) -> None:
        asyncio.run_coroutine_threadsafe(self._reset(), self._loop).result()

    async def _reset(self) -> None:
        if self._conn is None or self._conn.is_closed():
            self._conn = await asyncpg.connect(self._dsn)
        await self._conn.execute(self._sql)

    def close(self) -> None:
        if self._conn is not None:
            asyncio.run_coroutine_threadsafe(self._conn.close(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


@pytest.fixture(scope="session")
def _postgres_reset() -> Iterator[_Resetter]:
    """What puts the test process's PostgreSQL database back to its fresh state (the database
    is made, migrated and seeded on first use)."""
    name = make_url(POSTGRES_URL).database
    _run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'))
    result: list[str] = []

    async def snapshot() -> None:
        result.append(await _snapshot(POSTGRES_URL))

    _run(snapshot())
    resetter = _Resetter(result[0])
    yield resetter
    resetter.close()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The migrated, seeded SQLite template file (made on first use)."""
    path = tmp_path_factory.mktemp("template") / "bot.db"
    _run(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


def _copy_sqlite(template: Path, tmp_path: Path) -> None:
    # Closing the template's last connection checkpointed its WAL: the one file is the database.
    shutil.copyfile(template, tmp_path / "bot.db")


@pytest.fixture
def fresh_sqlite(tmp_path: Path, _sqlite_template: Path) -> Path:
    """``tmp_path``, whose ``bot.db`` (``make_settings(tmp_path)``'s) is as a fresh start leaves
    it: for tests that start the bot themselves. Migrating an empty file instead took 0.5-1 s a
    test; a start on an empty database is the subject of tests/engine/test_simulate.py."""
    _copy_sqlite(_sqlite_template, tmp_path)
    return tmp_path


@pytest.fixture(scope="session", autouse=True)
def _classifier_cache(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """One CACHE_DIR for every run: the FAQ classifiers are fitted once per knowledge-base
    version (about 35 s), not at every run; the test workers share it (each fit under its own
    lock, see classifier_cache) and the subprocess tests inherit it through the environment.
    Its files are named by everything that decides them, so they are never stale. Without
    pytest's cache (``-p no:cacheprovider``), one directory for the run."""
    patch = pytest.MonkeyPatch()
    cache: Path
    runs = getattr(request.config, "cache", None)  # absent with -p no:cacheprovider
    if runs is not None:
        cache = runs.mkdir("classifier-cache")
    else:
        base = tmp_path_factory.getbasetemp()
        # Under pytest-xdist each worker has its own base under one shared parent.
        cache = (base.parent if base.name.startswith("popen-gw") else base) / "classifier-cache"
        cache.mkdir(exist_ok=True)
    patch.setenv("CACHE_DIR", str(cache))
    yield cache
    patch.undo()


@pytest.fixture
def classifier_cache(_classifier_cache: Path) -> Path:
    """The run's CACHE_DIR: a test that builds a matcher of the shipped knowledge base itself
    (other thresholds, the full check) loads the classifiers fitted there instead of fitting
    them again (seconds each)."""
    return _classifier_cache


def make_settings(tmp_path: Path, backend: str = "sqlite", **overrides: object) -> Settings:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}" if backend == "sqlite" else POSTGRES_URL
    values: dict[str, object] = {"database_url": url, "files_dir": tmp_path / "files"}
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A conversation test run on several channels runs on PostgreSQL on its first platform
    channel only (Zalo, Telegram), not again on the console: a turn's SQL is the same whatever
    the channel (the channel is one more column value), and only the rendering differs, which
    the SQLite runs cover on every channel. The PostgreSQL copies of the console runs (122)
    took about 10 s of the suite's time."""
    platform_runs = {
        _without_channel(item) for item in items if _params(item).get("channel") not in
        (None, Channel.CONSOLE, Channel.CONSOLE.value)
    }
    kept, dropped = [], []
    for item in items:
        params = _params(item)
        again = (
            params.get("backend") == "postgres"
            and params.get("channel") in (Channel.CONSOLE, Channel.CONSOLE.value)
            and _without_channel(item) in platform_runs
        )
        (dropped if again else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _params(item: pytest.Item) -> dict[str, object]:
    callspec = getattr(item, "callspec", None)
    return dict(callspec.params) if callspec is not None else {}


def _without_channel(item: pytest.Item) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The test and its parameters but the channel: the runs that differ by channel only."""
    params = _params(item)
    params.pop("channel", None)
    return item.nodeid.split("[")[0], tuple(sorted((k, repr(v)) for k, v in params.items()))


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and not POSTGRES_URL:
        pytest.skip("TEST_POSTGRES_URL is not set: PostgreSQL tests skipped (.ci/run sets it)")
    return str(request.param)


@pytest.fixture
async def settings(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Settings:
    if backend == "postgres":
        request.getfixturevalue("_postgres_reset").reset()
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


@pytest.fixture
def terminal(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``python -m bot`` in this test runs on the test's database (as another process would)."""
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("FILES_DIR", str(tmp_path / "files"))


@pytest.fixture
async def transport(fake: FakeTelegram, app: App) -> AsyncIterator[TelegramTransport]:
    """The sender's transport to the module's ``fake`` Bot API server, with the production
    read timeout: a send that is merely slow on a busy machine must not be taken for a lost
    one (retried, it would arrive twice)."""
    application = build_application(fake.token, fake.url)
    await application.initialize()
    yield TelegramTransport(application.bot, app.files)
    await application.shutdown()
