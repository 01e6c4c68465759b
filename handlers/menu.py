"""The main menu: greeting, /start, /help, and the five doors into the bot."""

from __future__ import annotations

from handlers.access import get_officer
from handlers.context import Context
from handlers.flow import Flow
from handlers.types import Button, Inbound
from messages import t

#: Menu action → the flow that serves it, and the action passed to that flow's ``on_button``
#: (None: the flow's ``start``).
DOORS: dict[str, tuple[str, str | None]] = {
    "abroad": ("faq", "topics_abroad"),
    "training": ("faq", "topics_training"),
    "register": ("intake", None),
    "dossier": ("dossier", None),
    "human": ("handoff", None),
}


def main_menu_buttons() -> list[list[Button]]:
    return [[Button(f"menu:{action}", t(f"menu.button.{action}"))] for action in DOORS]


def officer_menu_buttons() -> list[list[Button]]:
    """The officers' doors: the case list (handlers/casework.py)."""
    return [[Button("cases:list:all:1", t("casework.button_list"))],
            [Button("cases:list:call:1", t("casework.button_filter_call"))]]


class MenuFlow(Flow):
    name = "menu"
    commands = ("start", "menu", "help")

    async def start(self, event: Inbound, ctx: Context) -> None:
        if event.command == "help":
            if await get_officer(ctx.session, ctx.contact.id) is not None:
                ctx.reply(t("officerhelp.text"), officer_menu_buttons(),
                          intent="flow:menu.help.officer")
                return
            ctx.reply(t("menu.help"), main_menu_buttons(), intent="flow:menu.help")
            return
        greeting = (
            t("menu.welcome_named", name=ctx.contact.display_name)
            if (ctx.contact.display_name)
            else t("menu.welcome")
        )
        notes = [
            note for flow in ctx.router.flows.values() if (note := await flow.pending_note(ctx))
        ]
        text = "\n".join([greeting, *notes])
        buttons = main_menu_buttons()
        if await get_officer(ctx.session, ctx.contact.id) is not None:
            buttons = officer_menu_buttons() + buttons
        ctx.reply(text, buttons, intent="flow:menu")

    async def on_button(self, event: Inbound, ctx: Context, action: str) -> None:
        door = DOORS.get(action)
        if door is None:
            await self.start(event, ctx)
            return
        flow_name, flow_action = door
        ctx.leave()
        flow = ctx.router.get(flow_name)
        if flow is None:
            ctx.reply(
                t("menu.coming_soon", feature=t(f"menu.button.{action}")),
                main_menu_buttons(),
                intent=f"flow:{flow_name}",
            )
            return
        if flow_action is None:
            await flow.start(event, ctx)
        else:
            await flow.on_button(event, ctx, flow_action)
