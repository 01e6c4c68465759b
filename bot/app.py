"""Wiring: settings → database, file store, router, engine. One place builds the application."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from bot.engine import Engine, OnArrival, OnCommit
from bot.settings import Settings, SettingsError
from handlers.casework import CaseworkFlow
from handlers.dossier import DossierFlow, ReviewFlow
from handlers.faq import FaqFlow
from handlers.flow import Flow
from handlers.handoff import HandoffFlow
from handlers.intake import IntakeFlow
from handlers.menu import MenuFlow
from handlers.officials.flow import OfficialsFlow
from handlers.officials.home import OfficerHomeFlow
from handlers.outreach import ComposeFlow, SubscribeFlow, SurveyFlow
from handlers.privacy import PrivacyFlow
from handlers.router import Router
from handlers.status import StatusFlow
from handlers.threads import ThreadFlow
from handlers.types import Inbound
from handlers.understanding.matcher import get_matcher
from storage.crypto import KeyConfigError, resolve_key
from storage.db import Database
from storage.files import FileStore
from storage.group_commit import Gathered
from storage.models import OutboxMessage, utcnow
from storage.repositories import mark_sent
from storage.seed import seed_defaults

log = logging.getLogger(__name__)

T = TypeVar("T")


def build_flows() -> list[Flow]:
    """Every conversation flow of this build, in priority order for trigger phrases."""
    return [
        MenuFlow(),
        DossierFlow(),
        ReviewFlow(),
        OfficialsFlow(),
        IntakeFlow(),
        PrivacyFlow(),
        HandoffFlow(),
        ThreadFlow(),
        CaseworkFlow(),
        StatusFlow(),
        SubscribeFlow(),
        SurveyFlow(),
        ComposeFlow(),
        OfficerHomeFlow(),
    ]


def build_router() -> Router:
    return Router(build_flows(), answerer=FaqFlow())


@dataclass
class App:
    settings: Settings
    db: Database
    files: FileStore
    engine: Engine

    async def handle_locally(self, event: Inbound, show: Callable[[list[OutboxMessage]], T]) -> T:
        """One turn of an in-process channel (terminal, simulator, tests): handle the event,
        ``show`` its outbox rows, then mark them sent, as a platform sender would."""
        rows = await self.engine.handle(event)
        shown = show(rows)
        if rows:
            await self._shown.add([r.id for r in rows])
        return shown

    def __post_init__(self) -> None:
        #: The rows shown by all turns of a batch are marked sent in one statement.
        self._shown: Gathered[int] = Gathered(
            self.engine.batch, lambda session, ids: mark_sent(session, ids, utcnow())
        )


async def prepare_database(db: Database) -> None:
    """Apply migrations and load the shipped reference data (both idempotent)."""
    await db.upgrade()
    async with db.transaction() as session:
        await seed_defaults(session)


def settle_memory() -> None:
    """Once started: what the process loaded (the classifier, the knowledge base, the models,
    the libraries) is moved out of the garbage collector's sight. A full collection otherwise
    walks all of it again and again, each time stopping the event loop for 100-250 ms on this
    2-core machine: a reply caught behind one waits that long (bench.broadcast)."""
    gc.collect()
    gc.freeze()


@asynccontextmanager
async def build_app(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utcnow,
    on_commit: OnCommit | None = None,
    on_arrival: OnArrival | None = None,
) -> AsyncIterator[App]:
    """Open the database (migrated and seeded) and build the engine; closes on exit."""
    try:
        resolve_key(settings.encryption_key, settings.environment)
    except KeyConfigError as exc:
        raise SettingsError(str(exc)) from None
    db = Database(settings.database_url)
    try:
        await prepare_database(db)
        # The question classifier loads from CACHE_DIR, or trains for seconds when the
        # knowledge base changed: do it now, in a thread, rather than inside the first user's
        # turn (which holds the database write lock).
        await asyncio.to_thread(get_matcher, settings.cache_dir)
        files = FileStore(settings.files_dir)
        engine = Engine(
            db,
            build_router(),
            files,
            settings.handler_config(),
            clock=clock,
            on_commit=on_commit,
            on_arrival=on_arrival,
        )
        try:
            yield App(settings=settings, db=db, files=files, engine=engine)
        finally:
            await engine.batch.close()
    finally:
        await db.dispose()
