"""Cases in chat for officers: ``/dangky`` lists the scope's registrations (newest first, paged,
filtered), a case card shows what the officer may see, and its buttons record a call or a
decision. Every change is kept with who and when (storage/threads_repo.py) and told to the
person in one plain sentence. Scope is checked on every action (handlers/access.py). A
person's own buttons (withdrawing, changing class) share this flow's prefix and are handed to
handlers/own_cases.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from handlers.access import can_open_case, get_officer
from handlers.callbacks import CallbackData
from handlers.case_lists import Filter, count_listed, listed_cases
from handlers.context import Context
from handlers.flow import Flow
from handlers.intake.questions import option_label
from handlers.notices import record_notice
from handlers.officials.documents import send_file
from handlers.officials.guard import get_scope, refuse
from handlers.own_cases import (
    ChangeClass,
    ChangeClassConfirmed,
    PickOtherClass,
    Withdraw,
    WithdrawConfirmed,
    change_class,
    my_cases_button,
    offer_other_class,
    person_withdraw,
)
from handlers.textnorm import folded_phrases, phrase_key
from handlers.types import Button, Inbound, InboundKind, Reply
from messages import has, t
from storage.cases_repo import CaseStatus
from storage.crypto import Cipher
from storage.models import Case, Contact, Course, Officer, Unit
from storage.threads_repo import get_status_history, record_status_change

FLOW = "cases"
#: The step while a case card is the latest thing shown: its actions may be typed.
CARD = "card"
#: Words as ``phrase_key`` keeps them (a note is cut after the words of its status).
_WORD = re.compile(r"[\w/]+")
PAGE = 8
#: Statuses an officer sets from the case card, in button order; the ones that need a note.
ACTIONS = (
    CaseStatus.CALLED,
    CaseStatus.NEEDS_INFO,
    CaseStatus.ELIGIBLE,
    CaseStatus.REJECTED,
    CaseStatus.DEPARTED,
    CaseStatus.ENROLLED,
    CaseStatus.CANCELLED,
)
NEEDS_NOTE = {CaseStatus.NEEDS_INFO: "ask_needs_info", CaseStatus.REJECTED: "ask_reason"}
#: The card's button label key for each action.
_ACTION_LABEL = {
    CaseStatus.CALLED: "button_called",
    CaseStatus.NEEDS_INFO: "button_needs_info",
    CaseStatus.ELIGIBLE: "button_eligible",
    CaseStatus.REJECTED: "button_rejected",
    CaseStatus.DEPARTED: "button_departed",
    CaseStatus.ENROLLED: "button_enrolled",
    CaseStatus.CANCELLED: "button_withdrawn",
}
NOTE_MAX = 500


@dataclass(frozen=True)
class CaseList(CallbackData, prefix="cases:list"):
    filter: Filter = Filter.ALL
    page: int = 1


@dataclass(frozen=True)
class OpenCase(CallbackData, prefix="cases:open"):
    case_id: int


@dataclass(frozen=True)
class SetStatus(CallbackData, prefix="cases:set"):
    case_id: int
    status: CaseStatus


@dataclass(frozen=True)
class DossierPdf(CallbackData, prefix="cases:pdf"):
    case_id: int


@dataclass(frozen=True)
class Cancel(CallbackData, prefix="cases:cancel"):
    pass


class CaseworkFlow(Flow):
    name = FLOW
    for_officers = True
    #: The note awaited must be words ("casework.note_text_only"); elsewhere it steps out.
    reads_non_text = True

    async def start(self, event: Inbound, ctx: Context) -> None:
        await show_list(ctx, Filter.ALL, 1, event.args)

    async def repeat(self, event: Inbound, ctx: Context) -> None:
        """After «giúp» or a question while a note is awaited: the note's question again (the
        list was shown while the next text was still taken as the note)."""
        if ctx.step == "note" and isinstance(ctx.data.get("case_id"), int):
            await ask_or_set(ctx, int(ctx.data["case_id"]), str(ctx.data.get("status", "")))
            return
        await self.start(event, ctx)

    async def on_callback(self, event: Inbound, ctx: Context, data: CallbackData) -> None:
        match data:
            case CaseList(filter=flt, page=page):
                await show_list(ctx, flt, page)
            case OpenCase(case_id=case_id):
                await show_card(ctx, case_id)
            case SetStatus(case_id=case_id, status=status):
                await ask_or_set(ctx, case_id, status.value)
            case DossierPdf(case_id=case_id):
                await send_dossier(ctx, case_id)
            case Withdraw(case_id=case_id) | WithdrawConfirmed(case_id=case_id):
                await person_withdraw(ctx, case_id, confirmed=isinstance(data, WithdrawConfirmed))
            case ChangeClass(case_id=case_id, course_id=course_id) | ChangeClassConfirmed(
                    case_id=case_id, course_id=course_id):
                await change_class(ctx, case_id, course_id,
                                   confirmed=isinstance(data, ChangeClassConfirmed))
            case PickOtherClass(case_id=case_id):
                await offer_other_class(ctx, case_id)
            case _:
                ctx.leave()
                await show_list(ctx, Filter.ALL, 1)

    def hears_officer_requests(self, ctx: Context) -> bool:
        return ctx.step == CARD  # "hôm nay cần gọi ai" under a card; never as a note

    async def on_message(self, event: Inbound, ctx: Context) -> None:
        if ctx.step == CARD and isinstance(ctx.data.get("case_id"), int):
            typed = typed_status(event.text)
            if typed is not None:
                # "đã gọi rồi, hẹn thứ 2 lên xã" under the card: that button, the rest its
                # note (it got the office's address from the FAQ).
                action, typed_note = typed
                case_id = int(ctx.data["case_id"])
                if typed_note is not None and len(typed_note) > NOTE_MAX:
                    ctx.reply(t("casework.note_too_long", length=len(typed_note),
                                limit=NOTE_MAX), intent=f"flow:{FLOW}.note")
                    return
                ctx.leave()
                if typed_note is None:
                    await ask_or_set(ctx, case_id, action.value)
                else:
                    await apply_status(ctx, case_id, action.value, typed_note)
                return
        if ctx.step != "note":
            ctx.leave()
            await ctx.dispatch(event)
            return
        note = " ".join(event.text.split()) if event.kind == InboundKind.TEXT else ""
        if not note:
            ctx.reply(t("casework.note_text_only"), [_cancel_row()], intent=f"flow:{FLOW}.note")
            return
        if len(note) > NOTE_MAX:
            # Refused whole, not cut: the person would get half of what the officer wrote.
            ctx.reply(t("casework.note_too_long", length=len(note), limit=NOTE_MAX),
                      [_cancel_row()], intent=f"flow:{FLOW}.note")
            return
        case_id, status = int(ctx.data["case_id"]), str(ctx.data["status"])
        ctx.leave()
        await apply_status(ctx, case_id, status, note)


def typed_status(text: str) -> tuple[CaseStatus, str | None] | None:
    """The card's action a typed text starts with (``casework.typed_status``: "đã gọi rồi",
    "cần bổ sung"), and the rest as typed for its note (None when nothing follows)."""
    if "?" in text:
        return None  # "đủ điều kiện chưa?" asks
    words = phrase_key(text).split()
    found = [(len(lead.split()), status) for status in ACTIONS
             for lead in folded_phrases(f"casework.typed_status.{status.value}")
             if words[:len(lead.split())] == lead.split()]
    if not found:
        return None
    n, status = max(found, key=lambda f: f[0])
    # The rest as typed, marks and all: the person may read the note.
    rest = text[list(_WORD.finditer(text))[n - 1].end():].strip(" ,.;:-–\n")
    return status, rest or None


def _registrant(relationship: str | None) -> str:
    """Who registered, for the card: the person, or a relative registering for them ("Người
    đăng ký: Con" read as if the child had registered; it means the reverse)."""
    if relationship in (None, "", "self"):  # not an option label: was "self"
        return t("casework.registrant_self")
    label = option_label("relationship", relationship)
    if relationship == "other" or not label:
        return t("casework.registrant_relative")
    return t("casework.registrant_relative_as", relation=label.lower())


def _cancel_row() -> list[Button]:
    return [Cancel().button(t("thread.cancel"))]


async def show_list(ctx: Context, flt: Filter, page: int, unit_text: str = "") -> None:
    scope = await get_scope(ctx, unit_text)
    if scope is None:
        return
    query = listed_cases(ctx, scope, flt)
    total = await count_listed(ctx, query)
    filter_label = t(f"casework.filter_{flt.value}")
    filter_row = [
        CaseList(f, 1).button(t(f"casework.button_filter_{f.value}"))
        for f in Filter
        if f != flt
    ]
    if total == 0:
        ctx.reply(t("casework.none", filter=filter_label, scope=scope.label),
                  [filter_row[:2], filter_row[2:]], intent=f"flow:{FLOW}.list")
        return
    pages = (total + PAGE - 1) // PAGE
    page = min(max(page, 1), pages)
    cases = list(
        await ctx.session.scalars(
            query.order_by(Case.created_at.desc(), Case.id.desc())
            .offset((page - 1) * PAGE)
            .limit(PAGE)
        )
    )
    today = ctx.now.astimezone(ctx.config.timezone).date()
    box = Cipher(ctx.config.encryption_key)
    lines = [t("casework.title", scope=scope.label, filter=filter_label, count=total, page=page,
               pages=pages)]
    for n, case in enumerate(cases, start=(page - 1) * PAGE + 1):
        lines.append(
            t(
                "casework.row",
                n=n,
                ref=case.ref,
                name=case.full_name or "",
                age=_age(case.date_of_birth, today),
                village=case.village or "",
                kind=t(f"intake.option.kind.{case.kind}") if has(
                    f"intake.option.kind.{case.kind}") else case.kind,
                interest=await _interest(ctx, case),
                phone=box.decrypt_opt(case.phone_enc) or "",
                status=status_label(case.status),
            )
        )
    buttons = [[OpenCase(c.id).button(t("casework.button_open", ref=c.ref))]
               for c in cases]
    nav = []
    if page > 1:
        nav.append(CaseList(flt, page - 1).button(t("casework.button_prev")))
    if page < pages:
        nav.append(CaseList(flt, page + 1).button(t("casework.button_next")))
    if nav:
        buttons.append(nav)
    buttons += [filter_row[:2], filter_row[2:]]
    ctx.reply("\n".join(lines), buttons, intent=f"flow:{FLOW}.list",
              case_refs=[c.ref for c in cases])


def _age(born: date | None, today: date) -> str:
    if born is None:
        return t("casework.age_unknown")
    return str(today.year - born.year - ((today.month, today.day) < (born.month, born.day)))


def status_label(status: str) -> str:
    key = f"casework.status.{status}"
    return t(key) if has(key) else status


async def _interest(ctx: Context, case: Case) -> str:
    if case.kind == "abroad":
        key = f"intake.option.market.{case.market}"
        return t(key) if has(key) else (case.market or "")
    course = await ctx.session.get(Course, case.course_id) if case.course_id else None
    return course.occupation if course else t("intake.summary.next_class")


async def _allowed(ctx: Context, case_id: int) -> tuple[Case, Officer] | None:
    officer = await get_officer(ctx.session, ctx.contact.id)
    if officer is None:
        refuse(ctx, "not_officer")
        return None
    case = await ctx.session.get(Case, case_id)
    if case is None or case.full_name is None:
        ctx.reply(t("casework.not_found"), intent=f"flow:{FLOW}.not_found")
        return None
    if not can_open_case(officer, case):
        refuse(ctx, "out_of_scope")
        return None
    return case, officer


async def show_card(ctx: Context, case_id: int) -> None:
    allowed = await _allowed(ctx, case_id)
    if allowed is None:
        return
    case, _ = allowed
    zone = ctx.config.timezone
    today = ctx.now.astimezone(zone).date()
    unit = await ctx.session.get(Unit, case.unit_id) if case.unit_id else None
    box = Cipher(ctx.config.encryption_key)
    lines = [
        t(
            "casework.card",
            ref=case.ref,
            status=status_label(case.status),
            name=case.full_name or "",
            dob=case.date_of_birth.strftime("%d/%m/%Y") if case.date_of_birth else "",
            age=_age(case.date_of_birth, today),
            gender=option_label("gender", case.gender) or "",
            phone=box.decrypt_opt(case.phone_enc) or "",
            village=case.village or "",
            unit=unit.name if unit else "",
            kind=t(f"intake.option.kind.{case.kind}") if has(
                f"intake.option.kind.{case.kind}") else case.kind,
            interest=await _interest(ctx, case),
            ethnicity=case.ethnicity or "",
            household=option_label("household", case.household_status) or "",
            relationship=_registrant(case.relationship_to_registrant),
            created=case.created_at.astimezone(zone).strftime("%d/%m/%Y"),
        )
    ]
    history = await get_status_history(ctx.session, case.id)
    if history:
        lines.append(t("casework.history_title"))
        for change in history[-5:]:
            who = await ctx.session.get(Officer, change.officer_id) if change.officer_id else None
            lines.append(
                t(
                    "casework.history_line",
                    at=change.created_at.astimezone(zone).strftime("%H:%M %d/%m"),
                    status=status_label(change.status),
                    note=f": {change.note}" if change.note else "",
                    who=(who.public_name or who.name) if who else t("casework.who_bot"),
                )
            )
    actions = [a for a in ACTIONS if _fits(a, case.kind) and a != case.status]
    buttons = [
        [SetStatus(case.id, a).button(t(f"casework.{_ACTION_LABEL[a]}"))]
        for a in actions
    ]
    if case.kind == "abroad":
        # The support dossier's progress, its review one tap away (the card said nothing of
        # it: the review was reached from /hoso or a notice only).
        from handlers.dossier.progress import load_view  # the dossier package imports this
        from handlers.dossier.review import OpenDossier  # module (its review's PDF button)

        view = await load_view(ctx.session, case)
        lines.append(t("casework.card_dossier", have=view.have, need=view.need,
                       waiting=len(view.waiting_review)))
        if view.waiting_review:
            buttons.insert(0, [OpenDossier(case.id).button(t("casework.button_review"))])
    buttons.append([DossierPdf(case.id).button(t("casework.button_dossier_pdf"))])
    buttons.append([CaseList().button(t("casework.button_list"))])
    if ctx.flow in (None, FLOW):
        # Its actions may be typed next; an announcement being written or an answer being
        # typed keeps its place (a card opened from a notice in the middle of it).
        ctx.enter(FLOW, CARD, {"case_id": case.id})
    ctx.reply("\n".join(lines), buttons, intent=f"flow:{FLOW}.card",
              case_ref=case.ref).about = case.contact_id


def _fits(status: CaseStatus, kind: str) -> bool:
    if status == CaseStatus.DEPARTED:
        return kind == "abroad"
    if status == CaseStatus.ENROLLED:
        return kind == "course"
    return True


async def ask_or_set(ctx: Context, case_id: int, status: str) -> None:
    if status not in {a.value for a in ACTIONS}:
        await show_card(ctx, case_id)
        return
    if await _allowed(ctx, case_id) is None:
        return
    note_key = NEEDS_NOTE.get(CaseStatus(status))
    if note_key is not None:
        ctx.enter(FLOW, "note", {"case_id": case_id, "status": status})
        ctx.reply(t(f"casework.{note_key}"), [_cancel_row()], intent=f"flow:{FLOW}.note")
        return
    await apply_status(ctx, case_id, status, None)


async def apply_status(ctx: Context, case_id: int, status: str, note: str | None) -> None:
    """Record the change, tell the person in one sentence, confirm to the officer."""
    allowed = await _allowed(ctx, case_id)
    if allowed is None:
        return
    case, officer = allowed
    record_status_change(ctx.session, case, status, officer_id=officer.id, note=note, now=ctx.now)
    person = await ctx.session.get(Contact, case.contact_id) if case.contact_id else None
    key = "casework.changed"
    if person is None or person.unreachable_at is not None:
        key = "casework.changed_unreachable"
    else:
        reply = Reply(
            t(f"casework.tell.{status}", ref=case.ref, note=note or ""),
            [[my_cases_button()]],
            meta={"intent": "flow:status.changed", "case_ref": case.ref, "status": status},
        )
        ctx.tell(person, reply)
    # The note as recorded, so a typed one ("đã gọi rồi, hẹn thứ 2 lên xã") can be checked.
    label = f"{status_label(status)} ({note})" if note else status_label(status)
    ctx.reply(t(key, ref=case.ref, status=label),
              [[OpenCase(case.id).button(t("casework.button_open", ref=case.ref))],
               [CaseList().button(t("casework.button_list"))]],
              intent=f"flow:{FLOW}.changed", case_ref=case.ref, status=status)


async def send_dossier(ctx: Context, case_id: int) -> None:
    """The printable dossier PDF: a document on Telegram, a signed link on Zalo."""
    from handlers.dossier.export import export_dossier

    allowed = await _allowed(ctx, case_id)
    if allowed is None:
        return
    case, officer = allowed
    data, _ = await export_dossier(ctx.session, ctx.files, case, ctx.now, ctx.config.timezone)
    await send_file(
        ctx,
        officer,
        data,
        file_name=f"{case.ref}.pdf",
        what=t("doclink.what_dossier", ref=case.ref),
        intent=f"flow:{FLOW}.pdf",
        case_id=case.id,
    )


async def tell_officers_of_erasure(ctx: Context, cases: list[Case]) -> None:
    """A person deleted their data: the officers of each commune concerned are told which
    references lost their personal data (the notice names no person)."""
    by_unit: dict[int | None, list[str]] = {}
    for case in cases:
        by_unit.setdefault(case.unit_id, []).append(case.ref)
    for unit_id, refs in by_unit.items():
        await record_notice(
            ctx.session,
            kind="erased",
            text_key="casework.erased_notice",
            now=ctx.now,
            unit_id=unit_id,
            params={"refs": ", ".join(refs)},
        )
