"""/baocao [năm|6thang]: the report as an xlsx file (on Zalo, which cannot send files, a short
summary and a signed link to the file, handlers/officials/documents.py)."""

from __future__ import annotations

from datetime import date

from handlers.context import Context
from handlers.officials.documents import send_file
from handlers.officials.guard import get_scope
from handlers.officials.workbook import render_report_xlsx
from handlers.textnorm import fold
from handlers.types import Inbound
from messages import t
from storage.report import get_report
from storage.status import get_statuses


def parse_period(args: str, today: date) -> tuple[date, date, str] | None:
    """``năm`` (default) → this calendar year; ``6thang`` → this half-year; else None."""
    key = fold(args).replace(" ", "")
    if key in ("", "nam", "year"):
        return (
            date(today.year, 1, 1),
            date(today.year, 12, 31),
            t("officials.report.period_year", year=today.year),
        )
    if key in ("6thang", "6t", "6", "nuanam"):
        half = 1 if today.month <= 6 else 2
        start = date(today.year, 1 if half == 1 else 7, 1)
        end = date(today.year, 6, 30) if half == 1 else date(today.year, 12, 31)
        return start, end, t("officials.report.period_half", half=half, year=today.year)
    return None


async def handle_report(event: Inbound, ctx: Context) -> None:
    # The argument is the period, so the scope is the officer's own (no unit argument).
    scope = await get_scope(ctx)
    if scope is None:
        return
    today = ctx.now.astimezone(ctx.config.timezone).date()
    period = parse_period(event.args, today)
    if period is None:
        ctx.reply(t("officials.report.usage"), intent="flow:officials.report")
        return
    start, end, label = period
    report = await get_report(ctx.session, start, end, unit_ids=scope.unit_ids)
    plan = await get_statuses(
        ctx.session,
        today,
        due_soon_days=ctx.config.due_soon_days,
        year=today.year,
        unit_ids=scope.unit_ids,
    )
    summary = ""
    if ctx.is_zalo:
        summary = t(
            "officials.report.zalo",
            period=label,
            classes=report.classes,
            trainees=report.trainees,
            departures=report.departures,
            submitted=sum(p.submitted for p in plan),
            target=sum(p.target for p in plan),
        )
    await send_file(
        ctx,
        scope.officer,
        render_report_xlsx(report, plan),
        file_name=f"bao-cao-{start.isoformat()}-{end.isoformat()}.xlsx",
        what=t("doclink.what_report"),
        text=summary or t("officials.report.sent", period=label),
        intent="flow:officials.report",
    )
