"""A question asked in the middle of the form: let the FAQ answer it, then carry on.

The answerer is asked only for text that reads as a question, or that failed the current
question's check. Its reply is kept only when it really answered (meta intent ``faq:<id>``);
otherwise the text was a (wrong) answer, so the answerer's reply is dropped, any
"unanswered question" log row it wrote is deleted (it could hold a phone number or a name), and
the form re-asks with the reason.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select

from handlers.context import Context
from handlers.types import Inbound
from storage.faq_repo import logged_text
from storage.models import FallbackQuestion


async def answered_by_faq(event: Inbound, ctx: Context) -> bool:
    """Try the FAQ on ``event``; True (its answer queued, without buttons) if it answered."""
    saved = (ctx.state.flow, ctx.state.step, dict(ctx.state.data))
    n_replies, n_outgoing = len(ctx.replies), len(ctx.outgoing)
    await ctx.session.flush()
    last_log = await ctx.session.scalar(select(func.max(FallbackQuestion.id))) or 0
    await ctx.answer_question(event)
    # The answerer may move the conversation (a clarify step); the form keeps it.
    ctx.state.flow, ctx.state.step, ctx.state.data = saved
    new = ctx.replies[n_replies:]
    if any(str(r.meta.get("intent", "")).startswith("faq:") for r in new):
        # Its buttons would number differently from ours on Zalo; the form's buttons follow.
        for reply in new:
            reply.buttons = []
        return True
    del ctx.replies[n_replies:]
    del ctx.outgoing[n_outgoing:]
    await ctx.session.flush()
    await ctx.session.execute(
        delete(FallbackQuestion).where(
            FallbackQuestion.id > last_log, FallbackQuestion.text == logged_text(event.text)
        )
    )
    return False
