"""A text typed at a question of the registration form: what it says ahead of the question is
kept (ahead.py), then it is the answer; a refused one is said why, or read as a question (the
FAQ answers, the question comes again) or as a request for another action (that starts, the
form saved for later)."""

from __future__ import annotations

from handlers.context import PAUSING_ACTIONS, Context
from handlers.intake.ahead import (
    answer_ahead,
    asks_other_class,
    class_changed,
    commune_and_village,
    name_with_birth,
    option_at_village,
)
from handlers.intake.answers import (
    YEAR_KEPT,
    CourseFullError,
    apply_text,
    asks_what_option_means,
    said_outright,
)
from handlers.intake.classes import filter_classes
from handlers.intake.drafts import FLOW
from handlers.intake.faq_bridge import (
    answered_by_faq,
    asks_question,
    clearly_asks,
    offer_choices,
)
from handlers.intake.navigation import (
    HANDOFF,
    advance,
    not_understood,
    offer_waitlist,
    show_step,
)
from handlers.intake.prefill import relative_named
from handlers.intake.questions import (
    CHOICES,
    ask,
    course_label,
    example,
    options_for,
    shows_example,
)
from handlers.intake.steps import FREE_TEXT, TYPED, Step, answered
from handlers.intake.validators import InvalidAnswerError
from handlers.textnorm import (
    option_number,
)
from handlers.types import Inbound
from handlers.understanding.matcher import get_matcher
from messages import t
from storage.models import IntakeDraft

#: Questions where any typed text could be the answer (a name; an ethnicity not among the
#: options): a question or a request typed there must be caught before it is saved.
ANY_TEXT = FREE_TEXT | {Step.ETHNICITY}


async def typed_answer(event: Inbound, ctx: Context, draft: IntakeDraft, step: Step) -> None:
    """A text typed at the question ``step``: read for what it says ahead of the question
    (a relative named, a name with its birth date, a commune with its village, another
    class), then as the answer; a refused answer is said why, or read as a question or as
    a request for another action."""
    # "lớp may": the one sewing class (not "lớp may học phí bao nhiêu?": a question).
    if step == Step.COURSE and not asks_question(event.text) and (
            note := await class_changed(ctx, draft, event.text, at_question=True)) is not None:
        await advance(ctx, draft, note=note)
        return
    if step == Step.COURSE and await filter_classes(ctx, draft, event.text):
        return
    question = asks_question(event.text)
    # "đăng ký nhận thông báo lớp mới" typed at the name question is a request, not a
    # name (any text is a name: asked first; elsewhere only of a refused answer).
    if step in ANY_TEXT and await _other_request(event, ctx):
        return
    if step in ANY_TEXT and question:
        faq = await answered_by_faq(event, ctx, question=clearly_asks(event.text))
        if faq is not None:
            # Answered, or "which topic?": the form's question again, the topics first.
            await show_step(ctx, draft)
            offer_choices(ctx, faq)
            return
    if step == Step.WHO and (note := await relative_named(ctx, draft, event.text)):
        await advance(ctx, draft, note=note)
        return
    if step in CHOICES and asks_what_option_means(step, event.text):
        # "hộ nghèo là gì" at the household question: its help, then the question again.
        await show_step(ctx, draft, note=ctx.text(f"escapes.help.intake.{step.value}"))
        return
    if (step in CHOICES and not said_outright(step, event.text, await options_for(step, ctx))
            and await _other_request(event, ctx, besides=(HANDOFF,))):
        # "hồ sơ của tôi sao rồi" at "for whom?" was taken for «Cho bản thân tôi» (its
        # "tôi"): an option read inside a sentence gives way to a request the sentence
        # makes. Not to a hand-off: those are caught before the form, and "cần tư vấn
        # thêm" at the country question is «Chưa biết, cần tư vấn».
        return
    if step == Step.NAME and (note := await name_with_birth(ctx, draft, event.text)):
        await advance(ctx, draft, note=note)
        return
    if step == Step.VILLAGE and (note := await option_at_village(ctx, draft, event.text)):
        await show_step(ctx, draft, note=note)  # the village still to say
        return
    if step == Step.VILLAGE and (
            note := await commune_and_village(ctx, draft, event.text)) is not None:
        await advance(ctx, draft, note=note)
        return
    if (note := await class_changed(ctx, draft, event.text)) is not None:
        await show_step(ctx, draft, note=note)  # "chuyển sang lớp may" at any question
        return
    if step != Step.COURSE and asks_other_class(draft, event.text):
        await ask(ctx, draft, Step.COURSE)  # "chuyển lớp khác": which, then on from there
        return
    try:
        await apply_text(ctx, draft, step, event.text)
    except CourseFullError as full:
        offer_waitlist(ctx, full.course.id, await course_label(ctx, full.course))
        return
    except InvalidAnswerError as exc:
        was_answered = answered(step, draft.data)  # asked again after «Quay lại»
        if (note := await answer_ahead(ctx, draft, step, event.text)) is not None:
            if not was_answered and answered(step, draft.data):
                # "thai son, thon 7" at the commune question: both kept, on to the next
                await advance(ctx, draft, note=note)
            else:
                await show_step(ctx, draft, note=note)  # "0987…" at the gender question
            return
        if step not in ANY_TEXT and await _other_request(event, ctx):
            return  # "hồ sơ của em đến đâu rồi" at the phone question
        wordy = len(event.text.split()) >= 3
        # Words without a digit at the date, phone or ID question are no try at it: one
        # on another matter is told so ("em muốn gặp bác sĩ tư vấn trực tiếp" got the
        # date's accepted forms).
        sentence = exc.sentence or (step in TYPED and wordy
                                    and not any(c.isdigit() for c in event.text))
        # A sentence refused at a free-text step ("năm nay lớp 9 thi vào 10 thi mấy
        # môn" for a name) may be a question on another matter: the FAQ says so.
        consult = sentence or (step not in FREE_TEXT and (question or wordy))
        faq = (await answered_by_faq(event, ctx, question=clearly_asks(event.text),
                                     sentence=sentence)
               if consult else None)
        if faq is not None:
            await show_step(ctx, draft)
            offer_choices(ctx, faq)
            return
        reason = ctx.text(f"intake.invalid.{exc.reason}", **exc.params)
        if exc.reason == YEAR_KEPT:
            await show_step(ctx, draft, note=reason)  # half an answer, not a miss
            return
        number = option_number(event.text)
        # A number none of the options has ("6" under five) is told so where the answer
        # is an option; typed questions show their example themselves; choices get the
        # hint here.
        if number is not None and step not in TYPED | FREE_TEXT:
            note = t("escapes.unknown_option_number", number=number)
        elif shows_example(step):
            note = reason
        else:
            note = t("intake.reask", reason=reason, example=example(step))
        await not_understood(ctx, draft, note)
        return
    await advance(ctx, draft)

async def _other_request(
    event: Inbound, ctx: Context, *, besides: tuple[str, ...] = ()
) -> bool:
    """A request for another action (but ``besides``) typed in the form starts it, the form
    saved for later; False for anything else (fewer than three words are never taken for
    one)."""
    if len(event.text.split()) < 3:
        return False
    decision = get_matcher().decide(event.text)
    if decision.outcome != "action" or decision.action in (None, FLOW, *besides):
        return False
    if decision.action not in PAUSING_ACTIONS:
        # (A hand-off or the deletion's question comes back to the form: nothing to say.)
        ctx.reply(t("intake.saved_for_later"), intent="flow:intake.paused")
    await ctx.start_action(event, str(decision.action))
    return True
