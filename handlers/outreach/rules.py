"""The rules an announcement must meet before it is accepted, shared by ``/thongbao`` and
``python -m bot broadcast send``: words to read (not signs alone nor one or two characters),
length within every channel's limit, a time outside the quiet hours, communes within the
officer's scope, and the text delivered as plain text.

Markdown-like emphasis an officer types (``**Lớp may** mở _ngày 5/1_``, as in other chat apps)
is taken out, on every channel: Zalo shows text as typed, and Telegram messages are sent
without a parse mode (an unbalanced ``*`` in an HTML or Markdown message would make Telegram
refuse it). Stripped before the length check, the text counted is the text delivered, and the
preview shows it as people will read it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.access import DISTRICT_ROLES, Role
from handlers.config import in_quiet_hours
from handlers.textnorm import only_signs
from storage.models import Officer

#: Zalo's 2,000 characters, less the line saying how to stop: one message on every channel.
MAX_TEXT = 1800


#: A pair of emphasis markers around text on one line: ``**bold**``, ``__bold__``, ``*it*``,
#: ``_it_``, ``~~struck~~``, ``\`code\```. The opening marker starts a word and the closing one
#: ends it, so "5*3*2", "ho_ten_nguoi" and a web address with underscores are left as typed;
#: a lone or unbalanced marker stays too.
_EMPHASIS = [
    re.compile(rf"(?<![\w*_~`]){m}(?=[^\s*_~`])(.+?)(?<=[^\s*_~`]){m}(?![\w*_~`])")
    for m in (r"\*\*\*", "___", r"\*\*", "__", "~~", r"\*", "_", "`")
]


def plain_text(text: str) -> str:
    """``text`` without paired emphasis markers (their words kept)."""
    for pattern in _EMPHASIS:
        text = pattern.sub(r"\1", text)
    return text


#: Fewer characters than this say nothing to the people it reaches ("ok", "1").
MIN_TEXT = 3


class RuleError(ValueError):
    """The message key (under ``outreach.rule``) saying what is wrong; ``params`` fill it in
    (how long a text was, and the limit)."""

    def __init__(self, key: str, **params: str) -> None:
        super().__init__(key)
        self.params = params


def grouped(number: int) -> str:
    """``number`` as written in Vietnamese: thousands grouped by dots ("3.000")."""
    return f"{number:,}".replace(",", ".")


def check_text(text: str) -> str:
    """The announcement as it will be delivered (plain_text), or why it cannot be: nothing,
    signs alone or 1–2 characters ("🙂", "ok": nobody would know what it announces), or over
    MAX_TEXT (said with how long it was, so the officer knows how much to cut)."""
    text = plain_text(text).strip()
    if not text:
        raise RuleError("empty")
    if len(text) < MIN_TEXT or only_signs(text):
        raise RuleError("too_short")
    if len(text) > MAX_TEXT:
        raise RuleError("too_long", limit=grouped(MAX_TEXT), length=grouped(len(text)),
                        over=grouped(len(text) - MAX_TEXT))
    return text


def check_time(when: datetime, now: datetime, zone: ZoneInfo, quiet: tuple[int, int]) -> datetime:
    """A send time: not in the past (a minute's slack), not inside the quiet hours."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    if in_quiet_hours(when.astimezone(zone).hour, quiet):
        raise RuleError("quiet")
    if (now - when).total_seconds() > 60:
        raise RuleError("past")
    return when


def quiet_until(now: datetime, zone: ZoneInfo, quiet: tuple[int, int]) -> datetime | None:
    """When a send asked for ``now`` starts, inside the quiet hours (local time); None outside
    them."""
    local = now.astimezone(zone)
    if not in_quiet_hours(local.hour, quiet):
        return None
    end = local.replace(hour=quiet[1], minute=0, second=0, microsecond=0)
    return end if end > local else end + timedelta(days=1)


def check_scope(officer: Officer | None, unit_ids: list[int]) -> None:
    """The office may target every unit (empty list); a commune officer only their own."""
    if officer is None or officer.role in DISTRICT_ROLES:
        return
    if officer.role != Role.COMMUNE or not unit_ids or any(u != officer.unit_id for u in unit_ids):
        raise RuleError("scope")
