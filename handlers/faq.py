"""Free-text answerer. Foundation version: greetings get the menu, anything else the fallback.

The knowledge-base matcher replaces the body of ``on_message`` (issue: answering questions).
"""

from __future__ import annotations

from handlers.context import Context
from handlers.flow import Flow
from handlers.menu import main_menu_buttons
from handlers.textnorm import fold
from handlers.types import Inbound
from messages import raw, t


class FaqFlow(Flow):
    name = "faq"

    async def start(self, event: Inbound, ctx: Context) -> None:
        await self.on_message(event, ctx)

    async def on_button(self, event: Inbound, ctx: Context, action: str) -> None:
        ctx.reply(
            t("menu.coming_soon", feature=t("menu.feature.faq")),
            main_menu_buttons(),
            intent="flow:faq",
        )

    async def on_message(self, event: Inbound, ctx: Context) -> None:
        folded = fold(event.text)
        if folded in {fold(w) for w in raw("faq.smalltalk.greetings")}:
            await ctx.router.flows["menu"].start(event, ctx)
            ctx.replies[-1].meta["intent"] = "smalltalk"
            return
        ctx.reply(t("faq.fallback"), main_menu_buttons(), intent="fallback")
