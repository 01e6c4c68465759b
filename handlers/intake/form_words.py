"""Words typed in the form that speak of the form itself, not answers to its question: cancel,
back, "thôi e hủy, để mai tính" (later, or a cancel inside a sentence), "tiếp tục", "đợi chút",
and "ok" at a question already answered. ``leaves_or_goes_back`` is read before another flow
may claim the message ("xem dữ liệu của tôi"), ``keeps_going`` after it."""

from __future__ import annotations

from handlers.context import Context
from handlers.intake.navigation import advance, ask_cancel, go_back, pause, show_step
from handlers.intake.steps import QUESTIONS, Step, answered
from handlers.textnorm import contains_phrase, fold, folded_phrases, is_phrase
from handlers.types import Inbound, InboundKind
from handlers.understanding.matcher import get_matcher
from handlers.understanding.smalltalk import SmallTalk
from messages import t
from storage.models import IntakeDraft


def says_continue(event: Inbound) -> bool:
    return event.kind == InboundKind.TEXT and fold(event.text).strip(" .!") in folded_phrases(
        "escapes.resume_words"
    )


async def leaves_or_goes_back(
    ctx: Context, draft: IntakeDraft, step: Step | None, text: str
) -> bool:
    """Cancel, back, later: done, and True; False for anything else."""
    folded = fold(text)
    if folded in folded_phrases("intake.words.cancel"):
        ask_cancel(ctx)
        return True
    if folded in folded_phrases("intake.words.back"):
        await go_back(ctx, draft)
        return True
    sentence_step = step in QUESTIONS or step == Step.SUMMARY
    if not sentence_step or step == Step.NAME or len(folded.split()) < 2:
        return False
    # "thôi e hủy, để mai tính" is not a village or an ethnic group (both were saved as such):
    # "later" keeps the form for «tiếp tục», a cancel asks to confirm (on the summary too: "thôi
    # e ko học nữa" got "answer by number"). Not on the name question, where Huy and Mai are
    # names.
    if contains_phrase(text, folded_phrases("intake.words.later")):
        pause(ctx)
        return True
    if contains_phrase(text, folded_phrases("intake.words.cancel_in_sentence")):
        ask_cancel(ctx)
        return True
    return False


async def keeps_going(
    ctx: Context, draft: IntakeDraft, step: Step | None, event: Inbound
) -> bool:
    """"tiếp tục" (the step again) or "ok" at a question already answered (the answer kept):
    done, and True; False for anything else."""
    if says_continue(event):
        await show_step(ctx, draft)  # back a day later: "tiếp tục" is the answer already
        return True
    talk = get_matcher().smalltalk(event.text)
    if talk == SmallTalk.WAIT:
        # "đợi chút" is no answer to any question (it was saved as the name).
        await show_step(ctx, draft, note=t("intake.wait"))
        return True
    if step in QUESTIONS and ctx.step == draft.step and talk in (SmallTalk.THANKS, SmallTalk.BYE):
        # "thôi cảm ơn nhé", "tạm biệt" at a question got "choose one of the options": thanks
        # are acknowledged and the question stays; a goodbye keeps the form for later.
        if talk == SmallTalk.BYE:
            pause(ctx)
        else:
            await show_step(ctx, draft, note=t("intake.thanks_kept"))
        return True
    if (step in QUESTIONS and answered(step, draft.data)
            and is_phrase(event.text, folded_phrases("intake.words.keep"))):
        # "ok" under "(Đang ghi: Đi làm việc ở nước ngoài)", after a «Quay lại» pressed by
        # mistake: that answer stands (it was "choose an option" again and again).
        await advance(ctx, draft)
        return True
    return False
