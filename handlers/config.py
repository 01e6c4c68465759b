"""Settings the handlers need, handed down by the engine (handlers never read the environment)."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from messages.deployment import profile

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True, slots=True)
class HandlerConfig:
    timezone: ZoneInfo = VIETNAM
    #: Days before an unfinished registration form is deleted.
    intake_expiry_days: int = 30
    #: An allocation is ``due_soon`` when its deadline is within this many days.
    due_soon_days: int = 7
    #: Prefix of case references, e.g. HY-2026-00042.
    case_ref_prefix: str = field(default_factory=lambda: profile().case_ref_prefix)
    #: Key for encrypting phone and citizen id numbers (Fernet, urlsafe base64).
    encryption_key: str = ""
    #: Where the webhook server serves officers' files (Zalo cannot send files): the public
    #: URL of the bot, and the secret signing the links; empty: no server, no links.
    file_link_base: str = ""
    file_link_secret: str = ""
    #: (start, end) local hours in which nothing scheduled is sent (QUIET_START, QUIET_END).
    quiet_hours: tuple[int, int] = (21, 7)


def in_quiet_hours(hour: int, quiet: tuple[int, int]) -> bool:
    """Is ``hour`` (local) inside the quiet hours ``quiet`` = (start, end), which may run past
    midnight (21 → 7)?"""
    start, end = quiet
    return (hour >= start or hour < end) if start > end else (start <= hour < end)
