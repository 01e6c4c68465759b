"""The officer's view of their latest announcements: each one's status in words and its
counts (sent, waiting, failed, stopped and why); or of one announcement (the message saying a
class was announced already offers that one's)."""

from __future__ import annotations

from sqlalchemy import select

from handlers.access import DISTRICT_ROLES
from handlers.context import Context
from handlers.types import Button
from messages import t
from storage.models import Broadcast, Officer
from storage.outreach_repo import broadcast_report

#: What the announcement flow answers with (its name is "broadcast").
INTENT = "flow:broadcast.report"
_STATUSES = ("scheduled", "sending", "done", "cancelled", "stopped")


async def show_reports(
    ctx: Context, officer: Officer, buttons: list[list[Button]] | None = None
) -> None:
    """The latest three announcements (a commune officer's own); ``buttons`` under it."""
    query = select(Broadcast).order_by(Broadcast.id.desc()).limit(3)
    if officer.role not in DISTRICT_ROLES:
        query = query.where(Broadcast.officer_id == officer.id)
    found = (await ctx.session.scalars(query)).all()
    if not found:
        ctx.reply(t("compose.no_reports"), buttons, intent=INTENT)
        return
    lines = []
    for broadcast in found:
        lines += await _report_lines(ctx, broadcast)
    ctx.reply("\n".join(lines), buttons, intent=INTENT)


async def show_report(
    ctx: Context, officer: Officer, broadcast_id: int, buttons: list[list[Button]] | None = None
) -> None:
    """One announcement's report: for the office, its author, or an officer of a commune it
    went to; ``buttons`` under it."""
    broadcast = await ctx.session.get(Broadcast, broadcast_id)
    if broadcast is None or not (
        officer.role in DISTRICT_ROLES
        or broadcast.officer_id == officer.id
        or not broadcast.unit_ids
        or officer.unit_id in broadcast.unit_ids
    ):
        ctx.reply(t("compose.no_reports"), buttons, intent=INTENT)
        return
    ctx.reply("\n".join(await _report_lines(ctx, broadcast)), buttons, intent=INTENT)


async def _report_lines(ctx: Context, broadcast: Broadcast) -> list[str]:
    report = await broadcast_report(ctx.session, broadcast)
    # The status in words ("đã lên lịch"), not the stored "scheduled" an officer read.
    status = str(report["status"])
    if status in _STATUSES:
        status = t(f"compose.status.{status}")
    lines = [t("outreach.report.line", waiting_all=report["waiting"] + report["pending"],
               **{**report, "status": status})]
    if report["stop_reason"]:
        lines.append(str(report["stop_reason"]))
    return lines
