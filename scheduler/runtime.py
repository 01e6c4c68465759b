"""The scheduler: APScheduler 3 (AsyncIOScheduler) with its jobs persisted in the bot's database.

Why it behaves well across restarts:
- jobs are added only when missing (never replaced at boot), so a stored ``next_run_time`` in the
  past survives a restart; ``coalesce`` + unlimited ``misfire_grace_time`` then run it once,
  however many days were missed;
- each job sends through the sent-log claim (scheduler/claims.py), so a second run the same day,
  a restart or a second process sends nothing twice;
- a job due inside the quiet hours (21:00–07:00 local) is deferred to the end of them.

Start it from ``python -m bot run`` with one line: ``scheduler = await start_scheduler(
settings.scheduler_config(), db, files, on_commit=wake_sender)``; stop it with
``scheduler.shutdown(wait=False)``. Its settings come as a :class:`SchedulerConfig` (never
``bot.settings``: a lower layer imports no higher one).
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.jobstores.base import BaseJobStore
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.engine import make_url

from handlers.intake import expire_drafts
from scheduler.alerts import run_daily_alerts
from scheduler.claims import is_quiet
from scheduler.config import SchedulerConfig
from scheduler.digest import run_weekly_digest
from scheduler.dossier_reminders import run_dossier_reminders
from scheduler.kb_review import run_kb_review
from scheduler.thread_reminders import run_thread_reminders
from storage.db import Database
from storage.file_sweep import sweep_files
from storage.files import FileStore
from storage.models import utcnow

log = logging.getLogger(__name__)

JOB_TABLE = "scheduler_jobs"
DAILY_ALERTS = "officials.daily_alerts"
WEEKLY_DIGEST = "officials.weekly_digest"
DOSSIER_REMINDERS = "dossier.reminders"
EXPIRE_DRAFTS = "intake.expire_drafts"
KB_REVIEW = "faq.kb_review"
THREAD_REMINDERS = "handoff.thread_reminders"
SWEEP_FILES = "files.sweep"
#: Sync drivers the job store can use on PostgreSQL, in order of preference.
_PG_DRIVERS = (("psycopg", "psycopg"), ("psycopg2", "psycopg2"), ("pg8000", "pg8000"))


@dataclass
class Runtime:
    """What the job entry points need; jobs are stored by reference, so they find it here."""

    config: SchedulerConfig
    db: Database
    files: FileStore
    clock: Callable[[], datetime]
    on_commit: Callable[[], None] | None
    scheduler: AsyncIOScheduler


_runtime: Runtime | None = None


def _current() -> Runtime:
    if _runtime is None:
        raise RuntimeError("scheduler runtime not set: use build_scheduler()")
    return _runtime


def jobstore_url(database_url: str) -> str | None:
    """The synchronous URL of APScheduler's job store: the same PostgreSQL database, or a
    SQLite file beside the bot's; None when no sync PostgreSQL driver is installed."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        # A file of its own beside the database: APScheduler writes synchronously from the
        # event loop, and waiting there for the SQLite write lock held by one of our async
        # transactions would block the very loop that must finish that transaction.
        path = Path(url.database or "bot.db")
        jobs = path.with_name(f"{path.stem}-jobs{path.suffix or '.db'}")
        return url.set(drivername="sqlite", database=str(jobs)).render_as_string(
            hide_password=False
        )
    for driver, module in _PG_DRIVERS:
        if importlib.util.find_spec(module) is not None:
            return url.set(drivername=f"postgresql+{driver}").render_as_string(hide_password=False)
    return None


def _jobstore(config: SchedulerConfig) -> BaseJobStore:
    url = jobstore_url(config.database_url)
    if url is None:
        log.warning(
            "no synchronous PostgreSQL driver (install psycopg[binary]): scheduled jobs kept in "
            "memory; a run missed while the bot was down will not be caught up"
        )
        return MemoryJobStore()
    return SQLAlchemyJobStore(url=url, tablename=JOB_TABLE)


def job_specs(config: SchedulerConfig) -> list[tuple[str, str, CronTrigger]]:
    """(job id, entry point reference, trigger) for every job this build has."""
    zone = config.zone
    hour, minute = config.alerts_at
    specs = [
        (
            DAILY_ALERTS,
            f"{__name__}:fire_daily_alerts",
            CronTrigger(day_of_week="mon-fri", hour=hour, minute=minute, timezone=zone),
        ),
        (
            WEEKLY_DIGEST,
            f"{__name__}:fire_weekly_digest",
            CronTrigger(day_of_week=config.digest_day, hour=hour, minute=minute, timezone=zone),
        ),
        (
            DOSSIER_REMINDERS,
            f"{__name__}:fire_dossier_reminders",
            CronTrigger(minute=15, timezone=zone),
        ),
        (
            EXPIRE_DRAFTS,
            f"{__name__}:fire_expire_drafts",
            CronTrigger(hour=3, minute=30, timezone=zone),
        ),
        (
            SWEEP_FILES,
            f"{__name__}:fire_sweep_files",
            CronTrigger(hour=4, minute=10, timezone=zone),
        ),
        (
            KB_REVIEW,
            f"{__name__}:fire_kb_review",
            CronTrigger(day=1, hour=hour, minute=minute, timezone=zone),
        ),
        (
            THREAD_REMINDERS,
            f"{__name__}:fire_thread_reminders",
            # Officers at work: hourly in office hours on working days.
            CronTrigger(day_of_week="mon-fri", hour="7-16", minute=20, timezone=zone),
        ),
    ]
    return specs


def build_scheduler(
    config: SchedulerConfig,
    db: Database,
    files: FileStore,
    *,
    clock: Callable[[], datetime] = utcnow,
    on_commit: Callable[[], None] | None = None,
    jobstore: BaseJobStore | None = None,
) -> AsyncIOScheduler:
    """A configured scheduler (not started); the job entry points will use these objects."""
    global _runtime
    scheduler = AsyncIOScheduler(
        jobstores={"default": jobstore or _jobstore(config)},
        job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        timezone=config.zone,
    )
    _runtime = Runtime(config, db, files, clock, on_commit, scheduler)
    return scheduler


def ensure_jobs(scheduler: AsyncIOScheduler, config: SchedulerConfig) -> list[str]:
    """Add the missing jobs; keep existing ones (and their pending run) unless their schedule
    changed in the settings. Returns the ids added or rescheduled."""
    touched = []
    for job_id, ref, trigger in job_specs(config):
        job = scheduler.get_job(job_id)
        if job is None:
            scheduler.add_job(ref, trigger, id=job_id, replace_existing=False)
            touched.append(job_id)
        elif str(job.trigger) != str(trigger):
            job.reschedule(trigger)
            touched.append(job_id)
    return touched


async def start_scheduler(
    config: SchedulerConfig,
    db: Database,
    files: FileStore,
    *,
    clock: Callable[[], datetime] = utcnow,
    on_commit: Callable[[], None] | None = None,
    jobstore: BaseJobStore | None = None,
) -> AsyncIOScheduler:
    """Build, register the jobs and start (inside the running event loop)."""
    scheduler = build_scheduler(
        config, db, files, clock=clock, on_commit=on_commit, jobstore=jobstore
    )
    # Started paused so the stored jobs are visible before deciding what to add.
    scheduler.start(paused=True)
    added = ensure_jobs(scheduler, config)
    log.info("scheduler started; jobs added or rescheduled: %s", added or "none")
    scheduler.resume()
    return scheduler


def _defer_if_quiet(rt: Runtime, job_id: str, ref: str) -> bool:
    """In quiet hours: schedule one run at the end of them (replacing any earlier deferral)."""
    c = rt.config
    start, end = c.quiet_hours
    now = rt.clock()
    if not is_quiet(now, c.zone, start, end):
        return False
    local = now.astimezone(c.zone)
    at = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if at <= local:
        at += timedelta(days=1)
    rt.scheduler.add_job(ref, "date", run_date=at, id=f"{job_id}.deferred", replace_existing=True)
    log.info("%s deferred to %s (quiet hours)", job_id, at.isoformat())
    return True


async def fire_daily_alerts() -> int:
    rt = _current()
    if _defer_if_quiet(rt, DAILY_ALERTS, f"{__name__}:fire_daily_alerts"):
        return 0
    c = rt.config
    return await run_daily_alerts(
        rt.db,
        c.handler,
        rt.clock(),
        quiet=c.quiet_hours,
        escalation_days=c.escalation_days,
        on_commit=rt.on_commit,
    )


async def fire_weekly_digest() -> int:
    rt = _current()
    if _defer_if_quiet(rt, WEEKLY_DIGEST, f"{__name__}:fire_weekly_digest"):
        return 0
    c = rt.config
    return await run_weekly_digest(
        rt.db,
        rt.files,
        c.handler,
        rt.clock(),
        quiet=c.quiet_hours,
        on_commit=rt.on_commit,
    )


async def fire_kb_review() -> int:
    rt = _current()
    if _defer_if_quiet(rt, KB_REVIEW, f"{__name__}:fire_kb_review"):
        return 0
    c = rt.config
    return await run_kb_review(
        rt.db,
        c.handler,
        rt.clock(),
        quiet=c.quiet_hours,
        on_commit=rt.on_commit,
    )


async def _in_transaction(job: Callable[..., Awaitable[int]], **kwargs: Any) -> int:
    rt = _current()
    async with rt.db.transaction() as session:
        done = await job(session, rt.clock(), **kwargs)
    if done and rt.on_commit is not None:
        rt.on_commit()
    return done


async def fire_dossier_reminders() -> int:
    rt = _current()
    c = rt.config
    if is_quiet(rt.clock(), c.zone, *c.quiet_hours):
        return 0  # hourly: the next run after the quiet hours catches up
    return await _in_transaction(run_dossier_reminders)


async def fire_thread_reminders() -> int:
    return await _in_transaction(run_thread_reminders, zone=_current().config.zone)


async def fire_sweep_files() -> int:
    rt = _current()
    return await sweep_files(rt.db, rt.files, rt.clock())


async def fire_expire_drafts() -> int:
    return await _in_transaction(expire_drafts, days=_current().config.handler.intake_expiry_days)
