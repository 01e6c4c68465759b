"""Moving around the form: next question, back, summary, edit, cancel, resume, presets."""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta
from typing import Any

from sqlalchemy import delete

from handlers.context import Context
from handlers.intake.buttons import (
    Cancel,
    Officer,
    OtherClass,
    Restart,
    Resume,
    ToMenu,
    Waitlist,
)
from handlers.intake.drafts import drop, get_draft, is_expired, record_draft, touch
from handlers.intake.introduced import SAID, fill_personal
from handlers.intake.prefill import (
    FROM_CASE,
    FROM_TEXT,
    apply_preset,
    apply_preset_course,
    prefilled_note,
    take_filled_note,
)
from handlers.intake.questions import (
    ask,
    cipher,
    course_label,
    edit_buttons,
    summary_buttons,
    summary_text,
)
from handlers.intake.steps import QUESTIONS, Step, first_missing, previous, progress, sequence
from handlers.menu import main_menu_buttons
from messages import t
from storage.crypto import DecryptError
from storage.models import Course, IntakeDraft

#: After this long without a word, a typed message first gets "you were at question N".
RESUME_AFTER = timedelta(hours=12)


async def live_draft(ctx: Context) -> tuple[IntakeDraft | None, bool]:
    """The contact's unfinished form, and whether an expired one was just deleted."""
    draft = await get_draft(ctx.session, ctx.contact.id)
    if draft is not None and is_expired(draft, ctx.now, ctx.config.intake_expiry_days):
        await ctx.session.execute(delete(IntakeDraft).where(IntakeDraft.id == draft.id))
        return None, True
    if draft is not None:
        await _class_as_now(ctx, draft)
    return draft, False


async def _class_as_now(ctx: Context, draft: IntakeDraft) -> None:
    """The class the form has chosen, named as it is now: its first day may have moved since
    it was chosen (the summary, the confirmation and the officers' notice show the label)."""
    course_id = draft.data.get("course_id")
    if draft.data.get("kind") != "course" or not isinstance(course_id, int) or not course_id:
        return
    course = await ctx.session.get(Course, course_id)
    label = await course_label(ctx, course) if course is not None else None
    if label is not None and label != draft.data.get("course_label"):
        draft.data = {**draft.data, "course_label": label}


def expired_note(ctx: Context) -> str:
    return t("intake.expired", days=ctx.config.intake_expiry_days)


async def advance(ctx: Context, draft: IntakeDraft, *, note: str | None = None) -> None:
    """Ask the first unanswered question, or show the summary when there is none."""
    notice = draft.data.get("notice")
    if notice:
        drop(draft, "notice")
        note = "\n".join(n for n in (note, t(str(notice))) if n)
    note = _joined(take_filled_note(draft), note)
    touch(draft, ctx.now)
    step = first_missing(draft.data)
    if step is None:
        drop(draft, "editing")
        show_summary(ctx, draft, note=note)
        return
    await ask(ctx, draft, step, note=note)


def show_summary(ctx: Context, draft: IntakeDraft, *, note: str | None = None) -> None:
    draft.step = Step.SUMMARY.value
    ctx.enter("intake", Step.SUMMARY.value, {})
    text = summary_text(draft.data, ctx)
    ctx.reply(f"{note}\n{text}" if note else text, summary_buttons(), intent="flow:intake.summary")


def show_edit(ctx: Context, draft: IntakeDraft) -> None:
    ctx.enter("intake", Step.EDIT.value, {})
    ctx.reply(t("intake.summary.edit_which"), edit_buttons(draft.data), intent="flow:intake.edit")


async def edit_field(ctx: Context, draft: IntakeDraft, step: Step) -> None:
    if step not in sequence(draft.data):
        show_edit(ctx, draft)
        return
    touch(draft, ctx.now, editing=True)
    await ask(ctx, draft, step)


async def go_back(ctx: Context, draft: IntakeDraft) -> None:
    where = parse_step(ctx.step)
    if where in (Step.EDIT, Step.CANCEL, Step.RESUME):
        await show_step(ctx, draft)
        return
    if where == Step.COURSE_FULL:
        await ask(ctx, draft, Step.COURSE)
        return
    step = parse_step(draft.step)
    if draft.data.get("editing"):
        drop(draft, "editing")
        await advance(ctx, draft)
        return
    if step == Step.SUMMARY:
        await ask(ctx, draft, sequence(draft.data)[-1])
        return
    if step not in QUESTIONS:
        await show_step(ctx, draft)
        return
    before = previous(step, draft.data)
    if before is None:
        await ask(ctx, draft, step, note=t("intake.back_first"))
    else:
        await ask(ctx, draft, before)


async def show_step(ctx: Context, draft: IntakeDraft, *, note: str | None = None) -> None:
    """Show again where the form is (after a FAQ answer, a cancelled cancel, a resume)."""
    note = _joined(take_filled_note(draft), note)
    step = parse_step(draft.step)
    if step == Step.SUMMARY or (step not in QUESTIONS and first_missing(draft.data) is None):
        show_summary(ctx, draft, note=note)
    elif step == Step.EDIT:
        show_edit(ctx, draft)
    elif step in QUESTIONS:
        await ask(ctx, draft, step, note=note)
    else:
        await advance(ctx, draft, note=note)


async def ask_again(ctx: Context, draft: IntakeDraft, *, note: str | None = None) -> None:
    """What the person was last asked, again: "continue the form?" or "cancel it?" while one
    of them waits (something else typed there showed the form's question under "chọn một mục
    bên dưới", no option in sight), else where the form is."""
    where = parse_step(ctx.step)
    if where == Step.RESUME:
        offer_resume(ctx, draft, dict(ctx.data.get("preset") or {}), note=note)
    elif where == Step.CANCEL:
        ask_cancel(ctx, note=note)
    else:
        await show_step(ctx, draft, note=note)


def pause(ctx: Context) -> None:
    """Leave the form, its answers kept for «Đăng ký», and say so."""
    ctx.leave()
    ctx.reply(t("intake.saved_for_later"), intent="flow:intake.paused")


def ask_cancel(ctx: Context, *, note: str | None = None) -> None:
    ctx.enter("intake", Step.CANCEL.value, {})
    ctx.reply(
        _joined(note, t("intake.cancel_confirm")) or "",
        [[Cancel("yes").button(t("intake.cancel_yes"))],
         [Cancel("no").button(t("intake.cancel_no"))]],
        intent="flow:intake.cancel",
    )


async def do_cancel(ctx: Context, draft: IntakeDraft | None) -> None:
    if draft is not None:
        await ctx.session.execute(delete(IntakeDraft).where(IntakeDraft.id == draft.id))
    ctx.leave()
    ctx.reply(t("intake.cancelled"), main_menu_buttons(), intent="flow:intake.cancelled")


def offer_resume(ctx: Context, draft: IntakeDraft, preset: dict[str, Any] | None = None, *,
                 note: str | None = None) -> None:
    done, total = progress(draft.data)
    name = draft.data.get("full_name")
    who = t("intake.resume_who", name=name) if name else ""
    ctx.enter("intake", Step.RESUME.value, {"preset": preset or {}})
    ctx.reply(
        _joined(note, t("intake.resume", who=who, done=done, total=total)) or "",
        [[Resume().button(t("intake.resume_continue"))],
         [Restart().button(t("intake.resume_restart"))],
         [Cancel().button(t("intake.button.cancel"))]],
        intent="flow:intake.resume",
    )


def offer_waitlist(
    ctx: Context, course_id: int, label: str, *, note: str | None = None
) -> None:
    ctx.enter("intake", Step.COURSE_FULL.value, {"course_id": course_id})
    text = t("intake.course.full", label=label)
    ctx.reply(
        f"{note}\n{text}" if note else text,
        [[Waitlist(course_id).button(t("intake.button.waitlist"))],
         [OtherClass().button(t("intake.button.other_class"))],
         [ToMenu().button(t("intake.button.menu"))]],
        intent="flow:intake.course_full",
    )


async def new_form(
    ctx: Context, preset: dict[str, Any], *, note: str | None = None
) -> IntakeDraft:
    """A fresh draft (replacing any), with what the entry point already told us."""
    draft = await record_draft(ctx.session, ctx.contact.id, Step.WHO.value, {}, ctx.now)
    filled = apply_preset(ctx, draft, preset)
    if (course := await apply_preset_course(ctx, draft, preset)) is not None:
        filled.append(course)
    if isinstance(said := preset.get(SAID), str):
        # Kept under a key since replaced: nothing is filled, the questions ask it all.
        with suppress(DecryptError):
            filled += await fill_personal(ctx, draft, cipher(ctx).decrypt(said))
    if preset.get(FROM_TEXT):
        # Say what the message was understood to say, so a wrong guess is seen at once.
        note = "\n".join(n for n in (note, prefilled_note(filled)) if n) or None
    elif preset.get(FROM_CASE) and filled:
        taken = t("intake.prefilled.from_case", ref=preset[FROM_CASE], items="; ".join(filled))
        note = "\n".join(n for n in (note, taken) if n)
    await advance(ctx, draft, note=note)
    return draft


def _joined(*notes: str | None) -> str | None:
    return "\n".join(n for n in notes if n) or None


def parse_step(value: str | None) -> Step | None:
    """The Step named by a stored value (None for anything unknown)."""
    try:
        return Step(value) if value else None
    except ValueError:
        return None


#: Answers in a row a step did not understand after which its question offers «Gặp cán bộ».
OFFER_OFFICER_AFTER = 2
#: The state data key counting them (the step's data: asking any question starts it anew).
MISSES = "misses"
#: The hand-off flow's name (offered when it is part of this deployment).
HANDOFF = "handoff"


async def not_understood(ctx: Context, draft: IntakeDraft, note: str | None) -> None:
    """The step again with why: one rule for every step. From the second answer in a row it
    did not understand, «Gặp cán bộ» is offered too (it re-asked forever)."""
    before = ctx.data.get(MISSES)
    misses = (before if isinstance(before, int) else 0) + 1
    offer = misses >= OFFER_OFFICER_AFTER and ctx.has_flow(HANDOFF)
    if offer:
        note = "\n".join(n for n in (note, t("intake.reask_officer")) if n)
    await ask_again(ctx, draft, note=note)
    ctx.update(**{MISSES: misses})  # after ask_again: asking a question starts its data anew
    if offer:
        buttons = ctx.replies[-1].buttons
        # Before the last row (back / cancel / menu; the summary's cancel).
        buttons.insert(max(len(buttons) - 1, 0), [Officer().button(t("intake.button.officer"))])
