"""What the scheduler needs to know, as one small typed value built by ``bot/`` from its
settings when it starts the scheduler: scheduler/ never reads ``bot.settings`` (a lower layer
imports no higher one; tests/test_layers.py checks it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from handlers.config import HandlerConfig


@dataclass(frozen=True, slots=True)
class SchedulerConfig:
    #: The bot's database (the job store lives in it, or beside it for SQLite).
    database_url: str
    #: What the jobs hand to the handlers' code (time zone, quiet hours, draft expiry...).
    handler: HandlerConfig = field(default_factory=HandlerConfig)
    #: Local (hour, minute) of the officials' jobs: alerts on working days, digest, KB review.
    alerts_at: tuple[int, int] = (8, 0)
    #: The weekly digest's day (APScheduler ``day_of_week``: mon, tue...).
    digest_day: str = "mon"
    #: Days behind plan before an alert is escalated to the provincial office.
    escalation_days: int = 7

    @property
    def zone(self) -> ZoneInfo:
        return self.handler.timezone

    @property
    def quiet_hours(self) -> tuple[int, int]:
        """(start, end) local hours in which nothing scheduled is sent."""
        return self.handler.quiet_hours
