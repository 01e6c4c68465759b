"""What officers type instead of a command or a button: "ds qua han", "hom nay can goi ai",
"mo dot moi". An officer's free text was read as a citizen's question (the Korea answer for
"ds qua han", "bot chưa hiểu" for "hom nay can goi ai"); each request here names, in one typed
table, the command or the button it stands for, and its wording is data
(messages/strings/officials.toml ``[officials.requests]``: compared without diacritics, as
the whole message, punctuation and polite particles aside: ``is_phrase``)."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, replace

from handlers.access import get_officer
from handlers.callbacks import CallbackData
from handlers.case_lists import Filter
from handlers.casework import CaseList
from handlers.context import Context
from handlers.outreach.compose_steps import Report
from handlers.textnorm import folded_phrases, is_phrase, phrase_key
from handlers.types import Inbound, InboundKind


@dataclass(frozen=True)
class Command:
    """A slash command, as if typed (``/quahan``, ``/khaosat ketqua``)."""

    name: str
    args: str = ""


#: Each request's name (its key in ``[officials.requests]``) → what it stands for.
REQUESTS: dict[str, Command | CallbackData] = {
    "to_call": CaseList(Filter.CALL, 1),
    "new_cases": CaseList(Filter.NEW, 1),
    "cases": CaseList(Filter.ALL, 1),
    "overdue": Command("quahan"),
    "submit_list": Command("nopds"),
    "progress": Command("tiendo"),
    "dossiers": Command("hoso"),
    "report": Command("baocao"),
    "announce": Command("thongbao"),
    "announce_report": Report(),
    "survey": Command("khaosat"),
    "survey_results": Command("khaosat", "ketqua"),
    "questions": Command("cauhoi"),
    "help": Command("help"),
    "home": Command("start"),
}

def request_of(text: str) -> str | None:
    """The officer request ``text`` is, by name, or None; words of when or of asking around
    it ("ai cần gọi hôm nay", "xem danh sách quá hạn giúp tôi": ``[officials.request_filler]``)
    aside."""
    for said in dict.fromkeys((text, _without_filler(text))):
        name = next((name for name in REQUESTS
                     if is_phrase(said, folded_phrases(f"officials.requests.{name}"))), None)
        if name is not None:
            return name
    return None


#: An announcement named by its number as the bot writes it («thông báo #2»).
_NUMBERED = re.compile(r"#\s*(\d{1,9})(?!\d)")


def numbered_report(text: str) -> Report | None:
    """"danh sách người đã nhận thông báo #2", "báo cáo thông báo #12": the report of that
    announcement (the request of the announcements' report, naming one by its number)."""
    found = _NUMBERED.search(text)
    if found is None:
        return None
    rest = f"{text[:found.start()]} {text[found.end():]}"
    if request_of(rest) != "announce_report":
        return None
    return Report(int(found.group(1)))


def _without_filler(text: str) -> str:
    padded = f" {phrase_key(text)} "
    for filler in sorted(folded_phrases("officials.request_filler.words"), key=len, reverse=True):
        padded = padded.replace(f" {filler} ", " ")
    return padded.strip()


async def start_officer_request(
    event: Inbound, ctx: Context, *, besides: Collection[str] = ()
) -> bool:
    """If ``event`` is an officer's request, do it (as its command or button) and say True;
    not a command of the flow ``besides`` names (the flow it is typed in: "gửi thông báo"
    under an announcement's preview sends that one, it does not start another). A button of
    that flow is pressed there ("báo cáo thông báo" under the preview: the report)."""
    target: Command | CallbackData | None = numbered_report(event.text)
    if target is None:
        name = request_of(event.text)
        if name is None:
            return False
        target = REQUESTS[name]
    if isinstance(target, Command) and target.name in besides:
        return False
    if await get_officer(ctx.session, ctx.contact.id) is None:
        return False
    if isinstance(target, Command):
        await ctx.dispatch(replace(event, kind=InboundKind.COMMAND, command=target.name,
                                   args=target.args,
                                   text=f"/{target.name} {target.args}".rstrip()))
    else:
        await ctx.dispatch(replace(event, kind=InboundKind.BUTTON, button_id=target.pack(),
                                   text=""))
    return True
