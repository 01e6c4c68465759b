"""What officers type instead of a command or a button: "ds qua han", "hom nay can goi ai",
"mo dot moi". An officer's free text was read as a citizen's question (the Korea answer for
"ds qua han", "bot chưa hiểu" for "hom nay can goi ai"); each request here names, in one typed
table, the command or the button it stands for, and its wording is data
(messages/strings/officials.toml ``[officials.requests]``: compared without diacritics, as
the whole message, trailing punctuation and polite particles ignored)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from handlers.access import get_officer
from handlers.callbacks import CallbackData
from handlers.casework import CaseList, Filter
from handlers.context import Context
from handlers.textnorm import fold, folded_phrases
from handlers.types import Inbound, InboundKind


@dataclass(frozen=True)
class Command:
    """A slash command, as if typed (``/quahan``)."""

    name: str


#: Each request's name (its key in ``[officials.requests]``) → what it stands for.
REQUESTS: dict[str, Command | CallbackData] = {
    "to_call": CaseList(Filter.CALL, 1),
    "new_cases": CaseList(Filter.NEW, 1),
    "cases": CaseList(Filter.ALL, 1),
    "overdue": Command("quahan"),
    "progress": Command("tiendo"),
    "dossiers": Command("hoso"),
    "report": Command("baocao"),
    "announce": Command("thongbao"),
    "survey": Command("khaosat"),
}

#: Said after a request without changing it ("ds qua han a", "can goi ai nhe").
_PARTICLES = frozenset({"a", "ak", "ah", "nhe", "nha", "voi", "di", "giup", "luon", "em", "e"})


@cache
def _by_phrase() -> dict[str, str]:
    return {p: name for name in REQUESTS for p in folded_phrases(f"officials.requests.{name}")}


def request_of(text: str) -> str | None:
    """The officer request ``text`` is, by name, or None."""
    words = re.sub(r"[^\w\s]", " ", fold(text)).split()
    while words and words[-1] in _PARTICLES:
        words.pop()
    return _by_phrase().get(" ".join(words))


async def start_officer_request(event: Inbound, ctx: Context) -> bool:
    """If ``event`` is an officer's request, do it (as its command or button) and say True."""
    name = request_of(event.text)
    if name is None or await get_officer(ctx.session, ctx.contact.id) is None:
        return False
    target = REQUESTS[name]
    if isinstance(target, Command):
        await ctx.dispatch(replace(event, kind=InboundKind.COMMAND, command=target.name,
                                   args="", text=f"/{target.name}"))
    else:
        await ctx.dispatch(replace(event, kind=InboundKind.BUTTON, button_id=target.pack(),
                                   text=""))
    return True
