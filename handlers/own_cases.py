"""What a person does with their own registrations, and what they are told of them.

Withdrawing one ("thôi em không học nữa", «Rút đăng ký»), confirmed first; the commune's officers
are told. Moving one to another class ("em muốn đổi sang lớp may"): it got the list of sewing
classes to register for, as if nothing were registered, and a class picked there started the
whole form again (twelve questions already answered) while the first registration kept its
seat. Now the list's classes move the registration itself: the same reference and details, the
new class, after one confirmation; the officers are told. A full, cancelled or past class is
said so, and the registration stays as it was. And the line under a registration saying when an
officer last moved it.

The buttons' prefix is "cases", the case work flow's (handlers/casework.py), which hands them
here: ids already sent keep working.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.callbacks import CallbackData
from handlers.context import Context
from handlers.intake.validators import looks_like_question
from handlers.notices import record_notice
from handlers.textnorm import contains_phrase, folded_phrases, phrase_key, spelt_key
from handlers.types import Button, Inbound
from messages import raw, t
from storage.cases_repo import CaseStatus, get_cases_of_contact, is_full
from storage.course_announcements import CANCELLED
from storage.course_repo import OPEN_STATUSES
from storage.models import Case, Course, Unit
from storage.threads_repo import get_status_history, record_status_change

#: A class marked full by the office: said full, not gone.
FULL = "full"
FLOW = "cases"  # the case work flow's name: it hands these buttons here
STATUS = "status"  # the flow listing a person's registrations
#: A person may withdraw a case that is still open (or move it to another class).
WITHDRAWABLE = frozenset(
    {CaseStatus.NEW, CaseStatus.WAITLIST, CaseStatus.CALLED, CaseStatus.NEEDS_INFO,
     CaseStatus.DOSSIER_IN_PROGRESS, CaseStatus.ELIGIBLE}
)


@dataclass(frozen=True)
class Withdraw(CallbackData, prefix="cases:withdraw"):
    """The person asks to withdraw their registration (then confirms)."""

    case_id: int


@dataclass(frozen=True)
class WithdrawConfirmed(CallbackData, prefix="cases:withdraw_yes"):
    case_id: int

    # "có" after "thôi em không học nữa" and "chắc chắn rút?" (registering again undoes it).
    typed_yes = True


@dataclass(frozen=True)
class ChangeClass(CallbackData, prefix="cases:change"):
    """A class of the list shown for a change: move the registration ``case_id`` to it?"""

    case_id: int
    course_id: int


@dataclass(frozen=True)
class ChangeClassConfirmed(CallbackData, prefix="cases:change_yes"):
    case_id: int
    course_id: int

    typed_yes = True


@dataclass(frozen=True)
class PickOtherClass(CallbackData, prefix="cases:other_class"):
    """«Đổi sang lớp khác» under the message saying the class of the registration ``case_id``
    moved or was cancelled (handlers/outreach/class_changed.py): the classes to move it to."""

    case_id: int


def ref_named(case: Case) -> str:
    """A registration's reference with whose it is ("HY-2026-00001 – Hà Văn Nam"): a family's
    several read alike by reference alone."""
    return t("casework.ref_named", ref=case.ref, name=case.full_name) if case.full_name else (
        case.ref)


async def class_cancelled(session: AsyncSession, case: Case) -> bool:
    """Whether ``case`` is a registration still open for a class that was cancelled."""
    if case.course_id is None or case.status not in WITHDRAWABLE:
        return False
    # By key: the class is in the session already when "hồ sơ của tôi" named it (no query).
    course = await session.get(Course, case.course_id)
    return course is not None and course.status == CANCELLED


async def other_class_buttons(session: AsyncSession, cases: list[Case]) -> list[list[Button]]:
    """«Đổi lớp cho …» under "Hồ sơ của tôi", for each open registration whose class was
    cancelled (the message saying so offered the same)."""
    return [[PickOtherClass(c.id).button(t("courses.moved.button_other_for", ref=c.ref))]
            for c in cases if await class_cancelled(session, c)]


def withdraw_buttons(cases: list[Case]) -> list[list[Button]]:
    """The person's «Rút đăng ký» buttons under "Hồ sơ của tôi"."""
    return [[Withdraw(c.id).button(t("casework.button_person_withdraw", ref=c.ref))]
            for c in cases if c.status in WITHDRAWABLE]


async def person_withdraw(ctx: Context, case_id: int, *, confirmed: bool) -> None:
    """The person withdraws their own registration; the commune's officers are told."""
    case = await ctx.session.get(Case, case_id)
    if case is None or case.contact_id != ctx.contact.id or case.status not in WITHDRAWABLE:
        ctx.reply(t("casework.not_found"), intent=f"flow:{FLOW}.not_found")
        return
    if not confirmed:
        named = ref_named(case)
        ctx.reply(
            t("casework.person_withdraw_confirm", ref=named),  # whose, of a family's several
            [[WithdrawConfirmed(case.id).button(t("casework.button_person_withdraw_yes"))],
             [my_cases_button()]],
            intent=f"flow:{FLOW}.withdraw_confirm",
        )
        return
    record_status_change(ctx.session, case, CaseStatus.CANCELLED, officer_id=None, note=None,
                         now=ctx.now)
    await _tell_officers(ctx, case, "withdrawn", "casework.withdrawn_notice")
    ctx.reply(t("casework.person_withdrawn", ref=case.ref),
              [[my_cases_button()]],
              intent=f"flow:{FLOW}.withdrawn", case_ref=case.ref)


async def latest_change_line(ctx: Context, case: Case) -> str | None:
    """The person's status view: when the officer last moved the case, and the note if any.
    The person's own moves (a withdrawal, a change of class) are no officer's update."""
    history = [h for h in await get_status_history(ctx.session, case.id)
               if h.officer_id is not None]
    if not history:
        return None
    last = history[-1]
    return t(
        "casework.person_update",
        at=last.created_at.astimezone(ctx.config.timezone).strftime("%d/%m/%Y"),
        note=f": {last.note}" if last.note else "",
    )


def my_cases_button() -> Button:
    """«Hồ sơ của tôi»."""
    from handlers.privacy import Action, Choose  # privacy imports case work, which imports this

    return Choose(Action.CASES).button(t("privacy.button.cases"))


@dataclass(frozen=True, slots=True)
class OwnQuestion:
    """A short question about the person's own registration, naming nothing else: its words
    (``casework.own_questions.<key>``) and, for each kind of open registration it is asked
    about, what answers it: an action started, or with ``topic`` an FAQ topic answered."""

    key: str
    answers: Mapping[str, str]
    topic: bool = False


#: "giờ phải làm giấy tờ gì" got "not the bot's business" (making papers is most often another
#: office's: a marriage, land), and so did "bao giờ có kết quả" (a school's, an exam's); "mất
#: bao nhiêu tiền" from someone registered for a class got what going abroad costs.
OWN_QUESTIONS = (
    OwnQuestion("papers", {"abroad": "dossier.missing"}),
    OwnQuestion("status", {"abroad": STATUS, "course": STATUS}),
    OwnQuestion("cost", {"abroad": "abroad.costs", "course": "training.support"}, topic=True),
)


@dataclass(frozen=True, slots=True)
class OwnAnswer:
    """What answers a question of ``OWN_QUESTIONS`` for this person."""

    answer: str
    topic: bool


async def own_question(
    ctx: Context, event: Inbound, *, drafting: str | None = None
) -> OwnAnswer | None:
    """A question of ``OWN_QUESTIONS`` from someone with an open registration of its kinds:
    what answers it there (their dossier's missing papers, their status, what their kind
    costs). None when the message names something besides (each other word is one of
    ``casework.own_questions.words``), the person has no such registration, or their
    registrations of different kinds would answer it differently. ``drafting``: the kind of
    the registration form it is asked in, which answers the questions a topic answers ("mất
    bao nhiêu tiền" in a class's form got what going abroad costs)."""
    key = f" {spelt_key(event.text)} "
    found = next(((question, asked) for question in OWN_QUESTIONS
                  for asked in sorted(folded_phrases(f"casework.own_questions.{question.key}"),
                                      key=len, reverse=True)
                  if f" {asked} " in key), None)
    if found is None:
        return None
    question, asked = found
    rest = key.replace(f" {asked} ", " ", 1).split()
    if not set(rest) <= {w for p in folded_phrases("casework.own_questions.words")
                         for w in p.split()}:
        return None
    if drafting is not None:
        answer = question.answers.get(drafting) if question.topic else None
        return OwnAnswer(answer, topic=True) if answer else None
    cases = await get_cases_of_contact(ctx.session, ctx.contact.id)
    answers = {question.answers[c.kind] for c in cases
               if c.kind in question.answers and c.status in WITHDRAWABLE}
    return OwnAnswer(answers.pop(), question.topic) if len(answers) == 1 else None


async def withdraw_in_words(ctx: Context, event: Inbound) -> bool:
    """"thằng Nam không học nữa" from someone with open registrations: the withdrawal of the
    one whose name is said (or of the only one) is asked to confirm; with several and none
    named, their list with a «Rút đăng ký» each. It got the class timetable. False for a
    question ("không học nữa thì có sao không") or when the words ask no withdrawal
    (``casework.withdraw_words``)."""
    if not contains_phrase(event.text, folded_phrases("casework.withdraw_words")):
        return False
    if looks_like_question(event.text, raw("intake.question_markers")):
        return False
    cases = [c for c in await get_cases_of_contact(ctx.session, ctx.contact.id)
             if c.status in WITHDRAWABLE]
    if not cases:
        return False
    padded = f" {phrase_key(event.text)} "
    named = [c for c in cases if c.full_name and any(
        f" {phrase_key(name)} " in padded for name in (c.full_name, c.full_name.split()[-1]))]
    if len(named) == 1 or len(cases) == 1:
        await person_withdraw(ctx, (named or cases)[0].id, confirmed=False)
    else:
        await ctx.start_action(event, STATUS)  # the list, a «Rút đăng ký» under each
    return True


async def forward_edit_request(ctx: Context, event: Inbound) -> bool:
    """"tôi muốn sửa số điện thoại đã đăng ký", "đăng ký nhầm nước" from someone with an open
    registration: the officers change what was sent, so the request goes to them as a
    question, said so in one sentence. It started a new fourteen-question registration. False
    when the words ask no change of something registered (``casework.edit_request``)."""
    if not (contains_phrase(event.text, folded_phrases("casework.edit_request.change"))
            and contains_phrase(event.text, folded_phrases("casework.edit_request.what"))):
        return False
    if not any(c.status in WITHDRAWABLE
               for c in await get_cases_of_contact(ctx.session, ctx.contact.id)):
        return False
    # The hand-off imports the form's modules, which import this one.
    from handlers.handoff import FLOW as HANDOFF
    from handlers.handoff import QUESTION

    ctx.reply(t("casework.edit_request.lead"), intent=f"flow:{HANDOFF}.edit_request")
    await ctx.start_action(event, HANDOFF, {QUESTION: event.text})
    return True


async def offer_class_change(ctx: Context, text: str) -> bool:
    """"đổi sang lớp may" from someone registered for a class: which class they have, and the
    classes (of the trade or commune named, if any) to move to. False when the message does not
    ask to change class (``courses.change.words``) or no class registration can be changed."""
    if not contains_phrase(text, folded_phrases("courses.change.words")):
        return False
    case = await _changeable(ctx)
    if case is None or case.course_id is None:
        return False
    await _classes_to_move_to(ctx, case, text)
    return True


async def offer_other_class(ctx: Context, case_id: int) -> None:
    """«Đổi sang lớp khác» under the message saying the registration's class moved or was
    cancelled: the classes to move it to, as "đổi sang lớp khác" typed lists them."""
    case = await ctx.session.get(Case, case_id)
    if (case is None or case.contact_id != ctx.contact.id or case.course_id is None
            or case.status not in WITHDRAWABLE):
        ctx.reply(t("casework.not_found"), [[my_cases_button()]],
                  intent=f"flow:{FLOW}.not_found")
        return
    await _classes_to_move_to(ctx, case, "")


async def _classes_to_move_to(ctx: Context, case: Case, text: str) -> None:
    """The class ``case`` has, then the classes (those ``text`` names, if any) to move it to."""
    # The class list imports the router, which imports case work, which imports this.
    from handlers.courses import list_courses, moving

    current = await ctx.session.get(Course, case.course_id) if case.course_id else None
    today = ctx.now.astimezone(ctx.config.timezone).date()
    # Its classes move this registration («Đổi sang lớp n»), not register again.
    classes = await list_courses(ctx, today, text, picking=moving(case.id))
    ctx.reply(t("courses.change.lead", ref=case.ref, **await _named(ctx, current)),
              intent=f"flow:{FLOW}.change")
    ctx.reply(classes.text, classes.buttons, intent=f"flow:{FLOW}.change").listed = classes.listed


async def change_class(ctx: Context, case_id: int, course_id: int, *, confirmed: bool) -> None:
    """Ask to confirm moving the registration ``case_id`` to the class ``course_id``, or move
    it (``confirmed``): same reference and details, a seat in the new class; officers told."""
    case = await ctx.session.get(Case, case_id)
    my_cases = [[my_cases_button()]]
    if (case is None or case.contact_id != ctx.contact.id or case.course_id is None
            or case.status not in WITHDRAWABLE):
        ctx.reply(t("casework.not_found"), my_cases, intent=f"flow:{FLOW}.not_found")
        return
    if course_id == case.course_id:
        ctx.reply(t("courses.change.same", ref=case.ref), my_cases, intent=f"flow:{FLOW}.change")
        return
    # Locked until commit (PostgreSQL): the last seat is not given twice.
    course = await ctx.session.get(Course, course_id, with_for_update=True)
    today = ctx.now.astimezone(ctx.config.timezone).date()
    if (course is None or course.start_date < today
            or course.status not in (*OPEN_STATUSES, FULL)):
        ctx.reply(t("courses.change.gone", ref=case.ref), my_cases,
                  intent=f"flow:{FLOW}.change_refused")
        return
    new = await _named(ctx, course)
    if await is_full(ctx.session, course):
        ctx.reply(t("courses.change.full", ref=case.ref, **new), my_cases,
                  intent=f"flow:{FLOW}.change_refused")
        return
    if not confirmed:
        old = await _named(ctx, await ctx.session.get(Course, case.course_id))
        ctx.reply(t("courses.change.confirm", ref=case.ref, old=old["occupation"],
                    old_place=old["place"], **new),
                  [[ChangeClassConfirmed(case.id, course.id).button(t("courses.change.button"))],
                   *my_cases],
                  intent=f"flow:{FLOW}.change_confirm")
        return
    old_course = await ctx.session.get(Course, case.course_id)
    old = await _named(ctx, old_course)
    case.course_id = course.id
    case.updated_at = ctx.now
    if case.status == CaseStatus.WAITLIST:
        # Waiting for a full class, moved to one with a seat: seated now.
        record_status_change(ctx.session, case, CaseStatus.NEW, officer_id=None, note=None,
                             now=ctx.now)
    await _tell_officers(ctx, case, "class_changed", "courses.change.notice", ref=case.ref,
                         old=t("courses.change.class_at", **old),
                         new=t("courses.change.class_at", **new))
    ctx.reply(t("courses.change.done", ref=case.ref, **new), my_cases,
              intent=f"flow:{FLOW}.class_changed", case_ref=case.ref)


async def _tell_officers(ctx: Context, case: Case, kind: str, text_key: str,
                         **params: str) -> None:
    """A notice to the officers of the case's commune, with «Mở hồ sơ» under it."""
    from handlers.casework import OpenCase  # case work imports this module

    await record_notice(
        ctx.session, kind=kind, text_key=text_key, now=ctx.now, unit_id=case.unit_id,
        case_id=case.id, cipher_key=ctx.config.encryption_key,
        params={**params, "buttons": [[OpenCase(case.id).pack(), "casework.button_open_case"]]},
    )


async def _changeable(ctx: Context) -> Case | None:
    """The person's latest class registration that is still open to them."""
    cases = [c for c in await get_cases_of_contact(ctx.session, ctx.contact.id)
             if c.course_id is not None and c.status in WITHDRAWABLE]
    return cases[-1] if cases else None


async def _named(ctx: Context, course: Course | None) -> dict[str, str]:
    """A class as the messages name it: its trade, commune (or venue) and first day."""
    if course is None:
        return {"occupation": "?", "place": "?", "start": "?"}
    unit = await ctx.session.get(Unit, course.unit_id) if course.unit_id else None
    return {"occupation": course.occupation, "place": unit.name if unit else course.venue,
            "start": course.start_date.strftime("%d/%m/%Y")}
