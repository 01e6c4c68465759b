"""The live class list under the training.courses and training.schedule answers.

A message naming a commune ("lớp ở Bạch Xa", "co lop nao o Phu Luu khong") gets that commune's
classes (names compared without diacritics, from the units data); a place that is not one of
the communes ("lớp ở Hà Nội") is said so politely, with the whole list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from handlers.context import Context
from handlers.intake.buttons import StartCourse
from handlers.textnorm import fold, folded_phrases, nfc
from handlers.types import Button
from messages import t
from messages.deployment import profile
from storage.course_repo import (
    CourseListing,
    find_contact_unit_id,
    find_current_units,
    find_upcoming_courses,
)

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


@dataclass(frozen=True, slots=True)
class Place:
    """The place a message asks about: a commune (its unit) or a place we do not know."""

    name: str
    unit_id: int | None = None


_WORD = re.compile(r"\w+")


def typed_place(text: str) -> str | None:
    """The place a message about classes names after "ở"/"tại", as typed ("lớp ở Hà Nội" →
    "Hà Nội"); None when it names none ("lớp ở xã mình", "học ở đâu"). Word lists:
    messages/strings/faq.toml [faq.courses.place]."""
    words = _WORD.findall(nfc(text))
    keys = [fold(w) for w in words]
    if not folded_phrases("faq.courses.place.class_words") & set(keys):
        return None
    markers = folded_phrases("faq.courses.place.markers")
    prefixes = folded_phrases("faq.courses.place.prefixes")
    stops = folded_phrases("faq.courses.place.not_place") | markers
    for i, key in enumerate(keys):
        if key not in markers:
            continue
        j = i + 1
        while j < len(keys) and keys[j] in prefixes:
            j += 1
        run: list[str] = []
        # A capitalised word is a name even when it is also a common word ("Minh Khương").
        while (j < len(keys) and (keys[j] not in stops or words[j][:1].isupper())
               and not keys[j].isdigit() and len(run) < 4):
            run.append(words[j])
            j += 1
        if run:
            return " ".join(run)
    return None


async def asked_place(ctx: Context, text: str, today: date) -> Place | None:
    """The commune the message names (any of the current units), else an unknown place it
    names after "ở"/"tại", else None."""
    padded = f" {' '.join(fold(w) for w in _WORD.findall(nfc(text)))} "
    for unit in await find_current_units(ctx.session, today):
        if f" {unit.name_key} " in padded:
            return Place(unit.name, unit.id)
    typed = typed_place(text)
    return Place(typed) if typed else None


def render_course_list(
    listings: list[CourseListing], total: int, *, can_register: bool, header: str | None = None
) -> tuple[str, list[list[Button]]]:
    """The list text and, when registration through the bot exists, one button per class."""
    if not listings:
        return t("faq.courses.none"), []
    lines = [header or t("faq.courses.header")]
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


async def list_courses(
    ctx: Context, today: date, text: str = ""
) -> tuple[str, list[list[Button]]]:
    """The upcoming classes for this contact (their commune first, once known); only the
    commune's classes when ``text`` names one (see the module docstring)."""
    can_register = ctx.has_flow(REGISTER_FLOW)
    place = await asked_place(ctx, text, today) if text else None
    note = None
    if place is not None and place.unit_id is not None:
        listings, total = await find_upcoming_courses(
            ctx.session, today, only_unit_id=place.unit_id, limit=MAX_SHOWN)
        if listings:
            return render_course_list(listings, total, can_register=can_register,
                                      header=t("faq.courses.header_in", commune=place.name))
        note = t("faq.courses.none_in", commune=place.name)
    elif place is not None:
        communes = ", ".join(c.name for c in profile().communes)
        note = t("faq.courses.unknown_place", place=place.name, communes=communes)
    unit_id = await find_contact_unit_id(ctx.session, ctx.contact.id)
    listings, total = await find_upcoming_courses(
        ctx.session, today, unit_id=unit_id, limit=MAX_SHOWN
    )
    return render_course_list(listings, total, can_register=can_register, header=note)
