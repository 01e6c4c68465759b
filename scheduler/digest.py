"""The Monday digest for the office and the training centre: every unit and programme with its
progress, and a bar chart of progress per unit (stored in the FileStore, sent as a photo)."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from handlers.access import Role
from handlers.config import HandlerConfig
from handlers.officials.accounts import get_officer_contacts, record_for_officers
from handlers.officials.progress import program_label
from handlers.types import Attachment, Reply
from messages import t
from scheduler.chart import render_progress_chart
from scheduler.claims import QUIET_END, QUIET_START, claim, is_quiet, local_day, lock_job
from scheduler.survey_digest import add_survey_chart
from storage.db import Database
from storage.files import FileStore
from storage.status import AllocationStatus, get_statuses

log = logging.getLogger(__name__)

RULE_DIGEST = "digest"


def render_digest(items: list[AllocationStatus], year: int) -> str:
    if not items:
        return t("officials.alert.digest_none", year=year)
    lines = [t("officials.alert.digest_title", year=year)]
    for i in items:
        percent = 100 if i.target == 0 else round(100 * i.submitted / i.target)
        lines.append(
            t(
                "officials.alert.digest_row",
                mark=t(f"officials.mark.{i.status.value}"),
                unit=i.unit_name,
                program=program_label(i.program_code),
                submitted=i.submitted,
                target=i.target,
                percent=percent,
            )
        )
    return "\n".join(lines)


def chart_bars(items: list[AllocationStatus]) -> list[tuple[str, int, int]]:
    """Per unit, all programmes together (capped per programme: a surplus in one programme does
    not hide a gap in another)."""
    submitted: dict[str, int] = defaultdict(int)
    target: dict[str, int] = defaultdict(int)
    for i in items:
        submitted[i.unit_name] += min(i.submitted, i.target)
        target[i.unit_name] += i.target
    return [(name, submitted[name], target[name]) for name in submitted]


async def run_weekly_digest(
    db: Database,
    files: FileStore,
    config: HandlerConfig,
    now: datetime,
    *,
    quiet: tuple[int, int] = (QUIET_START, QUIET_END),
    on_commit: Callable[[], None] | None = None,
) -> int:
    """Queue the digest to every office and training officer, once per local day."""
    if is_quiet(now, config.timezone, *quiet):
        return 0
    today = local_day(now, config.timezone)
    queued = 0
    async with db.transaction() as session:
        await lock_job(session, RULE_DIGEST)
        officers = [
            o for o in await get_officer_contacts(session) if o.role in (Role.OFFICE, Role.TRAINING)
        ]
        if not officers or not await claim(session, RULE_DIGEST, "district", today, now):
            return 0
        items = await get_statuses(
            session, today, due_soon_days=config.due_soon_days, year=today.year
        )
        reply = Reply(text=render_digest(items, today.year), meta={"intent": "alert:digest"})
        if items:
            caption = t("officials.alert.digest_caption", year=today.year)
            sha = await files.put(render_progress_chart(caption, chart_bars(items)))
            reply.attachments.append(
                Attachment(
                    kind="photo", sha256=sha, file_name=f"tien-do-{today}.png", caption=caption
                )
            )
        await add_survey_chart(session, files, reply)
        queued += await record_for_officers(session, officers, reply, now)
    if queued and on_commit is not None:
        on_commit()
    log.info("weekly digest: %d messages queued", queued)
    return queued
