"""A family without one of the papers yet: "hợp đồng chưa ký thì sao", "chưa có hộ chiếu".

Asked in the middle of the dossier, that is a question about this dossier's item, not about a
worker's rights abroad (the FAQ answered it so): the item's own state answers it. A contract or
a visa only exists later and is not needed now; the bank account is optional; a paper this case
does not need is not needed; anything else the commune officer helps with, and the other papers
can be sent meanwhile.
"""

from __future__ import annotations

from functools import cache

from handlers.context import Context
from handlers.dossier.checklist import load_checklist
from handlers.dossier.progress import load_view
from handlers.dossier.states import ItemState
from handlers.textnorm import contains_phrase, folded_phrases, phrase_key
from storage.models import Case

#: A longer message says more than "I do not have it yet": the FAQ reads it.
MOST_WORDS = 10


def not_yet_item(text: str) -> str | None:
    """The checklist item a short message says the family does not have yet, or None."""
    if len(phrase_key(text).split()) > MOST_WORDS:
        return None
    if not contains_phrase(text, folded_phrases("dossier.not_yet_words")):
        return None
    return next((key for key, names in _item_names() if contains_phrase(text, names)), None)


@cache
def _item_names() -> tuple[tuple[str, frozenset[str]], ...]:
    """Each checklist item's key and the names families type for it, as matched."""
    return tuple((item.key, frozenset(phrase_key(w) for w in (item.title, *item.words)))
                 for item in load_checklist().items)


async def answer_not_yet(ctx: Context, case: Case, key: str) -> None:
    """Say what not having the item ``key`` yet means for this dossier."""
    view = await load_view(ctx.session, case)
    shown = view.get(key)
    if shown is None:
        return
    if shown.item.later and shown.state == ItemState.MISSING:
        kind = "later"
    elif shown.state in (ItemState.OPTIONAL, ItemState.NOT_NEEDED):
        kind = shown.state.value
    elif shown.has_something:
        kind = "sent"
    else:
        kind = "needed"
    ctx.reply(ctx.text(f"dossier.not_yet.{kind}", title=shown.item.title),
              intent="flow:dossier.not_yet")
