"""The person's side of a conversation with the officers (a thread): opening it with a notice to
the commune's officers, the person's follow-up messages, and who the officers are told is
asking. The hand-off flow (handlers/handoff.py) decides when; the officers' side is
handlers/threads.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from handlers.context import Context
from handlers.intake.drafts import get_draft
from handlers.notices import record_notice
from handlers.officials.accounts import get_officer_contacts, record_for_officers
from handlers.textnorm import fold
from handlers.types import Button, Reply
from messages import t
from storage.models import Case, Thread, ThreadMessage, Unit
from storage.threads_repo import PERSON, add_person_message, open_thread

#: Longer questions are cut: a notice must fit in one officer message.
QUESTION_MAX = 1000
#: The same message sent again within this time is not relayed again.
REPEAT_WINDOW = timedelta(minutes=10)


async def _latest_case(ctx: Context) -> Case | None:
    case: Case | None = await ctx.session.scalar(
        select(Case)
        .where(Case.contact_id == ctx.contact.id)
        .order_by(Case.updated_at.desc(), Case.id.desc())
        .limit(1)
    )
    return case


def person_name(ctx: Context, case: Case | None, typed: str | None = None) -> str:
    """Who asks: the case's name, else the one typed in a registration under way, else the
    platform's display name. A relative who registered someone else asks as that person's
    relative (the officer used to read the son's name while his mother was asking)."""
    shown = ctx.contact.display_name or t("handoff.anonymous")
    if case is not None and case.full_name and case.relationship_to_registrant != "self":
        # Without a display name, no "(không rõ tên)" in brackets of its own.
        if not ctx.contact.display_name:
            return t("handoff.relative_of_unnamed", applicant=case.full_name)
        return t("handoff.relative_of", applicant=case.full_name, name=shown)
    return (case.full_name if case else None) or typed or shown


async def start_thread(ctx: Context, question: str, unit_id: int | None) -> Thread:
    """Open a thread and tell the officers of ``unit_id`` (the office when it has none)."""
    question = question[:QUESTION_MAX]
    case = await _latest_case(ctx)
    thread = await open_thread(
        ctx.session,
        contact_id=ctx.contact.id,
        unit_id=unit_id,
        case_id=case.id if case else None,
        text=question,
        now=ctx.now,
    )
    unit = await ctx.session.get(Unit, unit_id) if unit_id else None
    # Asked from the middle of a first registration: the name typed there (after consent),
    # not "(không rõ tên)".
    draft = await get_draft(ctx.session, ctx.contact.id) if case is None else None
    typed = draft.data.get("full_name") if draft is not None else None
    # With a case, its reference and phone are added when the notice is delivered.
    await record_notice(
        ctx.session,
        kind="handoff",
        text_key="thread.notice_with_case" if case is not None else "thread.notice",
        now=ctx.now,
        unit_id=unit_id,
        case_id=case.id if case is not None else None,
        contact_id=ctx.contact.id,
        cipher_key=ctx.config.encryption_key,
        params={
            "thread_id": thread.id,
            "name": person_name(ctx, case, typed if isinstance(typed, str) else None),
            "unit": unit.name if unit else t("thread.no_unit"),
            "question": question,
            "buttons": officer_buttons(thread.id, with_case=True),
        },
    )
    return thread


def officer_buttons(thread_id: int, *, with_case: bool) -> list[list[str]]:
    """The buttons under a notice to officers, as the notice keeps them: [id, label key]."""
    from handlers.threads import Answer, CloseThread, OpenThreadCase  # threads imports this module

    rows = [[Answer(thread_id).pack(), "thread.button_answer"]]
    if with_case:
        rows.append([OpenThreadCase(thread_id).pack(), "thread.button_case"])
    rows.append([CloseThread(thread_id).pack(), "thread.button_close"])
    return rows


async def just_sent(ctx: Context, thread: Thread, text: str) -> bool:
    """Is ``text`` the person's latest message in ``thread``, sent less than
    ``REPEAT_WINDOW`` ago (the same words, case and diacritics aside)?"""
    last = await ctx.session.scalar(
        select(ThreadMessage)
        .where(ThreadMessage.thread_id == thread.id)
        .order_by(ThreadMessage.id.desc())
        .limit(1)
    )
    return (
        last is not None
        and last.author == PERSON
        and ctx.now - last.created_at < REPEAT_WINDOW
        and fold(last.text[:QUESTION_MAX]).strip() == fold(text[:QUESTION_MAX]).strip()
    )


async def follow_up(ctx: Context, thread: Thread, text: str) -> None:
    """The person's next message: to the officer who answered, else to the thread's unit."""
    text = text[:QUESTION_MAX]
    add_person_message(ctx.session, thread, text, ctx.now)
    case = await ctx.session.get(Case, thread.case_id) if thread.case_id else None
    params: dict[str, Any] = {
        "thread_id": thread.id,
        "name": person_name(ctx, case),
        "question": text,
        "buttons": officer_buttons(thread.id, with_case=False),
    }
    if thread.officer_id is not None:
        officers = [o for o in await get_officer_contacts(ctx.session)
                    if o.officer_id == thread.officer_id]
        if officers:
            reply = Reply(
                t("thread.notice_more", **params),
                [[Button(b[0], t(b[1]))] for b in params["buttons"]],
                meta={"intent": "notice", "notice": "handoff_more", "thread_id": thread.id},
            )
            await record_for_officers(ctx.session, officers, reply, ctx.now,
                                      subject_contact_id=ctx.contact.id)
            return
    await record_notice(
        ctx.session,
        kind="handoff_more",
        text_key="thread.notice_more",
        now=ctx.now,
        unit_id=thread.unit_id,
        contact_id=ctx.contact.id,
        params=params,
    )
