"""The live class list under the training.courses and training.schedule answers.

A message naming a commune ("lớp ở Bạch Xa", "co lop nao o Phu Luu khong") gets that commune's
classes (names compared without diacritics, from the units data); a place that is not one of
the communes ("lớp ở Hà Nội") is said so politely, with the whole list. A message naming a
class's trade ("lớp may thì sao", "có lớp nấu ăn không": handlers/trades.py) gets that trade's
classes, of the commune named too when there are some there.

At most five classes a message, each in two short lines (trade and commune; first day, length,
seats), fewer when a note or long names would pass TEXT_CHARS, so that a Zalo message stays
under ~600 characters; «Xem thêm lớp» shows the next ones. The
classes are numbered in the text and those numbers register (Reply.listed): Zalo, which writes
buttons as a numbered list, does not repeat them as "Đăng ký lớp 1 … 5".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import date, timedelta
from textwrap import shorten

from handlers.callbacks import CallbackData
from handlers.context import Context
from handlers.intake.buttons import StartCourse
from handlers.offers import offer_buttons
from handlers.own_cases import ChangeClass, ref_named
from handlers.router import SUBSCRIBE
from handlers.textnorm import contains_phrase, fold, folded_phrases, nfc
from handlers.trades import named_in, said_pairs, trade_asked
from handlers.types import Button
from messages import has, t
from messages.deployment import profile
from storage.cases_repo import NOT_SEATED, CaseStatus, get_cases_of_contact
from storage.course_repo import (
    CourseListing,
    find_contact_unit_id,
    find_current_units,
    find_upcoming_courses,
    upcoming_occupations,
)
from storage.models import Course, Unit

#: Classes shown in one message: a longer list does not read on a small phone.
MAX_SHOWN = 5
#: The trade word pairs a «Xem thêm lớp» id carries at most (ids are at most 64 bytes).
TRADE_CHARS = 30
REGISTER_FLOW = "intake"


def register_button_id(course_id: int) -> str:
    return StartCourse(course_id).pack()


@dataclass(frozen=True, slots=True)
class Picking:
    """What choosing the ``n``-th class of a list does: its button (``button(course_id, n)``),
    and the key of the list's last line saying so. Registering, unless a caller declares
    otherwise (handlers/own_cases.py: moving a registration there)."""

    button: Callable[[int, int], Button]
    footer: str
    #: The registration a class picked moves (carried by «Xem thêm lớp»: the next page too).
    moving: int | None = None


REGISTER = Picking(lambda course_id, n: Button(register_button_id(course_id),
                                               t("faq.courses.button", n=n)),
                   "faq.courses.choose")


def moving(case_id: int) -> Picking:
    """Choosing a class moves the registration ``case_id`` to it («Đổi sang lớp n»), on every
    page of the list: the second page registered anew, a second seat for the same person."""
    return Picking(lambda course_id, n: ChangeClass(case_id, course_id).button(
        t("courses.change.pick", n=n)), "courses.change.choose", moving=case_id)


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


@dataclass(frozen=True)
class MoreClasses(CallbackData, prefix="faq:classes"):
    """«Xem thêm lớp»: the list from the ``offset``-th class on; ``unit_id``: one commune's."""

    offset: int
    unit_id: int | None = None
    moving: int | None = None  # Picking.moving


@dataclass(frozen=True)
class MoreTradeClasses(CallbackData, prefix="faq:trade_classes"):
    """«Xem thêm lớp» of a trade's classes: only those the word pairs ``trade`` name ("lop
    may|nau an", handlers/trades.py); ``unit_id``: of one commune."""

    offset: int
    trade: str
    unit_id: int | None = None
    moving: int | None = None  # Picking.moving


@dataclass(frozen=True, slots=True)
class ClassList:
    """One message of the class list: ``listed`` = its first buttons are the classes, in the
    order the text numbers them (Reply.listed: Zalo does not write them out twice)."""

    text: str
    buttons: list[list[Button]]
    listed: int


#: Longest trade name (or venue, for a class of no commune) shown: one phone line.
OCCUPATION_CHARS = 40
#: The list's text on one page at most: on Zalo the options (the next page, the answer's
#: follow-ups, the hint: about 100 characters) come after it, within ~600.
TEXT_CHARS = 490
#: A trade's list names the venue of each class when it has at most this many (the lines
#: are longer: five would not fit a Zalo message).
VENUE_UP_TO = 2
#: A start date closer than this needs no year ("12/01"): it cannot be next year's same day.
NO_YEAR_WITHIN = timedelta(days=300)


def _place(listing: CourseListing, *, venue: bool = False) -> str:
    """Where the class is: its commune, with ``venue`` its venue too (a trade's list of a
    class or two: "lớp may công nghiệp học ở đâu" got the commune only, though the venue was
    known)."""
    if not listing.unit_name:
        return _short(listing.course.venue)
    commune = t("faq.courses.commune", name=listing.unit_name)
    if venue and listing.course.venue:
        return t("faq.courses.commune_venue", commune=commune, venue=_short(listing.course.venue))
    return commune


def _seats(listing: CourseListing) -> str:
    """The seats still free, or that the class is full; nothing when they are not given."""
    left = listing.seats_left
    if left is None:
        return ""
    return t("faq.courses.seats_left", n=left) if left else t("faq.courses.seats_full")


def _short(text: str) -> str:
    return shorten(text, OCCUPATION_CHARS, placeholder="…")


def _start(start: date, today: date | None) -> str:
    near = today is not None and today <= start < today + NO_YEAR_WITHIN
    return start.strftime("%d/%m" if near else "%d/%m/%Y")


def render_course_list(
    listings: list[CourseListing], total: int, *, can_register: bool, header: str | None = None,
    offset: int = 0, unit_id: int | None = None, today: date | None = None,
    in_flow: str | None = None, trade: str | None = None, lead: str | None = None,
    picking: Picking = REGISTER,
) -> ClassList:
    """The list text and, when registration through the bot exists, one button per class
    (numbered as in the text), then «Xem thêm lớp» when more follow this page; ``today``
    lets near start dates go without their year. Classes stop before the text would pass
    TEXT_CHARS (a long note, long names): the next page starts from the first one left out.
    ``in_flow``: the list answers a question asked inside that flow, whose options the numbers
    typed next answer: the classes are not numbered, nothing is a button, and the last line
    says how to register (``courses.asked_in.footer``)."""
    if not listings:
        return _none()
    if in_flow is not None:
        footer_key = f"courses.asked_in.footer_{in_flow}"
        return _unnumbered(listings, total, header, today,
                           t(footer_key if has(footer_key) else "courses.asked_in.footer"),
                           trade=trade is not None and total <= VENUE_UP_TO)
    own = listings[0].unit_name if listings[0].in_own_commune else None
    if header is None:
        header = t("faq.courses.header_own", commune=own) if own else t("faq.courses.header")
    if lead:
        header = f"{lead}\n{header}"
    lines = [header]
    buttons: list[list[Button]] = []
    page_key = "faq.courses.page_on" if offset and unit_id is None else "faq.courses.page"
    # Room for the footer kept first, so that adding it cannot push the text over the budget.
    room = TEXT_CHARS - len(header) - 2
    room -= len(t(picking.footer if can_register else "faq.courses.register_soon"))
    if offset or total > 1:
        room -= len(t(page_key, first=offset + 1, last=offset + MAX_SHOWN, total=total)) + 1
    for n, listing in enumerate(listings, 1):
        course = listing.course
        line = t(
            "faq.courses.line", n=n, occupation=_short(course.occupation),
            place=_place(listing, venue=trade is not None and total <= VENUE_UP_TO),
            start=_start(course.start_date, today),
            duration=_duration(listing), seats=_seats(listing),
        )
        room -= len(line) + 1
        if room < 0 and n > 1:
            break
        lines.append(line)
        if can_register:
            buttons.append([picking.button(course.id, n)])
    shown = len(lines) - 1
    last = offset + shown
    footer = [t(picking.footer)] if can_register else [t("faq.courses.register_soon")]
    if offset or total > last:
        footer.insert(0, t(page_key, first=offset + 1, last=last, total=total))
    if total > last:
        more = (MoreTradeClasses(last, trade, unit_id, picking.moving) if trade
                else MoreClasses(last, unit_id, picking.moving))
        buttons.append([more.button(t("faq.courses.more_button"))])
    lines.append(" ".join(footer))
    return ClassList("\n".join(lines), buttons, shown if can_register else 0)


def _unnumbered(
    listings: list[CourseListing], total: int, header: str | None, today: date | None,
    footer: str, *, trade: bool = False,
) -> ClassList:
    own = listings[0].unit_name if listings[0].in_own_commune else None
    if header is None:
        header = t("faq.courses.header_own", commune=own) if own else t("faq.courses.header")
    lines = [header]
    room = TEXT_CHARS - len(header) - len(footer) - 2
    for listing in listings:
        course = listing.course
        line = t("courses.asked_in.line", occupation=_short(course.occupation),
                 place=_place(listing, venue=trade), start=_start(course.start_date, today),
                 duration=_duration(listing), seats=_seats(listing))
        room -= len(line) + 1
        if room < 0 and len(lines) > 1:
            break
        lines.append(line)
    if total > len(lines) - 1:
        footer = f"{t('courses.asked_in.more', n=total - len(lines) + 1)} {footer}"
    return ClassList("\n".join([*lines, footer]), [], 0)


async def class_asked_about(ctx: Context) -> str | None:
    """A question about classes asked inside a form that has chosen one (ctx.asked_in):
    that class, from the class data (its first day and place, or that the day is not fixed
    yet, or that it no longer runs); None when no class is chosen or it is gone."""
    asked = ctx.asked_in
    course = (await ctx.session.get(Course, asked.course_id)
              if asked is not None and asked.course_id is not None else None)
    if course is None:
        return None
    params = await _class_params(ctx, course)
    key = _class_state(course)
    lines = [t(f"courses.asked_in.{key}", **params)]
    if course.status == "full":
        lines.append(t("courses.asked_in.full"))
    if key != "gone":
        lines.append(t("courses.asked_in.change"))
    return "\n".join(lines)


async def my_classes(ctx: Context, text: str, *, when_or_where: bool = False) -> str | None:
    """"lớp của em bao giờ học" from someone registered for a class: each class they are
    registered for (still open to them), from the class data; None when the message does not
    ask about their own class (``courses.mine.words``) or they are registered for none. It got
    the general timetable and every class, as if they had registered for nothing.
    ``when_or_where``: the question asks when or where classes are ("học ở đâu ạ"); from
    someone registered for a class, without naming another trade or commune, that is theirs
    too."""
    asks_mine = contains_phrase(text, folded_phrases("courses.mine.words"))
    if not asks_mine and not when_or_where:
        return None
    cases = [c for c in await get_cases_of_contact(ctx.session, ctx.contact.id)
             if c.course_id is not None and c.status not in NOT_SEATED - {CaseStatus.WAITLIST}]
    # The classes named are read only for someone registered for one: most who ask are not.
    if not cases or (not asks_mine and await _names_other_classes(ctx, text)):
        return None
    lines = []
    for case in cases:
        course = await ctx.session.get(Course, case.course_id)
        if course is not None:
            state = _class_state(course)
            # A mother's two children in the same class read as the same line twice.
            ref = ref_named(case) if len(cases) > 1 else case.ref
            lines.append(t(f"courses.mine.{state}", ref=ref, **await _class_params(ctx, course)))
    return "\n".join(lines) or None


async def _names_other_classes(ctx: Context, text: str) -> bool:
    """Does ``text`` name a trade or a place ("lớp may ở đâu", "lớp ở Bạch Xa bao giờ học")?"""
    today = ctx.now.astimezone(ctx.config.timezone).date()
    return (trade_asked(text) is not None
            or await _trade_classes(ctx, today, said_pairs(text)) is not None
            or await asked_place(ctx, text, today) is not None)


async def _class_params(ctx: Context, course: Course) -> dict[str, str]:
    """What the messages about one class say of it: trade, commune, first day, venue, length."""
    unit = await ctx.session.get(Unit, course.unit_id) if course.unit_id else None
    return {
        "occupation": course.occupation, "place": unit.name if unit else _short(course.venue),
        "start": course.start_date.strftime("%d/%m/%Y"),
        "venue": t("courses.asked_in.venue", venue=course.venue) if course.venue else "",
        "duration": _duration(CourseListing(course, None, False)),
    }


def _class_state(course: Course) -> str:
    """"yours" for a class that runs, "planned" for one whose first day is not fixed, "gone"."""
    return {"planned": "planned", "cancelled": "gone", "finished": "gone"}.get(
        course.status, "yours")


async def list_courses(
    ctx: Context, today: date, text: str = "", *,
    page: MoreClasses | MoreTradeClasses | None = None, picking: Picking = REGISTER,
) -> ClassList:
    """The upcoming classes for this contact (their commune first, once known); only the
    commune's classes when ``text`` names one, only the trade's when it names a trade (see the
    module docstring); ``page``: a later page of a list already shown (choosing one of its
    classes does what the first page's did); ``picking``: what choosing a class does."""
    if page is not None and page.moving is not None:
        picking = moving(page.moving)
    if isinstance(page, MoreTradeClasses):
        trade = await _trade_classes(ctx, today, page.trade.split("|"))
        found = (await _page(ctx, today, page.offset, page.unit_id, trade=trade,
                             picking=picking) if trade else None)
        return found or _none()
    if page is not None:
        return await _page(ctx, today, page.offset, page.unit_id, picking=picking) or _none()
    if ctx.asked_in is not None and ctx.asked_in.lists_classes:
        return ClassList(t("courses.asked_in.below"), [], 0)  # the form's question lists them
    place = await asked_place(ctx, text, today) if text else None
    # "lớp may thì sao": the classes of that trade (of the commune named, if one is).
    trade = await _trade_classes(ctx, today, said_pairs(text)) if text else None
    untaught = trade_asked(text) if text and trade is None else None
    found = await _listed(ctx, today, place, trade, untaught, picking)
    if untaught is None or not found.text:
        return found
    # "lớp sửa xe máy ở Thái Hòa" with no such class: said so, and to be told when there is.
    return replace(found, buttons=[*found.buttons, offer_buttons((SUBSCRIBE,))])


async def _listed(
    ctx: Context, today: date, place: Place | None, trade: _Trade | None, untaught: str | None,
    picking: Picking,
) -> ClassList:
    """The first page for a message naming ``place`` and ``trade`` (see ``list_courses``);
    ``untaught``: a trade named that no upcoming class teaches, said first."""
    lead = t("faq.courses.no_trade", trade=untaught) if untaught else None
    note = None
    if place is not None and place.unit_id is not None:
        if trade is not None:
            found = await _page(ctx, today, 0, place.unit_id, trade=trade, picking=picking)
            if found is not None:
                return found
            # "học nghề may ở Thái Hòa", taught only in Hàm Yên: the commune's cooking class
            # came as if it were it. Said so; the trade's classes elsewhere, and to be told.
            elsewhere = await _page(
                ctx, today, 0, None, t("faq.courses.trade_elsewhere", commune=place.name),
                trade=trade, picking=picking)
            if elsewhere is not None:
                return replace(elsewhere,
                               buttons=[*elsewhere.buttons, offer_buttons((SUBSCRIBE,))])
        found = await _page(ctx, today, 0, place.unit_id, lead=lead, picking=picking)
        if found is not None:
            return found
        note = t("faq.courses.none_in", commune=place.name)
    elif place is not None:
        communes = ", ".join(c.name for c in profile().communes)
        note = t("faq.courses.unknown_place", place=place.name, communes=communes)
    elif trade is not None:
        return await _page(ctx, today, 0, None, trade=trade, picking=picking) or _none()
    return await _page(ctx, today, 0, None, note, lead=lead, picking=picking) or _none()


@dataclass(frozen=True, slots=True)
class _Trade:
    """The upcoming classes a message names by their trade, and the word pairs that named
    them ("|"-joined, as «Xem thêm lớp» carries them)."""

    pairs: str
    ids: list[int]


async def _trade_classes(ctx: Context, today: date, said: Collection[str]) -> _Trade | None:
    """The classes the word pairs ``said`` name, by as many of the pairs as a button's id
    holds; None when they name none."""
    named = [(course_id, found) for course_id, occupation
             in await upcoming_occupations(ctx.session, today)
             if (found := named_in(occupation, said))]
    used = sorted(set().union(*(found for _, found in named)))
    while len("|".join(used)) > TRADE_CHARS and len(used) > 1:
        used.pop()
    if not used or len("|".join(used)) > TRADE_CHARS:
        return None
    return _Trade("|".join(used), [course_id for course_id, found in named
                                   if found & set(used)])


async def _page(
    ctx: Context, today: date, offset: int, only_unit_id: int | None, note: str | None = None,
    *, trade: _Trade | None = None, lead: str | None = None, picking: Picking = REGISTER,
) -> ClassList | None:
    """Up to five classes from ``offset`` on (one commune's, or all, the contact's first;
    with ``trade``, only that trade's); None when there are none."""
    only_ids = trade.ids if trade else None
    if only_unit_id is not None:
        listings, total = await find_upcoming_courses(
            ctx.session, today, only_unit_id=only_unit_id, limit=MAX_SHOWN, offset=offset,
            only_ids=only_ids)
    else:
        own = await find_contact_unit_id(ctx.session, ctx.contact.id)
        listings, total = await find_upcoming_courses(
            ctx.session, today, unit_id=own, limit=MAX_SHOWN, offset=offset, only_ids=only_ids)
    if not listings:
        return None
    if note is None and trade:
        note = (t("faq.courses.header_trade_in", commune=listings[0].unit_name or "")
                if only_unit_id is not None else t("faq.courses.header_trade"))
    elif only_unit_id is not None and note is None:
        note = t("faq.courses.header_in", commune=listings[0].unit_name or "")
    return render_course_list(listings, total, can_register=ctx.has_flow(REGISTER_FLOW),
                              header=note, lead=lead, offset=offset, unit_id=only_unit_id,
                              today=today,
                              in_flow=ctx.asked_in.flow if ctx.asked_in else None,
                              trade=trade.pairs if trade else None, picking=picking)


def _none() -> ClassList:
    return ClassList(t("faq.courses.none"), [], 0)
