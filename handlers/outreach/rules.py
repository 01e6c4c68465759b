"""The rules an announcement must meet before it is accepted, shared by ``/thongbao`` and
``python -m bot broadcast send``: length within every channel's limit, a time outside the quiet
hours, communes within the officer's scope."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.access import DISTRICT_ROLES, Role
from storage.models import Officer

#: Zalo's 2,000 characters, less the line saying how to stop: one message on every channel.
MAX_TEXT = 1800


class RuleError(ValueError):
    """The message key (under ``outreach.rule``) saying what is wrong."""


def check_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise RuleError("empty")
    if len(text) > MAX_TEXT:
        raise RuleError("too_long")
    return text


def check_time(when: datetime, now: datetime, zone: ZoneInfo, quiet: tuple[int, int]) -> datetime:
    """A send time: not in the past (a minute's slack), not inside the quiet hours."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    start, end = quiet
    hour = when.astimezone(zone).hour
    if (hour >= start or hour < end) if start > end else (start <= hour < end):
        raise RuleError("quiet")
    if (now - when).total_seconds() > 60:
        raise RuleError("past")
    return when


def check_scope(officer: Officer | None, unit_ids: list[int]) -> None:
    """The office may target every unit (empty list); a commune officer only their own."""
    if officer is None or officer.role in DISTRICT_ROLES:
        return
    if officer.role != Role.COMMUNE or not unit_ids or any(u != officer.unit_id for u in unit_ids):
        raise RuleError("scope")
