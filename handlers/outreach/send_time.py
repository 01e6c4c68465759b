"""A send time as officers type it ("8h 3/12", "2h chiều mai"), read in the deployment's zone:
what the announcement flow asks at its "when?" step."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from handlers.textnorm import fold
from messages import raw

_CLOCK = re.compile(
    r"(?<![\d/.-])(\d{1,2})\s*(?::|h|gio|g)(?:\s*(\d{2}))?(?:\s*(?:phut|p)\b)?"
    r"(?:\s*(sang|trua|chieu|toi)\b)?(?![\d/])"
)
_DATE = re.compile(r"(?<![\d:])(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{2,4}))?(?![\d:])")
_DAYS_AHEAD = {"hom nay": 0, "ngay mai": 1, "mai": 1, "ngay kia": 2}
#: A date typed without its year that is this much past is next year's ("5/1" typed in
#: December); one past by less is a mistake the flow refuses ("8h 5/12" on 7 December was
#: taken as 5/12 of the year after).
_NEXT_YEAR_AFTER = timedelta(days=60)


def parse_send_time(text: str, local_now: datetime) -> datetime | None:
    """A send time as officers type it, in ``local_now``'s zone: "08:30 15/12", "8h 3/12",
    "8h30 ngày 3/12/2026", "15/12 8 giờ", "2h chiều mai", "9h" (today, or tomorrow once past),
    "8h30 thứ hai" (the next Monday, today's only while the time is ahead). A date without a
    year is this year's, or next year's once it is two months past (a date a few days past is
    returned as it is: the caller refuses a time past)."""
    folded = " ".join(fold(text).split())
    clock = _CLOCK.search(folded)
    if clock is None:
        return None
    hour, minute = int(clock.group(1)), int(clock.group(2) or 0)
    if clock.group(3) in ("chieu", "toi") and hour < 12:
        hour += 12
    rest = folded[: clock.start()] + " " + folded[clock.end() :]
    found = _DATE.search(rest)
    try:
        if found is not None:
            day, month = int(found.group(1)), int(found.group(2))
            year = int(found.group(3)) if found.group(3) else local_now.year
            year += 2000 if year < 100 else 0
            at = local_now.replace(year=year, month=month, day=day, hour=hour, minute=minute,
                                   second=0, microsecond=0)
            if not found.group(3) and local_now - at > _NEXT_YEAR_AFTER:
                at = at.replace(year=year + 1)
            return at
        ahead = next((n for word, n in _DAYS_AHEAD.items() if f" {word} " in f" {rest} "), None)
        at = local_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if ahead is None and (weekday := _weekday(rest)) is not None:
            days = (weekday - local_now.weekday()) % 7
            return at + timedelta(days=days if days or at > local_now else 7)
        if ahead is None:
            return at if at > local_now else at + timedelta(days=1)
        return at + timedelta(days=ahead)
    except ValueError:
        return None


def _weekday(text: str) -> int | None:
    """The weekday named in ``text`` (folded), Monday = 0 (``compose.weekdays``)."""
    padded = f" {text} "
    return next((day for day in range(7)
                 if any(f" {fold(name)} " in padded for name in raw(f"compose.weekdays.{day}"))),
                None)
