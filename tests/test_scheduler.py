"""The APScheduler wiring: jobs persisted in the database, a missed run fires once after
downtime, jobs are not replaced at boot, quiet hours defer a run."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from apscheduler.events import EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.jobstores.memory import MemoryJobStore

from bot.app import App
from bot.settings import load_settings
from handlers.config import VIETNAM
from scheduler import runtime
from scheduler.runtime import (
    DAILY_ALERTS,
    KB_REVIEW,
    WEEKLY_DIGEST,
    build_scheduler,
    ensure_jobs,
    jobstore_url,
    start_scheduler,
)
from tests.helpers import Clock
from tests.officials_helpers import add_plan, make_officer, pending_outbox


def test_jobstore_url_is_the_same_postgresql_database_or_a_sqlite_file_beside() -> None:
    assert jobstore_url("sqlite+aiosqlite:////data/bot.db") == "sqlite:////data/bot-jobs.db"
    assert jobstore_url("postgresql+asyncpg://bot:pw@db/bot") == "postgresql+psycopg://bot:pw@db/bot"


async def test_missed_run_fires_once_after_downtime(sqlite_app: App, clock: Clock) -> None:
    app = sqlite_app
    config = app.settings.scheduler_config()
    await add_plan(app, "Phù Lưu", "ntp_2026", 2026, 47, date(2026, 7, 1), submitted=(44,))
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    # First life: the jobs are stored; then the bot is down for three days of runs.
    first = build_scheduler(config, app.db, app.files, clock=clock.now)
    first.start(paused=True)
    assert DAILY_ALERTS in ensure_jobs(first, config)
    three_days_ago = datetime.now(UTC) - timedelta(days=3)
    first.modify_job(DAILY_ALERTS, next_run_time=three_days_ago)
    first.shutdown(wait=False)

    runs: list[str] = []
    done = asyncio.Event()

    def on_executed(event: JobExecutionEvent) -> None:
        runs.append(event.job_id)
        done.set()

    second = build_scheduler(config, app.db, app.files, clock=clock.now)
    second.add_listener(on_executed, EVENT_JOB_EXECUTED)
    second.start(paused=True)
    assert ensure_jobs(second, config) == []  # found, not replaced
    second.resume()
    try:
        await asyncio.wait_for(done.wait(), 10)
        await asyncio.sleep(0.3)  # room for a wrong second run to show up
        job = second.get_job(DAILY_ALERTS)
        assert job is not None and job.next_run_time > datetime.now(UTC)
    finally:
        second.shutdown(wait=False)
    assert runs == [DAILY_ALERTS]
    assert [r.chat_id for r in await pending_outbox(app)] == ["pl"]


async def test_changed_schedule_is_rescheduled(sqlite_app: App, clock: Clock) -> None:
    app = sqlite_app
    config = app.settings.scheduler_config()
    first = await start_scheduler(config, app.db, app.files, clock=clock.now)
    first.shutdown(wait=False)
    later = load_settings(
        database_url=app.settings.database_url,
        files_dir=app.settings.files_dir,
        alerts_time="09:30",
    )
    second = build_scheduler(later.scheduler_config(), app.db, app.files, clock=clock.now)
    second.start(paused=True)
    try:
        touched = sorted(ensure_jobs(second, later.scheduler_config()))
        assert touched == sorted([DAILY_ALERTS, WEEKLY_DIGEST, KB_REVIEW])
        job = second.get_job(DAILY_ALERTS)
        assert job is not None
        local = job.next_run_time.astimezone(VIETNAM)
        assert (local.hour, local.minute) == (9, 30) and local.weekday() < 5
    finally:
        second.shutdown(wait=False)


async def test_run_due_in_quiet_hours_is_deferred_to_seven(sqlite_app: App, clock: Clock) -> None:
    app = sqlite_app
    await add_plan(app, "Phù Lưu", "ntp_2026", 2026, 47, date(2026, 7, 1))
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    clock.at = datetime(2026, 7, 10, 22, 15, tzinfo=VIETNAM).astimezone(UTC)
    scheduler = build_scheduler(
        app.settings.scheduler_config(), app.db, app.files, clock=clock.now,
        jobstore=MemoryJobStore(),
    )
    scheduler.start(paused=True)
    try:
        assert await runtime.fire_daily_alerts() == 0
        deferred = scheduler.get_job(f"{DAILY_ALERTS}.deferred")
        assert deferred is not None
        assert deferred.next_run_time == datetime(2026, 7, 11, 7, tzinfo=VIETNAM)
        assert await pending_outbox(app) == []
        clock.at = datetime(2026, 7, 11, 7, 0, tzinfo=VIETNAM).astimezone(UTC)
        assert await runtime.fire_daily_alerts() == 1
    finally:
        scheduler.shutdown(wait=False)
