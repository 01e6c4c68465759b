"""The question last answered outside any flow, kept in the conversation's state: its words,
when, how many times in a row, and the topics answered (or offered, for "which topic?"). A
follow-up reads it: "thế còn Hàn Quốc?" asks the last question again about Korea, "đăng ký
luôn" takes the kind those topics say, the same question a third time gets a short reply."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from handlers.context import Context
from handlers.textnorm import phrase_key

#: The same question asked again within this of the one before counts as asked in a row.
REPEAT_WITHIN = timedelta(minutes=5)
#: A country named alone this soon after an answer asks it again about that country.
FOLLOW_UP_WITHIN = timedelta(minutes=30)
#: The state data key (outside any flow) remembering the question last answered.
ASKED = "_asked"


def last_asked(ctx: Context, within: timedelta) -> dict[str, Any] | None:
    """What is kept of the question last answered (its key, time, times asked in a row,
    topics), if it was answered within ``within``; None when it was not, or the data is not
    what this flow wrote."""
    asked: Any = ctx.data.get(ASKED)
    if not isinstance(asked, dict):
        return None
    try:
        at = datetime.fromisoformat(str(asked.get("at")))
    except (TypeError, ValueError):
        return None
    return asked if ctx.now - at <= within else None


def times_asked(ctx: Context, text: str) -> int:
    """How many times in a row, each within REPEAT_WITHIN of the one before, ``text`` was just
    asked and answered (0: it was not the last question answered)."""
    asked = last_asked(ctx, REPEAT_WITHIN)
    if asked is None or asked.get("key") != phrase_key(text):
        return 0
    try:
        return int(asked.get("times") or 0)
    except (TypeError, ValueError):
        return 0


def remember_asked(ctx: Context, text: str, times: int, **kept: list[str]) -> None:
    """Keep the question just handled (its key, time, times asked in a row) with what came of
    it: the ``topics`` answered, or the ``offered`` ones of a clarify (``last_asked``)."""
    ctx.update(**{ASKED: {"key": phrase_key(text), "at": ctx.now.isoformat(), "times": times,
                          **kept}})


def answered_before(ctx: Context, kept: str = "topics") -> tuple[str, ...]:
    """The topics answered to the question before, if it was asked within FOLLOW_UP_WITHIN
    ("thế còn Hàn Quốc?" asks it again about Korea); ``kept="offered"``: the topics offered
    when it was not clear which one it asked (a clarify)."""
    asked = last_asked(ctx, FOLLOW_UP_WITHIN)
    topics = asked.get(kept) if asked is not None else None
    return tuple(str(t) for t in topics) if isinstance(topics, list) else ()
