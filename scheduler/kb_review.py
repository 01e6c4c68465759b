"""The monthly reminder to officials with the admin role: which knowledge-base entries are due
for review (past their ``review_by`` date or within a month of it). Quiet hours respected; at most
once per calendar month through the sent-log claim."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime

from handlers.access import Role
from handlers.config import HandlerConfig
from handlers.officials.accounts import get_officer_contacts, record_for_officers
from handlers.types import Reply
from messages import t
from messages.faq_loader import Entry, KnowledgeBase, due_for_review, load_kb
from scheduler.claims import QUIET_END, QUIET_START, claim, is_quiet, local_day, lock_job
from storage.db import Database

log = logging.getLogger(__name__)

RULE_KB_REVIEW = "kb_review"


def render_review(entries: list[Entry], today: date) -> str:
    lines = [t("faq.review.title", count=len(entries))]
    for e in entries:
        key = "faq.review.row_late" if e.review_by < today else "faq.review.row"
        lines.append(
            t(
                key,
                title=e.title,
                topic=e.id,
                review_by=e.review_by.strftime("%d/%m/%Y"),
                source=e.source or t("faq.review.no_source"),
            )
        )
    lines.append(t("faq.review.footer"))
    return "\n".join(lines)


async def run_kb_review(
    db: Database,
    config: HandlerConfig,
    now: datetime,
    *,
    kb: KnowledgeBase | None = None,
    quiet: tuple[int, int] = (QUIET_START, QUIET_END),
    on_commit: Callable[[], None] | None = None,
) -> int:
    """Queue the list of entries due for review to every admin, once per local month."""
    if is_quiet(now, config.timezone, *quiet):
        return 0
    today = local_day(now, config.timezone)
    due = due_for_review(kb or load_kb(), today)
    if not due:
        return 0
    queued = 0
    async with db.transaction() as session:
        await lock_job(session, RULE_KB_REVIEW)
        admins = [o for o in await get_officer_contacts(session) if o.role == Role.ADMIN]
        # The claim's day is the first of the month: a second run in the same month finds it.
        if not admins or not await claim(
            session, RULE_KB_REVIEW, "admins", today.replace(day=1), now
        ):
            return 0
        reply = Reply(text=render_review(due, today), meta={"intent": "alert:kb_review"})
        queued = await record_for_officers(session, admins, reply, now)
    if queued and on_commit is not None:
        on_commit()
    log.info("knowledge-base review: %d entries due, %d messages queued", len(due), queued)
    return queued
