"""Hand-off to a person: the user types one question, officers get it as a notice.

Steps: ``ask`` (waiting for the question) → done (flow left). Escapes: the cancel button, or
"menu" (handled by the router before the flow sees the message).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from handlers.context import Context
from handlers.flow import Flow
from handlers.menu import main_menu_buttons
from handlers.notices import record_notice
from handlers.types import Button, Inbound, InboundKind
from messages import t
from storage.course_repo import find_contact_unit_id
from storage.models import Notice

#: Longer questions are cut: a notice must fit in one officer message.
QUESTION_MAX = 1000


class Step(StrEnum):
    ASK = "ask"


class HandoffFlow(Flow):
    name = "handoff"

    async def start(self, event: Inbound, ctx: Context) -> None:
        await self.begin(ctx)

    async def begin(self, ctx: Context, *, intent: str | None = None, **meta: Any) -> None:
        """Ask for the question; ``intent`` lets the FAQ report ``faq:general.human``."""
        ctx.enter(self.name, Step.ASK, {})
        ctx.reply(t("handoff.ask"), [[Button(f"{self.name}:cancel", t("handoff.cancel"))]],
                  intent=intent or f"flow:{self.name}.{Step.ASK}", **meta)

    async def on_button(self, event: Inbound, ctx: Context, action: str) -> None:
        if action == "cancel":
            ctx.leave()
            ctx.reply(t("handoff.cancelled"), main_menu_buttons(),
                      intent=f"flow:{self.name}.cancelled")
            return
        await self.begin(ctx)

    async def on_message(self, event: Inbound, ctx: Context) -> None:
        question = event.text.strip() if event.kind == InboundKind.TEXT else ""
        if ctx.step != Step.ASK:
            await self.begin(ctx)
            return
        if not question:
            ctx.reply(t("handoff.ask_text_only"), intent=f"flow:{self.name}.{Step.ASK}")
            return
        await record_handoff(ctx, question)
        ctx.leave()
        ctx.reply(t("handoff.done"), main_menu_buttons(), intent=f"flow:{self.name}.done")


async def record_handoff(ctx: Context, question: str) -> Notice:
    """Notify the officers of the user's commune (if known, else the office) of the question."""
    return await record_notice(
        ctx.session,
        kind="handoff",
        text_key="handoff.notice",
        now=ctx.now,
        unit_id=await find_contact_unit_id(ctx.session, ctx.contact.id),
        contact_id=ctx.contact.id,
        params={
            "question": question[:QUESTION_MAX],
            "name": ctx.contact.display_name or t("handoff.anonymous"),
            "channel": ctx.channel.value,
            "contact_id": ctx.contact.id,
            "user_id": ctx.contact.platform_user_id,
        },
    )
