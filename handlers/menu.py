"""The main menu: greeting, /start, /help, and the five doors into the bot."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handlers.access import get_officer
from handlers.callbacks import CallbackData, parse
from handlers.context import Context
from handlers.flow import Flow
from handlers.types import Button, Inbound
from messages import t


class Door(StrEnum):
    ABROAD = "abroad"
    TRAINING = "training"
    REGISTER = "register"
    DOSSIER = "dossier"
    HUMAN = "human"


@dataclass(frozen=True)
class OpenDoor(CallbackData, prefix="menu"):
    door: Door


@dataclass(frozen=True)
class Home(CallbackData, prefix="menu:home"):
    pass


@dataclass(frozen=True)
class Start(CallbackData, prefix="menu:start"):
    """Same as «Menu» (ids kept for messages already sent)."""


#: Door → the flow that serves it, and the button of that flow it presses (None: ``start``).
#: The button is written packed: the FAQ's module imports this one.
DOORS: dict[Door, tuple[str, str | None]] = {
    Door.ABROAD: ("faq", "faq:topics_abroad"),
    Door.TRAINING: ("faq", "faq:topics_training"),
    Door.REGISTER: ("intake", None),
    Door.DOSSIER: ("dossier", None),
    Door.HUMAN: ("handoff", None),
}


def main_menu_buttons() -> list[list[Button]]:
    return [[OpenDoor(door).button(t(f"menu.button.{door.value}"))] for door in DOORS]


def officer_menu_buttons() -> list[list[Button]]:
    """The officers' doors (handlers/officials/home.py)."""
    from handlers.officials.home import home_buttons  # the officers' modules import the menu's

    return home_buttons()


async def menu_buttons_for(ctx: Context) -> list[list[Button]]:
    """The main menu; an officer's doors for an officer (an officer's "ok" got the citizens'
    menu, «Gặp cán bộ» among it)."""
    if await get_officer(ctx.session, ctx.contact.id) is not None:
        return officer_menu_buttons()
    return main_menu_buttons()


#: The officer's home (handlers/officials/home.py): an officer's /start and menu.
OFFICER_HOME = "officer_home"


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
        if await get_officer(ctx.session, ctx.contact.id) is not None and await ctx.start_flow(
                event, OFFICER_HOME):
            return  # what waits for the officer, not the citizens' menu
        greeting = (
            t("menu.welcome_named", name=ctx.contact.display_name)
            if (ctx.contact.display_name)
            else t("menu.welcome")
        )
        notes = await ctx.pending_notes()
        text = "\n".join([greeting, *notes])
        ctx.reply(text, await menu_buttons_for(ctx), intent="flow:menu")

    async def on_callback(self, event: Inbound, ctx: Context, data: CallbackData) -> None:
        if not isinstance(data, OpenDoor):
            # «Menu» pressed is "menu" typed: out of the flow (a hand-off thread included, so
            # the next text is not sent to the officer), which the menu may then note.
            ctx.leave(resume=False)
            await self.start(event, ctx)
            return
        flow_name, button = DOORS[data.door]
        ctx.leave()
        if not ctx.has_flow(flow_name):
            ctx.reply(
                t("menu.coming_soon", feature=t(f"menu.button.{data.door.value}")),
                main_menu_buttons(),
                intent=f"flow:{flow_name}",
            )
        elif button is None:
            await ctx.start_flow(event, flow_name)
        else:
            await ctx.press(event, parse(button))
