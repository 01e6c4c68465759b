"""The officer's home: what waits for them, in one short message with a button for each
(people to call, dossiers to review, people's questions, an announcement). ``/start``,
"menu" and "hôm nay cần làm gì" from an officer open it: an officer got the citizens' menu,
«Gặp cán bộ» among it, and "hôm nay cần làm gì" got "bot chưa hiểu".

A file or a photo an officer sends outside any flow (a spreadsheet of classes) is not a
citizen's paper: said what the bot does with files (it imports none sent in chat; the office
imports the classes, these columns), then this home (it got the citizens' «Bot đã nhận ảnh…
mang đến UBND xã» and their menu)."""

from __future__ import annotations

from handlers.access import get_officer
from handlers.case_lists import Filter, count_cases
from handlers.casework import CaseList
from handlers.context import Context
from handlers.dossier.review import WaitingList, list_waiting_dossiers
from handlers.flow import Flow
from handlers.menu import OFFICER_HOME
from handlers.officials.guard import get_scope
from handlers.outreach.compose_steps import NewAnnouncement
from handlers.threads import OpenQuestions, open_questions
from handlers.types import Button, Inbound, InboundKind
from messages import t
from messages.import_columns import import_columns
from storage.course_import import REQUIRED

NAME = OFFICER_HOME


class OfficerHomeFlow(Flow):
    name = NAME
    for_officers = True
    #: An officer's file outside any flow is answered here (the router asks officers' flows
    #: first), never kept as a citizen's paper.
    accepts_files = True

    async def start(self, event: Inbound, ctx: Context) -> None:
        scope = await get_scope(ctx)
        if scope is None:
            return  # not an officer (refused)
        ctx.leave(resume=False)
        to_call = await count_cases(ctx, scope, Filter.CALL)
        dossiers = len(await list_waiting_dossiers(ctx.session, scope.officer))
        questions = len(await open_questions(ctx, scope.officer))
        lines = [t("officials.home.head", scope=scope.label),
                 t("officials.home.to_call", count=to_call),
                 t("officials.home.dossiers", count=dossiers),
                 t("officials.home.questions", count=questions)]
        if not to_call + dossiers + questions:
            lines.append(t("officials.home.nothing"))
        notes = await ctx.pending_notes()
        ctx.reply("\n".join([*lines, *notes]), home_buttons(), intent=f"flow:{NAME}")

    async def takes_stray_file(self, event: Inbound, ctx: Context) -> bool:
        if await get_officer(ctx.session, ctx.contact.id) is None:
            return False  # a citizen's file: the dossier's
        if event.kind == InboundKind.PHOTO:
            ctx.reply(t("officials.file.photo"), intent=f"flow:{NAME}.file")
        else:
            labels = import_columns().kinds["courses"].labels
            ctx.reply(t("officials.file.document",
                        required=", ".join(labels[c] for c in REQUIRED),
                        optional=", ".join(v for c, v in labels.items() if c not in REQUIRED)),
                      intent=f"flow:{NAME}.file")
        await self.start(event, ctx)
        return True


def home_buttons() -> list[list[Button]]:
    """The officers' doors (under their home, their help and what the bot did not get)."""
    return [[CaseList(Filter.CALL, 1).button(t("officials.home.button.to_call"))],
            [WaitingList().button(t("officials.home.button.dossiers"))],
            [OpenQuestions().button(t("officials.home.button.questions"))],
            [NewAnnouncement().button(t("officials.home.button.announce"))],
            [CaseList(Filter.ALL, 1).button(t("officials.home.button.cases"))]]
