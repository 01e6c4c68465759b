"""Which side a question is asked from, working abroad or vocational classes, for a question
that is the same about both and names neither (handlers/understanding/own_matter.py reads it
with that side): the flow it is asked in, the topics answered just before, the person's cases."""

from __future__ import annotations

from handlers.context import Context
from handlers.intake.drafts import get_draft
from handlers.router import DOSSIER, INTAKE
from handlers.understanding.decision import Decision
from handlers.understanding.matcher import get_matcher
from handlers.understanding.own_matter import SIDES, for_own_matter
from storage.cases_repo import CaseStatus, get_cases_of_contact

#: Cases that no longer say what the person's matter is.
GONE = frozenset({CaseStatus.CANCELLED, CaseStatus.WITHDRAWN})


async def as_own_matter(
    ctx: Context, decision: Decision, drafting: str | None, previous: tuple[str, ...]
) -> Decision:
    """``decision`` with a question that is the same about classes and about working abroad
    read as the person's own matter (handlers/understanding/own_matter.py)."""
    matcher = get_matcher()
    lexicon = matcher.lexicon
    if not any(c.topic in lexicon.twins or c.topic in lexicon.twins_unranked
               for c in decision.candidates):
        return decision  # most messages: no reading of the person's cases
    side = await _own_side(ctx, drafting, previous)
    return for_own_matter(decision, side, lexicon, matcher.rank) if side else decision


async def _own_side(ctx: Context, drafting: str | None, previous: tuple[str, ...]) -> str | None:
    """"abroad" or "training": the flow the question is asked in (the support dossier is for
    working abroad; a registration, by its kind: ``drafting``, read once per message), else
    the side of every topic answered just before (``previous``: "đăng ký kiểu gì" after the
    costs of going abroad), else the kind of every case the person has in the bot; None when
    mixed or none."""
    if ctx.asked_in and ctx.asked_in.flow == DOSSIER:
        return "abroad"
    sides = {topic.partition(".")[0] for topic in previous}
    if not drafting and len(sides) == 1 and (side := sides.pop()) in SIDES:
        return side
    kinds = {drafting} if drafting else set()
    if not kinds:
        kinds = {c.kind for c in await get_cases_of_contact(ctx.session, ctx.contact.id)
                 if c.status not in GONE}
    return {"abroad": "abroad", "course": "training"}.get(kinds.pop()) if len(kinds) == 1 else None


async def drafting_kind(ctx: Context) -> str | None:
    """The kind of the registration form the message is asked in, if it is asked in one that
    has its kind."""
    if not ctx.asked_in or ctx.asked_in.flow != INTAKE:
        return None
    draft = await get_draft(ctx.session, ctx.contact.id)
    return str(draft.data["kind"]) if draft and draft.data.get("kind") else None
