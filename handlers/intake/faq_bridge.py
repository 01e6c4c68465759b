"""A question asked in the middle of the form: let the FAQ answer it, then carry on.

The answerer is asked only for text that reads as a question, or that failed the current
question's check. Its reply is kept when it answered (meta intent ``faq:<id>``). A message that
clearly asks something is a question whatever the answerer made of it, never an answer to the
form: a "which topic?" (``clarify``) offers its topics as the first options of the form's
question shown next (a typed number answers the latest message only, on Zalo), and choosing
one answers it and shows the form's question again; a question not understood is told so, and
one about another matter that this is not the office's work. A sentence the form refused as
no answer at all ("năm nay lớp 9 thi vào 10 thi mấy môn" for a name) is told the same when
the answerer found it outside the remit. Otherwise the text was a (wrong) answer, so the
answerer's reply is dropped, any "unanswered question" log row it wrote is deleted (it could
hold a phone number or a name), and the form re-asks with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, func, select

from handlers.context import Context
from handlers.intake.validators import looks_like_question
from handlers.types import Button, Inbound
from handlers.understanding.matcher import get_matcher
from messages import raw, t
from storage.faq_repo import logged_text
from storage.models import FallbackQuestion

CLARIFY = "clarify"


@dataclass(frozen=True)
class FaqReply:
    """What the FAQ said to a question asked mid-form: ``choices`` are the topics of a
    "which topic?" (empty after an answer), to offer with the form's question."""

    choices: list[list[Button]] = field(default_factory=list)


def asks_question(text: str) -> bool:
    """The text may ask something: the form's question phrases (as broad as "hỏi"), or
    :func:`clearly_asks`."""
    return looks_like_question(text, raw("intake.question_markers")) or clearly_asks(text)


def clearly_asks(text: str) -> bool:
    """The text is a question, not an answer to the form: the matcher's question words or a
    yes/no ending ("học phí bao nhiêu", "lớp học có mất tiền không"), not a stray "hỏi"."""
    return get_matcher().is_question(text)


async def answered_by_faq(
    event: Inbound, ctx: Context, *, question: bool = False, sentence: bool = False
) -> FaqReply | None:
    """Try the FAQ on ``event``; its reply (queued, without buttons) if it answered; when
    ``question`` (the text clearly asks something, see :func:`clearly_asks`), a reply in any
    case (which topic, not the office's work, or not understood); when ``sentence`` (the form
    refused the text as no answer at all), a reply if it is not the office's work; else None."""
    saved = (ctx.state.flow, ctx.state.step, dict(ctx.state.data))
    n_replies, n_outgoing = len(ctx.replies), len(ctx.outgoing)
    await ctx.session.flush()
    last_log = await ctx.session.scalar(select(func.max(FallbackQuestion.id))) or 0
    await ctx.answer_question(event)
    # The answerer may move the conversation (a clarify step); the form keeps it.
    ctx.state.flow, ctx.state.step, ctx.state.data = saved
    new = ctx.replies[n_replies:]
    intents = [str(r.meta.get("intent", "")) for r in new]
    answered = any(i.startswith("faq:") for i in intents)
    if answered:
        # Its buttons would number differently from ours on Zalo; the form's buttons follow.
        for reply in new:
            reply.buttons = []
        return FaqReply()
    outside = any(r.meta.get("outside") for r in new)
    del ctx.replies[n_replies:]
    del ctx.outgoing[n_outgoing:]
    if outside and (question or sentence):
        # Its log row stays: what people ask that is not the office's work, for the office.
        ctx.reply(t("intake.faq_outside"), intent="fallback")
        return FaqReply()
    if question:
        # Clearly a question: said so (its log row stays, for the knowledge-base gaps).
        if CLARIFY in intents:
            choices = [row for r in new for row in r.buttons]
            ctx.reply(t("intake.faq_clarify"), intent=CLARIFY,
                      suggestions=next(r.meta.get("suggestions") for r in new
                                       if r.meta.get("intent") == CLARIFY))
            return FaqReply(choices)
        ctx.reply(t("intake.faq_unanswered"), intent="fallback")
        return FaqReply()
    await ctx.session.flush()
    await ctx.session.execute(
        delete(FallbackQuestion).where(
            FallbackQuestion.id > last_log, FallbackQuestion.text == logged_text(event.text)
        )
    )
    return None


def offer_choices(ctx: Context, reply: FaqReply | None) -> None:
    """Put a clarify's topics first among the options of the message just shown (the form's
    question), so their numbers are the ones a person types next."""
    if reply is not None and reply.choices and ctx.replies:
        ctx.replies[-1].buttons = reply.choices + ctx.replies[-1].buttons
