"""All configuration, from the environment and an optional ``.env`` (pydantic-settings).

This is the only module that reads the environment; everything else receives ``Settings``.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from handlers.config import HandlerConfig
from messages import t
from messages.deployment import profile
from scheduler.config import SchedulerConfig


class SettingsError(SystemExit):
    """A bad setting: carries the one line printed instead of a traceback."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default="sqlite+aiosqlite:///./data/bot.db")
    files_dir: Path = Field(default=Path("./data/files"))
    #: Derived files the bot can always rebuild (the fitted FAQ classifier): safe to delete.
    cache_dir: Path = Field(default=Path("./data/cache"))
    timezone: str = Field(default="Asia/Ho_Chi_Minh")
    log_level: str = Field(default="INFO")
    #: production refuses to start without an ENCRYPTION_KEY; development generates one.
    environment: str = Field(default="development")
    encryption_key: str = Field(default="")
    #: Default from the deployment profile (messages/deployment.toml); CASE_REF_PREFIX overrides.
    case_ref_prefix: str = Field(default_factory=lambda: profile().case_ref_prefix)
    intake_expiry_days: int = Field(default=30, ge=1, le=3650)
    due_soon_days: int = Field(default=7, ge=0, le=365)
    #: Officials' scheduled jobs (local time): behind-plan alerts on working days, the weekly
    #: digest, the escalation to the office, and the hours when nobody is written to.
    alerts_time: str = Field(default="08:00", pattern=r"^\d{1,2}:\d{2}$")
    digest_day: str = Field(default="mon")
    escalation_days: int = Field(default=7, ge=1, le=365)
    quiet_start: int = Field(default=21, ge=0, le=23)
    quiet_end: int = Field(default=7, ge=0, le=23)

    telegram_token: str = Field(default="")
    telegram_api_url: str = Field(default="https://api.telegram.org")
    zalo_token: str = Field(default="")
    zalo_api_url: str = Field(default="https://bot-api.zaloplatforms.com")
    zalo_rate_per_second: float = Field(default=10.0, gt=0, le=1000)
    #: The most places of a channel's send window that announcements leave free for replies
    #: while people chat (bot/pacer.py). 2: announcements at 0.96 of what the replies leave,
    #: and about 1 reply in 100 waits for a place (tens of ms): the share target met, the p99
    #: ratio at the edge of its target (bench.broadcast, README); 3: replies as fast as with
    #: no announcement going out, the announcement about 4% slower while people chat.
    reply_places: int = Field(default=2, ge=1, le=10)

    webhook_host: str = Field(default="127.0.0.1")
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_public_url: str = Field(default="")
    webhook_secret: str = Field(default="")
    #: Polling mode serves ``/healthz`` alone on this port (0: not at all); in webhook mode it is
    #: always served on WEBHOOK_PORT beside the webhooks.
    health_port: int = Field(default=0, ge=0, le=65535)
    #: Signs the links officers on Zalo download files from (served by the webhook server).
    file_link_secret: str = Field(default="")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return upper

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if value.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + value.removeprefix("sqlite:///")
        if not (
            value.startswith("sqlite+aiosqlite://") or value.startswith("postgresql+asyncpg://")
        ):
            raise ValueError("use sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def handler_config(self) -> HandlerConfig:
        return HandlerConfig(
            timezone=self.zone,
            intake_expiry_days=self.intake_expiry_days,
            due_soon_days=self.due_soon_days,
            case_ref_prefix=self.case_ref_prefix,
            encryption_key=self.encryption_key,
            file_link_base=self.webhook_public_url if self.file_link_secret else "",
            file_link_secret=self.file_link_secret,
            quiet_hours=(self.quiet_start, self.quiet_end),
        )

    def scheduler_config(self) -> SchedulerConfig:
        """What the scheduler needs (it never reads these settings itself)."""
        hour, minute = self.alerts_time.split(":")
        return SchedulerConfig(
            database_url=self.database_url,
            handler=self.handler_config(),
            alerts_at=(int(hour), int(minute)),
            digest_day=self.digest_day,
            escalation_days=self.escalation_days,
        )


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment; a bad value raises SettingsError with one clear line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "?"
        raise SettingsError(t("cli.bad_setting", name=name, reason=first["msg"])) from None
