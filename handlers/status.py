"""Where a case stands: "hồ sơ của em đến đâu rồi", or its reference typed ("hy 2026 00001").

Flow name "status" (docs/simulate.md action intents). A reference shows that case to its owner
only; to anyone else the answer is that no such case belongs to this chat, nothing more (not
even whether the reference exists). Without a reference, the chat's own cases are listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from handlers.access import can_open_case, get_officer
from handlers.callbacks import CallbackData
from handlers.casework import OpenCase
from handlers.context import Context
from handlers.dossier.buttons import Start as DossierStart
from handlers.flow import Flow
from handlers.intake.buttons import Start as IntakeStart
from handlers.intake.drafts import get_draft
from handlers.intake.steps import progress
from handlers.menu import Door, OpenDoor
from handlers.own_cases import (
    WITHDRAWABLE,
    other_class_buttons,
    person_withdraw,
    withdraw_buttons,
)
from handlers.privacy import case_line
from handlers.textnorm import folded_phrases, is_phrase
from handlers.types import Inbound
from messages import t
from storage.cases_repo import get_cases_of_contact
from storage.models import Case


@dataclass(frozen=True)
class Start(CallbackData, prefix="status:start"):
    """«Hồ sơ của tôi» offered under an answer (any button of this flow shows the cases)."""


class StatusFlow(Flow):
    name = "status"

    async def start(self, event: Inbound, ctx: Context) -> None:
        # "em muốn hủy đăng ký" (the flow's trigger phrases) started a new registration: with
        # one registration that can be withdrawn, its withdrawal is asked at once.
        if event.text and is_phrase(event.text, folded_phrases("triggers.status")):
            cases = await get_cases_of_contact(ctx.session, ctx.contact.id)
            open_cases = [c for c in cases if c.status in WITHDRAWABLE]
            if len(open_cases) == 1:
                await person_withdraw(ctx, open_cases[0].id, confirmed=False)
                return
        await self.start_action("", event, ctx, {})

    async def start_action(
        self, part: str, event: Inbound, ctx: Context, slots: dict[str, Any]
    ) -> None:
        cases = await get_cases_of_contact(ctx.session, ctx.contact.id)
        buttons = [[DossierStart().button(t("menu.button.dossier"))],
                   [OpenDoor(Door.HUMAN).button(t("menu.button.human"))]]
        ref = slots.get("ref")
        if isinstance(ref, str):
            case = next((c for c in cases if c.ref == ref), None)
            if case is None and await _open_for_officer(event, ctx, ref):
                return
            if case is None:
                ctx.reply(t("status.not_found", ref=ref), buttons, intent="flow:status.not_found")
                return
            # The case line starts with its reference: no title repeating it above.
            ctx.reply(await case_line(ctx, case),
                      await other_class_buttons(ctx.session, [case]) + buttons,
                      intent="flow:status.case", case_ref=case.ref)
            return
        draft = await get_draft(ctx.session, ctx.contact.id)
        lines = [t("privacy.cases_title")] if cases else [t("status.none")]
        lines += [await case_line(ctx, case) for case in cases]
        if draft is not None:
            done, total = progress(draft.data)
            lines.append(t("privacy.draft_line", done=done, total=total))
        if not cases:
            buttons = [[IntakeStart().button(t("privacy.button.register"))], *buttons[1:]]
        moves = await other_class_buttons(ctx.session, cases)  # a class cancelled
        ctx.reply("\n".join(lines), moves + withdraw_buttons(cases) + buttons,
                  intent="flow:status.cases", case_refs=[c.ref for c in cases])


async def _open_for_officer(event: Inbound, ctx: Context, ref: str) -> bool:
    """An officer typing a reference of a case in their scope (read out on a phone call) gets
    its card, as «Mở …» in /dangky gives; they were told no such case was "in this chat".
    Anyone else, or a case outside the officer's scope, gets the owner-only answer."""
    officer = await get_officer(ctx.session, ctx.contact.id)
    if officer is None:
        return False
    found = await ctx.session.scalar(select(Case).where(Case.ref == ref))
    if found is None or not can_open_case(officer, found):
        return False
    return await ctx.press(event, OpenCase(found.id))
