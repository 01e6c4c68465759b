"""/tiendo and /quahan: the plan's progress for the officer's scope, as short lines."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.access import Role
from handlers.callbacks import CallbackData
from handlers.context import Context
from handlers.officials.guard import get_scope
from handlers.types import Button, Inbound
from messages import has, t
from storage.status import AllocationStatus, Status, get_statuses


def program_label(code: str) -> str:
    key = f"officials.program_short.{code}"
    return t(key) if has(key) else code


def render_row(item: AllocationStatus, today_days_late: int) -> str:
    row = t(
        "officials.progress.row",
        mark=t(f"officials.mark.{item.status.value}"),
        unit=item.unit_name,
        program=program_label(item.program_code),
        submitted=item.submitted,
        target=item.target,
        deadline=item.deadline.strftime("%d/%m"),
    )
    if item.status == Status.OVERDUE:
        row += t("officials.progress.late", days=today_days_late)
    return row


@dataclass(frozen=True)
class Submit(CallbackData, prefix="officials:submit"):
    """Start /nopds (handlers/officials/submit.py) from under the progress table."""


def submit_button() -> list[list[Button]]:
    return [[Submit().button(t("officials.button.submit"))]]


async def handle_progress(event: Inbound, ctx: Context, *, overdue_only: bool) -> None:
    scope = await get_scope(ctx, event.args)
    if scope is None:
        return
    today = ctx.now.astimezone(ctx.config.timezone).date()
    only = (Status.OVERDUE,) if overdue_only else None
    items = await get_statuses(
        ctx.session,
        today,
        due_soon_days=ctx.config.due_soon_days,
        year=today.year,
        unit_ids=scope.unit_ids,
        only=only,
    )
    intent = "flow:officials.overdue" if overdue_only else "flow:officials.progress"
    buttons = submit_button() if scope.officer.role == Role.COMMUNE else []
    if not items:
        key = "officials.progress.no_overdue" if overdue_only else "officials.progress.none"
        ctx.reply(t(key, year=today.year, scope=scope.label), buttons, intent=intent)
        return
    title = "officials.progress.overdue_title" if overdue_only else "officials.progress.title"
    lines = [t(title, year=today.year, scope=scope.label)]
    lines += [render_row(i, i.days_late(today)) for i in items]
    if not overdue_only:
        lines.append(t("officials.progress.legend"))
    ctx.reply("\n".join(lines), buttons, intent=intent)
