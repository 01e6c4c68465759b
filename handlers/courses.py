"""The live class list under the training.courses and training.schedule answers."""

from __future__ import annotations

from datetime import date

from handlers.context import Context
from handlers.intake.buttons import StartCourse
from handlers.types import Button
from messages import t
from storage.course_repo import CourseListing, find_contact_unit_id, find_upcoming_courses

#: Classes shown in one message: a longer list does not read on a small phone.
MAX_SHOWN = 5
REGISTER_FLOW = "intake"


def register_button_id(course_id: int) -> str:
    return StartCourse(course_id).pack()


def _duration(listing: CourseListing) -> str:
    course = listing.course
    if course.duration_hours:
        return t("faq.courses.hours", n=course.duration_hours)
    if course.duration_days:
        return t("faq.courses.days", n=course.duration_days)
    return t("faq.courses.duration_unknown")


def render_course_list(
    listings: list[CourseListing], total: int, *, can_register: bool
) -> tuple[str, list[list[Button]]]:
    """The list text and, when registration through the bot exists, one button per class."""
    if not listings:
        return t("faq.courses.none"), []
    lines = [t("faq.courses.header")]
    buttons: list[list[Button]] = []
    for n, listing in enumerate(listings, 1):
        course = listing.course
        key = "faq.courses.line_own_commune" if listing.in_own_commune else "faq.courses.line"
        lines.append(t(
            key, n=n, occupation=course.occupation,
            venue=course.venue or listing.unit_name or "",
            start=course.start_date.strftime("%d/%m/%Y"), duration=_duration(listing),
            seats=course.seats,
        ))
        if can_register:
            buttons.append([Button(register_button_id(course.id), t("faq.courses.button", n=n))])
    if total > len(listings):
        lines.append(t("faq.courses.more", count=total - len(listings)))
    if not can_register:
        lines.append(t("faq.courses.register_soon"))
    return "\n".join(lines), buttons


async def list_courses(ctx: Context, today: date) -> tuple[str, list[list[Button]]]:
    """The upcoming classes for this contact (their commune first, once known)."""
    unit_id = await find_contact_unit_id(ctx.session, ctx.contact.id)
    listings, total = await find_upcoming_courses(
        ctx.session, today, unit_id=unit_id, limit=MAX_SHOWN
    )
    can_register = ctx.has_flow(REGISTER_FLOW)
    return render_course_list(listings, total, can_register=can_register)
