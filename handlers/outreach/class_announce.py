"""Announcing a class from an officer's offer (handlers/outreach/new_class.py), for the
composer (compose.py): the draft it goes to the preview with, or why not. A class announced
already, by anyone, is said (who, when, how far it got) with that announcement's report and
«Vẫn gửi lại» (a reminder is a real need; a stale tap is not); the same is checked again at
«Gửi», the classes' rows locked (storage/course_announcements.py), so two officers confirming
at once send one announcement. A class that started (or is cancelled) is not announced."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from handlers.context import Context
from handlers.intake.questions import local_today
from handlers.outreach.compose_steps import Report, intent
from handlers.outreach.new_class import (
    AnnounceCourse,
    AnnounceCourses,
    batch_courses,
    course_text,
    courses_text,
)
from handlers.outreach.rules import RuleError, check_scope
from messages import t
from storage.course_announcements import (
    CLOSED,
    announceable,
    latest_announcements,
    lock_courses,
)
from storage.models import Broadcast, Course, Officer
from storage.outreach_repo import broadcast_report


@dataclass(frozen=True, slots=True)
class ClassDraft:
    """An announcement of a class (``course``; ``again``: the announcement of it the officer
    chose to send again) or of several (``courses``, from the summary offer ``batch``)."""

    text: str
    units: list[int]
    course: int | None = None
    again: int | None = None
    courses: list[int] | None = None
    batch: int | None = None


async def course_draft(
    ctx: Context, officer: Officer, course_id: int, again: int | None = None
) -> ClassDraft | None:
    """The one-tap offer of a new class: its draft, straight to the preview; unless the
    class may not be announced (started, cancelled, finished) or was announced already, by
    anyone, which is said instead. ``again``: «Vẫn gửi lại» under that message, naming the
    announcement the officer was told of (a newer one is told of in turn)."""
    course = await ctx.session.get(Course, course_id)
    units = [course.unit_id] if course is not None and course.unit_id else []
    try:
        check_scope(officer, units)
    except RuleError:
        course = None
    if course is None or not announceable(course, local_today(ctx)):
        _say_not_announceable(ctx, course)
        return None
    prior = (await latest_announcements(ctx.session, [course.id])).get(course.id)
    if prior is not None and prior.id != again:
        await _say_announced(ctx, officer, course, prior)
        return None
    return ClassDraft(await course_text(ctx.session, course), units, course=course.id,
                      again=again)


async def courses_draft(
    ctx: Context, officer: Officer, batch_id: int,
    room: Callable[[Context, list[int]], Awaitable[int]],
) -> ClassDraft | None:
    """A summary offer's «Thông báo chung»: the draft of one announcement of its classes
    (those that may still be announced and were not, in the officer's scope, as many as
    ``room`` leaves characters for); the classes left out because they were announced already
    are counted above its preview."""
    courses = await batch_courses(ctx.session, batch_id, local_today(ctx))
    announced = await latest_announcements(ctx.session, [c.id for c in courses])
    left = [c for c in courses if c.id not in announced]
    units = sorted({c.unit_id for c in left or courses if c.unit_id})
    if any(c.unit_id is None for c in left or courses):
        units = []  # a class of no commune: for everyone, as the office decides
    try:
        check_scope(officer, units)
    except RuleError:
        left = courses = []
    if not courses:
        ctx.reply(t("outreach.rule.scope"), intent=intent("refused"))
        return None
    if not left:
        ctx.reply(t("compose.courses_all_announced"),
                  [[Report().button(t("compose.button.report"))]], intent=intent("announced"))
        return None
    if announced:
        ctx.reply(t("compose.courses_left_out", count=len(courses) - len(left)),
                  intent=intent("announced"))
    text, named = await courses_text(ctx.session, left, await room(ctx, units))
    return ClassDraft(text, units, courses=[c.id for c in named], batch=batch_id)


async def classes_still_to_announce(ctx: Context, officer: Officer) -> list[Course] | None:
    """At «Gửi»: the classes the announcement is about (none for one written by hand), their
    rows locked until the commit, so two officers confirming at once are checked one after
    the other. None when one of them was announced since the preview (by someone else, or by
    this officer from an older preview) or may not be announced any more: that is said, the
    draft dropped, nothing sent."""
    data = ctx.data
    single = data.get("course")
    ids = [int(single)] if single is not None else [int(i) for i in data.get("courses", [])]
    if not ids:
        return []
    courses = await lock_courses(ctx.session, ids)
    today = local_today(ctx)
    announced = await latest_announcements(ctx.session, ids)
    if single is not None:
        course = courses[0] if courses else None
        prior = announced.get(int(single))
        if course is not None and announceable(course, today) and (
            prior is None or prior.id == data.get("again")
        ):
            return courses
        ctx.leave()
        if course is not None and prior is not None and announceable(course, today):
            await _say_announced(ctx, officer, course, prior)
        else:
            _say_not_announceable(ctx, course)
        return None
    if len(courses) == len(ids) and not announced and all(
        announceable(c, today) for c in courses
    ):
        return courses
    ctx.leave()
    batch = data.get("batch")
    again = AnnounceCourses(int(batch)).button(t("compose.button.courses_again")) if batch else None
    ctx.reply(t("compose.courses_changed"), [[again]] if again else [],
              intent=intent("announced"))
    return None


def _say_not_announceable(ctx: Context, course: Course | None) -> None:
    """Why the class is not announced: not the officer's (or gone), cancelled or finished, or
    started already."""
    if course is None:
        ctx.reply(t("outreach.rule.scope"), intent=intent("refused"))
        return
    params = {"occupation": course.occupation, "start": course.start_date.strftime("%d/%m/%Y")}
    key = "compose.course_closed" if course.status in CLOSED else "compose.course_started"
    ctx.reply(t(key, **params), intent=intent("refused"))


async def _say_announced(
    ctx: Context, officer: Officer | None, course: Course, prior: Broadcast
) -> None:
    """The class was announced already: by whom, when, how far it got; that announcement's
    report, or «Vẫn gửi lại» (a reminder)."""
    report = await broadcast_report(ctx.session, prior)
    author = await ctx.session.get(Officer, prior.officer_id) if prior.officer_id else None
    if author is None:
        who = t("compose.announced.who_terminal")
    elif officer is not None and author.id == officer.id:
        who = t("compose.announced.who_you")
    else:
        who = author.public_name or author.name or t("compose.announced.who_officer")
    later = prior.status == "scheduled" and prior.send_at > ctx.now
    # Due and not picked up yet (within a second or two): it is being sent.
    status = "sending" if prior.status == "scheduled" else prior.status
    reach = report["recipients"]
    text = t(
        f"compose.announced.{'scheduled' if later else 'sent'}",
        occupation=course.occupation,
        start=course.start_date.strftime("%d/%m/%Y"),
        id=prior.id,
        who=who,
        at=prior.send_at.astimezone(ctx.config.timezone).strftime("%H:%M %d/%m/%Y"),
        status=t(f"compose.status.{status}"),
        reach=t("compose.announced.reach", sent=report["sent"], recipients=reach) if reach else "",
    )
    ctx.reply(
        "\n".join([text, t("compose.announced.again")]),
        [
            [Report(prior.id).button(t("compose.button.report_one", id=prior.id))],
            [AnnounceCourse(course.id, prior.id).button(t("compose.button.announce_again"))],
        ],
        intent=intent("announced"),
    )
